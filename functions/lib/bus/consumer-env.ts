import { z } from 'zod';
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
