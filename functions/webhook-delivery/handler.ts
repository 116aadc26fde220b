import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { systemClock } from '../lib/runtime/clock';
import { lazily, tableFromEnv } from '../lib/runtime/env';
import { powertoolsLog } from '../lib/runtime/log';
import { readWebhookSettings } from '../lib/webhooks/config';
import { deliverWebhookMessage, type DeliveryWorkerDependencies } from '../lib/webhooks/deliver';
import { postWebhook } from '../lib/webhooks/http-sender';
import { secretSealerFromEnv } from '../lib/webhooks/kms-sealer';
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

const processDependencies = lazily((): DeliveryWorkerDependencies => {
  const log = powertoolsLog('lightning-payments-webhook-delivery');
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
