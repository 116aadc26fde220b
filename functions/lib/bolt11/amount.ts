import { InvalidBolt11Error } from '../errors';

const MSAT_PER_BTC = 100_000_000_000n;
/** BOLT11's multiplier letters, as divisors of one bitcoin. */
const DIVISOR = { m: 1_000n, u: 1_000_000n, n: 1_000_000_000n, p: 1_000_000_000_000n } as const;
type Multiplier = keyof typeof DIVISOR;

/**
 * The amount part of the human-readable prefix (digits and an optional multiplier letter) in
 * msat, or null when the invoice carries none. Exact bigint arithmetic: an amount that is not
 * a whole number of msat (a `p` amount not ending in 0) is refused, as BOLT11 requires.
 */
export function parseAmountMsat(digits: string | undefined, multiplier: string | undefined): bigint | null {
  if (digits === undefined) return null;
  // No leading zeros; a lone "0" passes, since LND reads a zero amount as "any amount".
  if (!/^(0|[1-9]\d*)$/.test(digits)) throw new InvalidBolt11Error('bolt11 amount has leading zeros');
  const btcTimesDivisor = BigInt(digits) * MSAT_PER_BTC;
  if (multiplier === undefined) return btcTimesDivisor;
  const divisor = DIVISOR[multiplier as Multiplier];
  if (divisor === undefined) throw new InvalidBolt11Error('bolt11 amount has an unknown multiplier');
  if (btcTimesDivisor % divisor !== 0n) throw new InvalidBolt11Error('bolt11 amount is not a whole number of millisatoshis');
  return btcTimesDivisor / divisor;
}
