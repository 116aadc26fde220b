/**
 * Where code that makes a time-based decision learns the time (webhook delivery, invoice
 * expiry, the API routes). Injected, so tests can prove a three-day retry schedule without
 * waiting for it.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
