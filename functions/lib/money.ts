import { AmountOutOfRangeError } from './errors';

/** Millisatoshis: always a safe, non-negative integer unless it is a signed ledger amount. */
export type Msat = number;

export const MIN_INVOICE_MSAT = 1_000;
export const DEFAULT_MAX_INVOICE_MSAT = 100_000_000_000;
/** The fee policy's floor, so small payments can still find a route. */
export const MIN_DEFAULT_FEE_RESERVE_MSAT = 10_000;

export class AmountOverflowError extends AmountOutOfRangeError {
  constructor(message = 'The resulting amount would exceed the largest amount this service can hold') {
    super(message);
  }
}

export function isMsat(value: unknown): value is Msat {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** a + b, refused when the sum is not a safe integer. */
export function addMsat(a: Msat, b: Msat): Msat {
  const sum = a + b;
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || !Number.isSafeInteger(sum)) throw new AmountOverflowError();
  return sum;
}

/** max(⌈1% of amount⌉, 10,000 msat), computed in integers. */
export function defaultFeeReserveMsat(amountMsat: Msat): Msat {
  const onePercent = Number((BigInt(amountMsat) + 99n) / 100n);
  return Math.max(onePercent, MIN_DEFAULT_FEE_RESERVE_MSAT);
}

/** Parses an int64 decimal string (as gRPC and DynamoDB hand them over) without going through a lossy float. */
export function msatFromDecimalString(value: string): Msat {
  if (!/^-?\d+$/.test(value)) throw new AmountOutOfRangeError(`not an integer amount: ${value}`);
  const big = BigInt(value);
  if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new AmountOutOfRangeError(`amount ${value} is larger than this service can hold`);
  }
  return Number(big);
}
