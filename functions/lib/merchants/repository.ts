import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../table/client';
import { keys } from '../table/keys';
import type { ApiKeyItem, MerchantItem } from './merchant';
import { ALL_MERCHANTS } from './merchant';
import { queryAll } from '../table/query-all';

/**
 * The key's record by its hash, or undefined: keys are only ever looked up hashed. Strongly
 * consistent, so a key rotated or revoked a moment ago is refused at once.
 */
export async function findApiKey(table: Table, keyHash: string): Promise<ApiKeyItem | undefined> {
  const { Item } = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.apiKey(keyHash), ConsistentRead: true }));
  return Item as ApiKeyItem | undefined;
}

export async function findMerchant(table: Table, merchantId: string): Promise<MerchantItem | undefined> {
  const { Item } = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.merchant(merchantId), ConsistentRead: true }));
  return Item as MerchantItem | undefined;
}

/** Every merchant, oldest first (for the operator; the API never lists merchants). */
export async function listMerchants(table: Table): Promise<MerchantItem[]> {
  return queryAll<MerchantItem>(table, {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :merchants',
    ExpressionAttributeValues: { ':merchants': ALL_MERCHANTS },
  });
}
