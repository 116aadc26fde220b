import { randomUUID } from 'node:crypto';
import { type Clock, systemClock } from '../../../functions/lib/runtime/clock';
import { errorFields, type Log, silentLog } from '../../../functions/lib/runtime/log';
import { startQueueConsumer, type QueueConsumer } from '../../../functions/lib/queue/queue-consumer';
import { scaleSeconds, type AsyncInvokeDelivery } from '../../delivery';
import { localQueueName, type LocalQueue, type LocalQueues } from './local-queue';

/** Lambda's defaults when a function has no EventInvokeConfig: 2 retries, 6 hours, then the event is discarded. */
export const LAMBDA_ASYNC_DEFAULTS = { retryAttempts: 2, maxEventAgeSec: 6 * 60 * 60 } as const;

export interface AsyncInvokeSettings {
  retryAttempts: number;
  maxEventAgeSec: number;
  /** Name of the local queue that stands for the on-failure destination; none: discarded, as in AWS. */
  onFailure?: string;
}

export interface AsyncInvokerOptions<Event> {
  queues: LocalQueues;
  functionName: string;
  handler: (event: Event) => Promise<unknown>;
  /** The function's EventInvokeConfig (infra/delivery.ts); @default Lambda's own defaults, no destination */
  settings?: AsyncInvokeSettings;
  /** @default 30 */
  functionTimeoutSec?: number;
  /** @default `async-invoke.<functionName>` */
  queueName?: string;
  /** Invocations at once. @default 4 */
  concurrency?: number;
  /** Durations × this (1 = real time); counts stay exact. @default 1 */
  timeScale?: number;
  /** Longest wait of one receive. @default 5 */
  waitTimeSec?: number;
  log?: Log;
}

export interface AsyncInvoker<Event> {
  /** InvocationType=Event: accepted (durably queued), run later. */
  invoke(event: Event): Promise<void>;
  /** Lambda's internal queue of this function. */
  readonly queue: LocalQueue;
  stop(graceMs?: number): Promise<void>;
}

interface QueuedInvoke<Event> {
  requestId: string;
  acceptedAt: number;
  event: Event;
}

/** The message an accepted asynchronous invoke is, in the function's queue (the bus writes it for a function target). */
export function queuedInvokeBody<Event>(event: Event, clock: Clock = systemClock): string {
  const queued: QueuedInvoke<Event> = { requestId: randomUUID(), acceptedAt: clock.now().getTime(), event };
  return JSON.stringify(queued);
}

export function asyncInvokeSettings(delivery: AsyncInvokeDelivery): AsyncInvokeSettings {
  return { retryAttempts: delivery.retryAttempts, maxEventAgeSec: delivery.maxEventAgeSec, onFailure: localQueueName(delivery.onFailure) };
}

/**
 * Lambda's asynchronous invocation, as AWS documents it: an accepted event waits in the
 * function's queue; when the function fails, Lambda tries again after one minute, then
 * after two more (up to `retryAttempts`); an event older than `maxEventAgeSec` is not run.
 * Then the event goes to the on-failure destination (an invocation record with the request
 * payload), or, without one, it is DISCARDED, which is why every consumer that must not lose
 * an event sits behind an SQS queue instead. Retry intervals and event ages run on the
 * time source of the function's queue.
 */
export function startAsyncInvoker<Event>(options: AsyncInvokerOptions<Event>): AsyncInvoker<Event> {
  const log = options.log ?? silentLog;
  const scale = options.timeScale ?? 1;
  const settings: AsyncInvokeSettings = options.settings ?? LAMBDA_ASYNC_DEFAULTS;
  const queue = options.queues.queue(options.queueName ?? `async-invoke.${options.functionName}`);
  const time = queue.time;
  const functionArn = `arn:aws:lambda:local:000000000000:function:${options.functionName}`;
  const maxEventAgeMs = scaleSeconds(settings.maxEventAgeSec, scale) * 1000;

  const giveUp = async (queued: QueuedInvoke<Event>, condition: 'RetriesExhausted' | 'EventAgeExceeded', attempts: number, error?: unknown): Promise<void> => {
    const fields = { functionName: options.functionName, requestId: queued.requestId, condition, attempts };
    if (!settings.onFailure) {
      log.error('asynchronous invocation discarded (no on-failure destination)', { ...fields, ...(error ? errorFields(error) : {}) });
      return;
    }
    // The shape of Lambda's invocation record for destinations.
    const record = {
      version: '1.0',
      timestamp: time.now().toISOString(),
      requestContext: { requestId: queued.requestId, functionArn: `${functionArn}:$LATEST`, condition, approximateInvokeCount: attempts },
      requestPayload: queued.event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: error ? { errorType: (error as Error).name ?? 'Error', errorMessage: (error as Error).message ?? String(error) } : null,
    };
    await options.queues.queue(settings.onFailure).send(JSON.stringify(record));
    log.error('asynchronous invocation failed; sent to its on-failure destination', { ...fields, destination: settings.onFailure });
  };

  const consumer: QueueConsumer = startQueueConsumer({
    queue,
    concurrency: options.concurrency ?? 4,
    waitTimeSec: options.waitTimeSec ?? 5,
    visibilityTimeoutSec: scaleSeconds(options.functionTimeoutSec ?? 30, scale) + 1,
    // Lambda waits one minute before the second attempt and two before the third.
    retryDelaySec: (receiveCount) => scaleSeconds(60 * Math.min(receiveCount, 2), scale),
    log,
    handle: async (message) => {
      const queued = JSON.parse(message.body) as QueuedInvoke<Event>;
      if (time.now().getTime() - queued.acceptedAt > maxEventAgeMs) return giveUp(queued, 'EventAgeExceeded', message.receiveCount - 1);
      try {
        await options.handler(queued.event);
      } catch (error) {
        if (message.receiveCount > settings.retryAttempts) return giveUp(queued, 'RetriesExhausted', message.receiveCount, error);
        log.warn('asynchronous invocation failed; Lambda will retry it', { functionName: options.functionName, attempt: message.receiveCount, ...errorFields(error) });
        throw error;
      }
    },
  });

  return {
    queue,
    async invoke(event) {
      await queue.send(queuedInvokeBody(event, time));
    },
    stop: (graceMs = 0) => consumer.stop(graceMs),
  };
}
