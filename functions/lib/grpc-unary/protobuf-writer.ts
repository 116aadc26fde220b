/**
 * The few protobuf encodings the node calls need (varint, length-delimited), written by hand
 * so the API functions do not bundle protobufjs. Field order is the caller's; protobuf
 * readers accept any.
 */

const UINT64_MAX = (1n << 64n) - 1n;
const UINT32_MAX = 0xffff_ffff;
const DECIMAL = /^\d+$/;

const WireType = { varint: 0, lengthDelimited: 2 } as const;

export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];

  /** uint64 (or a non-negative int64) given as a decimal string or a safe integer. */
  uint64(field: number, value: string | number): this {
    this.tag(field, WireType.varint);
    this.varint(toUint64(value, field));
    return this;
  }

  /** uint32, and enums (whose values here are never negative). */
  uint32(field: number, value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > UINT32_MAX) throw new RangeError(`field ${field}: ${value} is not a uint32`);
    this.tag(field, WireType.varint);
    this.varint(BigInt(value));
    return this;
  }

  bool(field: number, value: boolean): this {
    this.tag(field, WireType.varint);
    this.parts.push(Uint8Array.of(value ? 1 : 0));
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WireType.lengthDelimited);
    this.varint(BigInt(value.length));
    this.parts.push(value);
    return this;
  }

  /** An embedded message, written by `write` on a writer of its own. */
  message(field: number, write: (writer: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    write(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }

  private tag(field: number, wireType: number): void {
    this.varint((BigInt(field) << 3n) | BigInt(wireType));
  }

  private varint(value: bigint): void {
    const bytes: number[] = [];
    let rest = value;
    while (rest > 0x7fn) {
      bytes.push(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    bytes.push(Number(rest));
    this.parts.push(Uint8Array.from(bytes));
  }
}

function toUint64(value: string | number, field: number): bigint {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`field ${field}: ${value} is not a uint64`);
    return BigInt(value);
  }
  if (!DECIMAL.test(value)) throw new RangeError(`field ${field}: ${value} is not a uint64`);
  const exact = BigInt(value);
  if (exact > UINT64_MAX) throw new RangeError(`field ${field}: ${value} is beyond uint64`);
  return exact;
}
