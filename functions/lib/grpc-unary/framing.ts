import { ProtoDecodeError } from './protobuf-reader';

/** gRPC's length-prefixed message: a compressed flag byte, a big-endian uint32 length, the bytes. */
const PREFIX_BYTES = 5;

export function frameMessage(message: Uint8Array): Buffer {
  const frame = Buffer.alloc(PREFIX_BYTES + message.length);
  frame.writeUInt8(0, 0);
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, PREFIX_BYTES);
  return frame;
}

/** The messages of a response body; throws for a truncated body or a compressed message (we never offer compression). */
export function unframeMessages(body: Buffer): Buffer[] {
  const messages: Buffer[] = [];
  let offset = 0;
  while (offset < body.length) {
    if (offset + PREFIX_BYTES > body.length) throw new ProtoDecodeError('truncated gRPC message prefix');
    const compressed = body.readUInt8(offset);
    const length = body.readUInt32BE(offset + 1);
    const start = offset + PREFIX_BYTES;
    if (start + length > body.length) throw new ProtoDecodeError('truncated gRPC message');
    if (compressed !== 0) throw new ProtoDecodeError('compressed gRPC message without an agreed encoding');
    messages.push(body.subarray(start, start + length));
    offset = start + length;
  }
  return messages;
}
