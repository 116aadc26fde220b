import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { SqsQueue } from '../queue/sqs-queue';
import { createTable, type Table } from '../table/client';

const consumerEnvSchema = z.object({
  TABLE_NAME: z.string().min(1, 'TABLE_NAME must name the DynamoDB table'),
  DYNAMODB_ENDPOINT: z.url('DYNAMODB_ENDPOINT must be a URL such as http://127.0.0.1:8000').optional(),
});

/** The table of a ledger consumer Lambda, from its environment, checked when the module loads. */
export function consumerTableFromEnv(env: NodeJS.ProcessEnv = process.env): Table {
  const parsed = consumerEnvSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')));
  if (!parsed.success) throw new Error(`Invalid configuration: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  return createTable(parsed.data.TABLE_NAME, parsed.data.DYNAMODB_ENDPOINT ? { endpoint: parsed.data.DYNAMODB_ENDPOINT } : {});
}

const deadLetterEnvSchema = z.object({ DEAD_LETTER_QUEUE_URL: z.url('DEAD_LETTER_QUEUE_URL must be the URL of the consumer queue\'s DLQ') });

/** The DLQ of a bus consumer's queue, where records that can never succeed are parked with their data. */
export function consumerDeadLettersFromEnv(env: NodeJS.ProcessEnv = process.env): SqsQueue {
  const parsed = deadLetterEnvSchema.safeParse(env);
  if (!parsed.success) throw new Error(`Invalid configuration: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  return new SqsQueue(new SQSClient({}), parsed.data.DEAD_LETTER_QUEUE_URL);
}
