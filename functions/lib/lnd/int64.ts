import { UnsafeIntegerError } from './errors';

const DECIMAL_INTEGER = /^-?\d+$/;

/**
 * int64/uint64 arrive as decimal strings. BigInt parses them exactly, so a
 * value beyond 2^53 is caught instead of being silently rounded by a float.
 */
export function int64ToNumber(value: string | number, field: string): number {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new UnsafeIntegerError(field, String(value));
    return value;
  }
  if (!DECIMAL_INTEGER.test(value)) throw new UnsafeIntegerError(field, value);
  const exact = BigInt(value);
  if (exact > BigInt(Number.MAX_SAFE_INTEGER) || exact < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new UnsafeIntegerError(field, value);
  }
  return Number(exact);
}

export function numberToInt64(value: number, field: string): string {
  if (!Number.isSafeInteger(value)) throw new UnsafeIntegerError(field, String(value));
  return String(value);
}
