import { z } from 'zod';
import { ConfigError } from '../config';
import { createTable, type Table } from '../table/client';

const tableEnvSchema = z.object({
  TABLE_NAME: z.string().min(1, 'TABLE_NAME must name the DynamoDB table'),
  DYNAMODB_ENDPOINT: z.url('DYNAMODB_ENDPOINT must be a URL such as http://127.0.0.1:8000').optional(),
  AWS_REGION: z.string().min(1).optional(),
});

/** The table of a webhook or expiry function, from TABLE_NAME (and DYNAMODB_ENDPOINT locally). */
export function tableFromEnv(env: NodeJS.ProcessEnv = process.env): Table {
  const parsed = tableEnvSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== '')));
  if (!parsed.success) throw new ConfigError(`Invalid configuration: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  return createTable(parsed.data.TABLE_NAME, {
    ...(parsed.data.DYNAMODB_ENDPOINT ? { endpoint: parsed.data.DYNAMODB_ENDPOINT } : {}),
    ...(parsed.data.AWS_REGION ? { region: parsed.data.AWS_REGION } : {}),
  });
}

/** Built once per process; in Lambda at cold start, so bad configuration fails there and not on the first event. */
export function lazily<T>(build: () => T): () => T {
  let value: T | undefined;
  const get = () => (value ??= build());
  if (process.env.AWS_LAMBDA_FUNCTION_NAME) get();
  return get;
}
