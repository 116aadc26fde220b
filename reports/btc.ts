/** 1 BTC = 100,000,000 sat = 100,000,000,000 msat. */
export const MSAT_PER_BTC = 100_000_000_000n;
const BTC_DECIMALS = 11;

/**
 * Millisatoshis as a BTC amount with exactly 11 decimals, by integer arithmetic only:
 * 150000n → "0.00000150000", -1n → "-0.00000000001". Money never goes through a float.
 */
export function formatBtc(msat: bigint | number): string {
  const value = toBigInt(msat);
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const whole = magnitude / MSAT_PER_BTC;
  const fraction = (magnitude % MSAT_PER_BTC).toString().padStart(BTC_DECIMALS, '0');
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

/** An integer number of msat, refusing anything that is not already an exact integer. */
export function toBigInt(msat: bigint | number): bigint {
  if (typeof msat === 'bigint') return msat;
  if (!Number.isSafeInteger(msat)) throw new RangeError(`not a safe integer amount of msat: ${msat}`);
  return BigInt(msat);
}
