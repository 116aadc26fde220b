import { createHash } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { errorFields, type Log, silentLog } from '../../../functions/lib/runtime/log';
import { backoffDelayMs, sleep } from '../../../functions/lib/runtime/backoff';
import type { QueueMessage } from '../../../functions/lib/queue/queue';
import { scaleSeconds, type ConsumerDelivery } from '../../delivery';
import type { LocalQueue } from './local-queue';

export type SqsBatchHandler = (event: SQSEvent) => Promise<SQSBatchResponse | void | null>;

export interface SqsEventSourceOptions {
  queue: LocalQueue;
  /** The function's handler, exactly as Lambda runs it. */
  handler: SqsBatchHandler;
  /** The queue's and the function's settings in the template (infra/delivery.ts). */
  delivery: ConsumerDelivery;
  /** Durations × this (1 = real time); counts stay exact. @default 1 */
  timeScale?: number;
  /** Longest wait of one receive. @default 5 s (SQS allows 20 s; shorter stops quicker) */
  waitTimeSec?: number;
  log?: Log;
}

export interface SqsEventSource {
  /** Invocations so far, and how many of them failed as a whole (error or timeout). */
  readonly invocations: number;
  readonly failedInvocations: number;
  /** Invocations not finished yet (their deletes included). */
  readonly inFlight: number;
  stop(): Promise<void>;
}

export class FunctionTimeoutError extends Error {
  constructor(seconds: number) {
    super(`Task timed out after ${seconds.toFixed(2)} seconds`);
    this.name = 'FunctionTimeoutError';
  }
}

/**
 * Lambda's SQS event source mapping with ReportBatchItemFailures, on a local queue, as AWS
 * documents it: batches of up to `batchSize`, received with the QUEUE's visibility timeout,
 * each one invocation of the handler, up to `maxConcurrency` at a time. On success the
 * mapping deletes every record not named in `batchItemFailures`. A failed record is not made
 * visible early: it comes back when its visibility timeout ends, and the queue's redrive
 * policy moves it to its DLQ after `maxReceiveCount` receives. A handler that throws, runs
 * past the function timeout, or names an item that is not in the batch fails the whole batch.
 * The function timeout runs on the queue's time source, as its visibility timeout does.
 */
export function startSqsEventSource(options: SqsEventSourceOptions): SqsEventSource {
  const log = options.log ?? silentLog;
  const time = options.queue.time;
  const scale = options.timeScale ?? 1;
  const { delivery } = options;
  const visibilityTimeoutSec = scaleSeconds(delivery.visibilityTimeoutSec, scale);
  const functionTimeoutMs = scaleSeconds(delivery.functionTimeoutSec, scale) * 1000;
  const waitTimeSec = Math.min(options.waitTimeSec ?? 5, 20);
  const stopping = new AbortController();
  const eventSourceARN = `arn:aws:sqs:local:000000000000:${options.queue.name}`;
  let invocations = 0;
  let failedInvocations = 0;

  const toRecord = (message: QueueMessage): SQSRecord => {
    const sent = String(Number(message.id.slice(0, 15)) || time.now().getTime());
    return {
      messageId: message.id,
      receiptHandle: message.receiptHandle,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: sent,
        SenderId: 'LOCAL',
        ApproximateFirstReceiveTimestamp: sent,
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(message.body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN,
      awsRegion: 'local',
    };
  };

  /** What to delete after an invocation: every record, the records not reported, or (whole batch failed) none. */
  const toDelete = (messages: QueueMessage[], response: SQSBatchResponse | void | null): QueueMessage[] => {
    const failures = response?.batchItemFailures ?? [];
    const ids = new Set(messages.map((message) => message.id));
    if (failures.some((failure) => !failure.itemIdentifier || !ids.has(failure.itemIdentifier))) {
      log.warn('batchItemFailures names an item that is not in the batch; the whole batch failed', { queue: options.queue.name });
      return [];
    }
    const failed = new Set(failures.map((failure) => failure.itemIdentifier));
    return messages.filter((message) => !failed.has(message.id));
  };

  const invoke = async (messages: QueueMessage[]): Promise<void> => {
    invocations++;
    const timerDone = new AbortController();
    try {
      const timeout = time.sleep(functionTimeoutMs, timerDone.signal).then(() => {
        if (!timerDone.signal.aborted) throw new FunctionTimeoutError(functionTimeoutMs / 1000);
      });
      // A timed-out handler keeps running here (Lambda would freeze it); what it reports is ignored.
      const response = await Promise.race([options.handler({ Records: messages.map(toRecord) }), timeout]);
      await Promise.all(
        toDelete(messages, response).map((message) =>
          options.queue.delete(message.receiptHandle).catch((error) => log.warn('could not delete a handled message; it will be delivered again', errorFields(error))),
        ),
      );
    } catch (error) {
      failedInvocations++;
      log.warn('invocation failed; the batch comes back after its visibility timeout', { queue: options.queue.name, ...errorFields(error) });
    } finally {
      timerDone.abort();
    }
  };

  // One receiving loop hands batches to up to maxConcurrency invocations at once (Lambda
  // scales its pollers with the backlog; one loop keeps DynamoDB Local's load low when idle).
  const running = new Set<Promise<void>>();
  const maxConcurrency = Math.max(1, delivery.maxConcurrency);
  const receiveLoop = (async (): Promise<void> => {
    let failures = 0;
    while (!stopping.signal.aborted) {
      if (running.size >= maxConcurrency) {
        await Promise.race(running);
        continue;
      }
      let messages: QueueMessage[];
      try {
        messages = await options.queue.receive({ maxMessages: delivery.batchSize, waitTimeSec, visibilityTimeoutSec, signal: stopping.signal });
        failures = 0;
      } catch (error) {
        if (stopping.signal.aborted) return;
        // DynamoDB Local unreachable: backs off in real time (no AWS promise is involved).
        log.warn('event source could not receive; backing off', { queue: options.queue.name, ...errorFields(error) });
        await sleep(backoffDelayMs(failures++, { baseMs: 200, maxMs: 5000 }), stopping.signal);
        continue;
      }
      if (messages.length === 0) continue;
      const invocation = invoke(messages).finally(() => running.delete(invocation));
      running.add(invocation);
    }
  })();

  return {
    get invocations() {
      return invocations;
    },
    get failedInvocations() {
      return failedInvocations;
    },
    get inFlight() {
      return running.size;
    },
    /** Stops receiving and waits for the invocations that are running. */
    async stop() {
      stopping.abort();
      await receiveLoop;
      await Promise.all(running);
    },
  };
}
