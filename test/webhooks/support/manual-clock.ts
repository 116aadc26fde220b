import type { Clock } from '../../../functions/lib/runtime/clock';

/** A clock the test moves by hand; `onSet` lets a test keep a faked Date in step with it. */
export class ManualClock implements Clock {
  private ms: number;

  constructor(start: Date | number = Date.now(), private readonly onSet?: (ms: number) => void) {
    this.ms = typeof start === 'number' ? start : start.getTime();
    this.onSet?.(this.ms);
  }

  now(): Date {
    return new Date(this.ms);
  }

  nowMs(): number {
    return this.ms;
  }

  advance(ms: number): void {
    this.set(this.ms + ms);
  }

  set(ms: number): void {
    if (ms < this.ms) throw new Error('a clock does not go backwards');
    this.ms = ms;
    this.onSet?.(ms);
  }
}
