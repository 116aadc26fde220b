/**
 * Where webhook delivery and invoice expiry learn the time. Injected everywhere they make a
 * time-based decision, so tests can prove a three-day retry schedule without waiting for it.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
