import { sleep } from './backoff';

/**
 * Where code that makes a time-based decision learns the time (webhook delivery, invoice
 * expiry, the API routes). Injected, so tests can prove a three-day retry schedule without
 * waiting for it.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock that can also be waited on, for code whose waits are part of what it promises (a
 * function timeout, a schedule): a test moves the time instead of sitting it out.
 */
export interface TimeSource extends Clock {
  /** Resolves once `ms` have passed on this clock, or early (without throwing) when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemTime: TimeSource = { now: () => new Date(), sleep };
