import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { ConfigError } from '../config';
import { SqsQueue } from '../queue/sqs-queue';
import type { WebhookLog } from './log';
import type { QueueSender } from './series';

/** Where webhook deliveries are queued, and where the ones that failed for good are parked. */
export interface WebhookQueues {
  deliveries: QueueSender;
  deadLetters: QueueSender;
}

/** Queue names the local stack uses (LocalQueues); SQS names come from the CDK stack. */
export const LOCAL_WEBHOOK_QUEUE = 'webhook-deliveries';

const envSchema = z.object({
  WEBHOOK_QUEUE_URL: z.url('WEBHOOK_QUEUE_URL must be the URL of the webhook delivery queue'),
  WEBHOOK_DLQ_URL: z.url('WEBHOOK_DLQ_URL must be the URL of the webhook dead-letter queue').optional(),
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

export function webhookQueues(log: WebhookLog, env: NodeJS.ProcessEnv = process.env): WebhookQueues {
  if (configured) return configured;
  fromEnv ??= webhookQueuesFromEnv(log, env);
  return fromEnv;
}

/**
 * SQS from WEBHOOK_QUEUE_URL (and WEBHOOK_DLQ_URL). Without a DLQ URL a delivery that failed
 * for good is only logged as an error: its `failed` state in the table is what matters,
 * and the queue's own redrive still parks messages the worker could not handle.
 */
export function webhookQueuesFromEnv(log: WebhookLog, env: NodeJS.ProcessEnv = process.env): WebhookQueues {
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== '')));
  if (!parsed.success) throw new ConfigError(`Invalid configuration: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  const client = new SQSClient({});
  const deliveries = new SqsQueue(client, parsed.data.WEBHOOK_QUEUE_URL);
  const deadLetters: QueueSender = parsed.data.WEBHOOK_DLQ_URL
    ? new SqsQueue(client, parsed.data.WEBHOOK_DLQ_URL)
    : { send: async (body) => log.error('webhook delivery failed for good (no WEBHOOK_DLQ_URL to park it in)', { dead_letter: JSON.parse(body) as unknown }) };
  return { deliveries, deadLetters };
}
