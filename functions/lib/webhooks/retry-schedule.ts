/**
 * The contract's delivery schedule: the first attempt at once, then after a failure the
 * next one after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h: ten attempts over
 * about three days (75 h 35 min plus jitter).
 */
export const RETRY_DELAYS_MS = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  14 * 3_600_000,
  20 * 3_600_000,
  24 * 3_600_000,
] as const;

export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

/**
 * Jitter spreads the retries of many deliveries that failed together (an endpoint that was
 * down) so they do not all return at once. It only ever adds: a retry never comes sooner
 * than the schedule says, at most 10 % later.
 */
export const JITTER_FRACTION = 0.1;

/** The longest a receiver's Retry-After is followed; longer requests end the delivery (see docs/WEBHOOKS.md). */
export const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/** A number in [0, 1): Math.random in production, fixed in tests. */
export type Random = () => number;

/**
 * How long to wait after the `failedAttempt`-th attempt of a series failed, or undefined when
 * it was the last one. A Retry-After the receiver sent is a floor: never sooner than asked.
 */
export function nextRetryDelayMs(failedAttempt: number, random: Random, retryAfterMs?: number): number | undefined {
  const base = RETRY_DELAYS_MS[failedAttempt - 1];
  if (base === undefined) return undefined;
  const jittered = Math.round(base * (1 + JITTER_FRACTION * random()));
  return retryAfterMs === undefined ? jittered : Math.max(jittered, retryAfterMs);
}
