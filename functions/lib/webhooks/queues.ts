import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { SqsQueue } from '../queue/sqs-queue';
import { parseEnv, queueUrlVariable } from '../runtime/env';
import type { Log } from '../runtime/log';
import type { QueueSender } from './series';

/** Where webhook deliveries are queued, and where the ones that failed for good are parked. */
export interface WebhookQueues {
  deliveries: QueueSender;
  deadLetters: QueueSender;
}

/** Queue names the local stack uses (LocalQueues); SQS names come from the CDK stack. */
export const LOCAL_WEBHOOK_QUEUE = 'webhook-deliveries';

const envSchema = z.object({
  WEBHOOK_QUEUE_URL: queueUrlVariable('WEBHOOK_QUEUE_URL', 'the webhook delivery queue'),
  WEBHOOK_DLQ_URL: queueUrlVariable('WEBHOOK_DLQ_URL', 'the webhook dead-letter queue').optional(),
});

let configured: WebhookQueues | undefined;
let fromEnv: WebhookQueues | undefined;

/**
 * The local stack (and tests) hand their queues in here; in AWS they come from the
 * environment. Used by the routes that enqueue (redeliver), whose dependencies are the
 * API's and know nothing of queues.
 */
export function useWebhookQueues(queues: WebhookQueues | undefined): void {
  configured = queues;
}

export function webhookQueues(log: Log, env: NodeJS.ProcessEnv = process.env): WebhookQueues {
  if (configured) return configured;
  fromEnv ??= webhookQueuesFromEnv(log, env);
  return fromEnv;
}

/**
 * SQS from WEBHOOK_QUEUE_URL (and WEBHOOK_DLQ_URL). Without a DLQ URL a delivery that failed
 * for good is only logged as an error: its `failed` state in the table is what matters,
 * and the queue's own redrive still parks messages the worker could not handle.
 */
export function webhookQueuesFromEnv(log: Log, env: NodeJS.ProcessEnv = process.env): WebhookQueues {
  const vars = parseEnv(envSchema, env);
  const client = new SQSClient({});
  const deliveries = new SqsQueue(client, vars.WEBHOOK_QUEUE_URL);
  const deadLetters: QueueSender = vars.WEBHOOK_DLQ_URL
    ? new SqsQueue(client, vars.WEBHOOK_DLQ_URL)
    : { send: async (body) => log.error('webhook delivery failed for good (no WEBHOOK_DLQ_URL to park it in)', { dead_letter: JSON.parse(body) as unknown }) };
  return { deliveries, deadLetters };
}
