import { DynamoDBClient, ResourceNotFoundException, ScanCommand, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { fromDynamoDbJson } from './dynamodb-json';
import { InputError } from './errors';
import type { ItemBatch, ItemSource } from './sources/item-source';
import { presentEnv } from '../functions/lib/runtime/env';

const envSchema = z.object({
  DYNAMODB_ENDPOINT: z.url('DYNAMODB_ENDPOINT must be a URL such as http://127.0.0.1:8000').optional(),
  DYNAMODB_LOCAL_PORT: z
    .string()
    .regex(/^\d{1,5}$/, 'DYNAMODB_LOCAL_PORT must be a port number')
    .optional(),
});

/**
 * Where to reach the table, as the admin CLI does: DYNAMODB_ENDPOINT, else DynamoDB Local
 * on 127.0.0.1:DYNAMODB_LOCAL_PORT, else AWS through the SDK's usual chain.
 */
export function dynamoDbClientConfig(env: NodeJS.ProcessEnv, region?: string): DynamoDBClientConfig {
  const present = presentEnv(env);
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) throw new InputError(parsed.error.issues.map((issue) => issue.message).join('; '));
  const endpoint = parsed.data.DYNAMODB_ENDPOINT ?? (parsed.data.DYNAMODB_LOCAL_PORT ? `http://127.0.0.1:${parsed.data.DYNAMODB_LOCAL_PORT}` : undefined);
  if (endpoint === undefined) return region ? { region } : {};
  const isLocal = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\/?$/.test(endpoint);
  return {
    endpoint,
    region: region ?? env.AWS_REGION ?? 'us-east-1',
    // DynamoDB Local accepts any credentials, but the SDK insists on some.
    ...(isLocal && !env.AWS_ACCESS_KEY_ID ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  };
}

/**
 * Scans a live table page by page. Unlike an export this is not a snapshot: money that
 * moves during the scan can show as a mismatch between an account read before a transaction
 * and its entries read after it. Reconcile from exports; scan a quiet table (or DynamoDB Local).
 */
export class TableItemSource implements ItemSource {
  readonly description: string;
  readonly asOf: string;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    now: Date = new Date(),
  ) {
    this.asOf = now.toISOString();
    this.description = `table ${tableName} (live scan started ${this.asOf})`;
  }

  async *batches(): AsyncGenerator<ItemBatch> {
    let startKey: ScanCommand['input']['ExclusiveStartKey'];
    let page = 0;
    do {
      page++;
      let result;
      try {
        result = await this.client.send(new ScanCommand({ TableName: this.tableName, ExclusiveStartKey: startKey, ConsistentRead: true }));
      } catch (error) {
        if (error instanceof ResourceNotFoundException) throw new InputError(`table ${this.tableName} does not exist`, { cause: error });
        throw new InputError(`cannot scan table ${this.tableName}: ${(error as Error).message}`, { cause: error });
      }
      const items = result.Items ?? [];
      yield {
        file: `table ${this.tableName} scan page ${page}`,
        size: items.length,
        lineOf: (index) => index + 1,
        itemAt: (index) => fromDynamoDbJson(items[index]!),
      };
      startKey = result.LastEvaluatedKey;
    } while (startKey);
  }

  completeness(): undefined {
    return undefined;
  }
}
