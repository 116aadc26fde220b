import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { startQueueConsumer, type QueueConsumer } from '../lib/queue/queue-consumer';
import type { Queue } from '../lib/queue/queue';
import { systemClock } from '../lib/webhooks/clock';
import { readWebhookSettings } from '../lib/webhooks/config';
import { deliverWebhookMessage, type DeliveryWorkerDependencies } from '../lib/webhooks/deliver';
import { lazily, tableFromEnv } from '../lib/webhooks/environment';
import { postWebhook } from '../lib/webhooks/http-sender';
import { secretSealerFromEnv } from '../lib/webhooks/kms-sealer';
import { powertoolsWebhookLog } from '../lib/webhooks/log';
import { webhookQueues } from '../lib/webhooks/queues';
import { cachedOpener } from '../lib/webhooks/secret-sealer';
import { systemResolver } from '../lib/webhooks/ssrf-guard';

/**
 * SQS → Lambda: each record is one attempt (or one hop towards it), handled side by side.
 * A record whose handling threw (table or queue trouble, a malformed message) is reported as
 * a batch item failure: SQS shows it again, then parks it in the queue's DLQ.
 */
export function createDeliveryHandler(deps: DeliveryWorkerDependencies | (() => DeliveryWorkerDependencies)) {
  const get = typeof deps === 'function' ? deps : () => deps;
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const dependencies = get();
    const results = await Promise.allSettled(event.Records.map((record) => deliverWebhookMessage(dependencies, record.body)));
    const batchItemFailures = results.flatMap((result, index) => {
      if (result.status === 'fulfilled') return [];
      const record = event.Records[index]!;
      dependencies.log.error('webhook message failed; SQS will show it again', { messageId: record.messageId, error: String(result.reason) });
      return [{ itemIdentifier: record.messageId }];
    });
    return { batchItemFailures };
  };
}

export interface DeliveryWorkerOptions {
  /** The queue to consume: the same one deps.queue sends to. */
  queue: Queue;
  deps: DeliveryWorkerDependencies;
  /** @default 10 */
  concurrency?: number;
  /** @default 5 */
  waitTimeSec?: number;
}

/**
 * The local stack's delivery worker: the same handling as the Lambda, fed by a long-polling
 * consumer of the local webhook queue. A message whose handling throws comes back after its
 * visibility timeout (longer than one attempt's 15 s) and goes to the DLQ after the queue's
 * receive limit.
 */
export function startWebhookDeliveryWorker(options: DeliveryWorkerOptions): QueueConsumer {
  return startQueueConsumer({
    queue: options.queue,
    concurrency: options.concurrency ?? 10,
    waitTimeSec: options.waitTimeSec ?? 5,
    visibilityTimeoutSec: Math.ceil(options.deps.settings.timeoutMs / 1000) + 45,
    retryDelaySec: (receiveCount) => Math.min(60, 2 ** receiveCount),
    handle: async (message) => {
      await deliverWebhookMessage(options.deps, message.body);
    },
  });
}

const processDependencies = lazily((): DeliveryWorkerDependencies => {
  const log = powertoolsWebhookLog('lightning-payments-webhook-delivery');
  const queues = webhookQueues(log);
  return {
    table: tableFromEnv(),
    queue: queues.deliveries,
    deadLetters: queues.deadLetters,
    clock: systemClock,
    random: Math.random,
    settings: readWebhookSettings(),
    resolve: systemResolver,
    send: postWebhook,
    log,
    secrets: cachedOpener(secretSealerFromEnv()),
  };
});

/** Lambda entry point (SQS event source with ReportBatchItemFailures). */
export const handler = createDeliveryHandler(processDependencies);
