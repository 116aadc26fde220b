import { randomUUID } from 'node:crypto';
import type { ScheduledEvent } from 'aws-lambda';
import { systemTime, type TimeSource } from '../../../functions/lib/runtime/clock';

export interface ScheduleOptions {
  intervalMs: number;
  /** Hands the event to the target (an asynchronous invoke: accepted, not awaited to completion). */
  fire(event: ScheduledEvent): Promise<void>;
  /** @default 'local-schedule' */
  ruleName?: string;
  /** Where the schedule learns the time and waits for the next run. @default the system clock */
  time?: TimeSource;
}

export interface Schedule {
  stop(): Promise<void>;
}

/**
 * An EventBridge schedule rule (`rate(1 minute)`): fires at start and then every interval,
 * whether or not the previous run has finished, as AWS does; the target's own delivery
 * settings (retries, destination) decide what happens when a run fails.
 */
export function startSchedule(options: ScheduleOptions): Schedule {
  const ruleName = options.ruleName ?? 'local-schedule';
  const time = options.time ?? systemTime;
  const pending = new Set<Promise<void>>();
  const fire = () => {
    const event: ScheduledEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '000000000000',
      time: time.now().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: 'local',
      resources: [`arn:aws:events:local:000000000000:rule/${ruleName}`],
      detail: {},
    };
    const handedOff = options.fire(event).catch(() => undefined).finally(() => pending.delete(handedOff));
    pending.add(handedOff);
  };
  const stopping = new AbortController();
  fire();
  // Each run is due one interval after the one before, not after the hand-off finished.
  const runs = (async () => {
    let dueMs = time.now().getTime() + options.intervalMs;
    while (!stopping.signal.aborted) {
      await time.sleep(dueMs - time.now().getTime(), stopping.signal);
      if (stopping.signal.aborted) return;
      fire();
      dueMs += options.intervalMs;
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await runs;
      await Promise.all(pending);
    },
  };
}
