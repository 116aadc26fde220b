import type { TimeSource } from '../../../functions/lib/runtime/clock';

interface Sleeper {
  dueMs: number;
  wake(): void;
}

/**
 * A time source that moves only when told to, for tests of the stand-ins: what they promise
 * in time (visibility timeouts, delays, retry intervals, function timeouts, event ages) is
 * proved by advancing it, not by waiting. Their polling pace stays in real time, so after an
 * advance the condition is awaited as usual.
 */
export class ManualTimeSource implements TimeSource {
  private ms: number;
  private sleepers: Sleeper[] = [];

  constructor(start: Date | number = Date.now()) {
    this.ms = typeof start === 'number' ? start : start.getTime();
  }

  now(): Date {
    return new Date(this.ms);
  }

  nowMs(): number {
    return this.ms;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper: Sleeper = {
        dueMs: this.ms + ms,
        wake: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((other) => other !== sleeper);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
    });
  }

  /** Moves the time on and wakes, earliest first, every sleep that has come due. */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError('a clock does not go backwards');
    this.ms += ms;
    const due = this.sleepers.filter((sleeper) => sleeper.dueMs <= this.ms).sort((a, b) => a.dueMs - b.dueMs);
    this.sleepers = this.sleepers.filter((sleeper) => sleeper.dueMs > this.ms);
    for (const sleeper of due) sleeper.wake();
  }
}
