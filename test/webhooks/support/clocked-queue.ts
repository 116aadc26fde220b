import type { SendOptions } from '../../../functions/lib/queue/queue';
import type { QueueSender } from '../../../functions/lib/webhooks/series';
import type { ManualClock } from './manual-clock';

export interface QueuedMessage {
  body: string;
  delaySec: number;
  sentAtMs: number;
  visibleAtMs: number;
}

/**
 * A queue whose delays run on the test's clock instead of real time (SQS's DelaySeconds, at
 * most 900 s, is the only behaviour the delivery worker relies on). It records every send,
 * so a test can check that no hop was longer than SQS allows.
 */
export class ClockedQueue implements QueueSender {
  readonly sent: QueuedMessage[] = [];
  private waiting: QueuedMessage[] = [];

  constructor(private readonly clock: ManualClock) {}

  async send(body: string, options: SendOptions = {}): Promise<void> {
    const delaySec = options.delaySec ?? 0;
    if (delaySec > 900) throw new Error(`SQS refuses DelaySeconds ${delaySec} (> 900)`);
    const message = { body, delaySec, sentAtMs: this.clock.nowMs(), visibleAtMs: this.clock.nowMs() + delaySec * 1000 };
    this.sent.push(message);
    this.waiting.push(message);
  }

  get size(): number {
    return this.waiting.length;
  }

  /** Removes and returns the messages visible now, oldest first. */
  takeVisible(): string[] {
    const now = this.clock.nowMs();
    const visible = this.waiting.filter((message) => message.visibleAtMs <= now).sort((a, b) => a.visibleAtMs - b.visibleAtMs);
    this.waiting = this.waiting.filter((message) => message.visibleAtMs > now);
    return visible.map((message) => message.body);
  }

  /** Forgets every waiting message (a test's way of losing a send). */
  clear(): void {
    this.waiting = [];
  }

  nextVisibleAtMs(): number | undefined {
    return this.waiting.length === 0 ? undefined : Math.min(...this.waiting.map((message) => message.visibleAtMs));
  }

  bodies(): unknown[] {
    return this.waiting.map((message) => JSON.parse(message.body) as unknown);
  }
}
