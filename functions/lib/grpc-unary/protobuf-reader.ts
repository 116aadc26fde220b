/**
 * Reads protobuf's wire format field by field. Callers pick the fields they know and
 * `skip` the rest by wire type, as protobuf requires of readers of newer messages.
 * 64-bit integers come back as decimal strings, the shape grpc-js gives with `longs: String`,
 * so the clients' own guards (nothing beyond 2^53 becomes a number) apply unchanged.
 */

export class ProtoDecodeError extends Error {
  override readonly name: string = 'ProtoDecodeError';
}

export const WireType = { varint: 0, fixed64: 1, lengthDelimited: 2, startGroup: 3, endGroup: 4, fixed32: 5 } as const;

const MAX_VARINT_BYTES = 10;

export class ProtoReader {
  private position = 0;

  constructor(private readonly buffer: Uint8Array) {}

  get done(): boolean {
    return this.position >= this.buffer.length;
  }

  /** The next field's number and wire type. */
  tag(): { field: number; wireType: number } {
    const key = this.varint();
    const field = Number(key >> 3n);
    if (field === 0) throw new ProtoDecodeError('field number 0');
    return { field, wireType: Number(key & 7n) };
  }

  uint64(): string {
    return BigInt.asUintN(64, this.varint()).toString();
  }

  int64(): string {
    return BigInt.asIntN(64, this.varint()).toString();
  }

  /** uint32 and enums: the low 32 bits, as protobuf readers truncate. */
  uint32(): number {
    return Number(BigInt.asUintN(32, this.varint()));
  }

  bool(): boolean {
    return this.varint() !== 0n;
  }

  bytes(): Buffer {
    const length = Number(this.varint());
    const end = this.position + length;
    if (end > this.buffer.length) throw new ProtoDecodeError('length-delimited field runs past the end');
    const bytes = Buffer.from(this.buffer.subarray(this.position, end));
    this.position = end;
    return bytes;
  }

  string(): string {
    return this.bytes().toString('utf8');
  }

  /** Passes over a field this reader does not know. */
  passOver(wireType: number, field = 0): void {
    switch (wireType) {
      case WireType.varint:
        this.varint();
        return;
      case WireType.fixed64:
        this.advance(8);
        return;
      case WireType.lengthDelimited:
        this.bytes();
        return;
      case WireType.fixed32:
        this.advance(4);
        return;
      case WireType.startGroup:
        this.skipGroup(field);
        return;
      default:
        throw new ProtoDecodeError(`wire type ${wireType} cannot be skipped here`);
    }
  }

  private skipGroup(field: number): void {
    for (;;) {
      if (this.done) throw new ProtoDecodeError('group without its end');
      const next = this.tag();
      if (next.wireType === WireType.endGroup) {
        if (next.field !== field) throw new ProtoDecodeError('group ends with another field number');
        return;
      }
      this.passOver(next.wireType, next.field);
    }
  }

  private advance(count: number): void {
    if (this.position + count > this.buffer.length) throw new ProtoDecodeError('fixed-size field runs past the end');
    this.position += count;
  }

  private varint(): bigint {
    let value = 0n;
    for (let index = 0; index < MAX_VARINT_BYTES; index += 1) {
      if (this.position >= this.buffer.length) throw new ProtoDecodeError('varint runs past the end');
      const byte = this.buffer[this.position++]!;
      value |= BigInt(byte & 0x7f) << BigInt(7 * index);
      if ((byte & 0x80) === 0) return value;
    }
    throw new ProtoDecodeError('varint longer than 10 bytes');
  }
}

export interface FieldReader {
  wireType: number;
  read(reader: ProtoReader): void;
}

/**
 * Reads a message, handing each field it knows to its reader. Fields it does not know, and
 * known fields sent with another wire type, are skipped.
 */
export function readMessage(bytes: Uint8Array, fields: Readonly<Record<number, FieldReader>>): void {
  const reader = new ProtoReader(bytes);
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    const known = fields[field];
    if (known && known.wireType === wireType) known.read(reader);
    else reader.passOver(wireType, field);
  }
}

/** Field readers by wire type, for the decoders' tables. */
export const varintField = (read: (reader: ProtoReader) => void): FieldReader => ({ wireType: WireType.varint, read });
export const bytesField = (read: (reader: ProtoReader) => void): FieldReader => ({ wireType: WireType.lengthDelimited, read });
