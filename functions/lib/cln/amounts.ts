import { int64ToNumber, numberToInt64 } from '../lnd/int64';

/** cln-grpc's `Amount { msat }`, the uint64 arriving as a decimal string. */
export interface RawAmount {
  msat: string;
}

/** An Amount as a number of msat; throws UnsafeIntegerError beyond 2^53 rather than round money. */
export function msatOf(amount: RawAmount | null | undefined, field: string): number {
  if (!amount) throw new TypeError(`${field} is missing`);
  return int64ToNumber(amount.msat, field);
}

export function msatOrNull(amount: RawAmount | null | undefined, field: string): number | null {
  return amount ? int64ToNumber(amount.msat, field) : null;
}

/** A uint64 counter or timestamp (indexes, seconds) as a number, with the same guard. */
export function uint64Of(value: string | number, field: string): number {
  return int64ToNumber(value, field);
}

export function uint64OrNull(value: string | number | undefined | null, field: string): number | null {
  return value === undefined || value === null ? null : int64ToNumber(value, field);
}

function nonNegative(value: number, field: string): string {
  const encoded = numberToInt64(value, field);
  if (value < 0) throw new RangeError(`${field} must be >= 0`);
  return encoded;
}

export function amountToProto(msat: number, field: string): RawAmount {
  return { msat: nonNegative(msat, field) };
}

export function uint64ToProto(value: number, field: string): string {
  return nonNegative(value, field);
}

const UINT32_MAX = 0xffff_ffff;

export function uint32ToProto(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > UINT32_MAX) throw new RangeError(`${field} must be an integer from 0 to 2^32 - 1`);
  return value;
}
