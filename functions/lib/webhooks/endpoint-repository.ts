import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError } from '../errors';
import type { Table } from '../table/client';
import { findObject } from '../table/find';
import { keys, ListKind, merchantListKey } from '../table/keys';
import type { TransactItem } from '../table/transact';
import { EndpointStatus, type WebhookEndpointItem } from './endpoint';
import { queryAll } from '../table/query-all';

const isNew = 'attribute_not_exists(pk)';
const belongsToMerchant = 'attribute_exists(pk) AND merchant_id = :merchantId';

export async function insertWebhookEndpoint(table: Table, item: WebhookEndpointItem): Promise<void> {
  await table.doc.send(new PutCommand({ TableName: table.name, Item: item, ConditionExpression: isNew }));
}

export async function findWebhookEndpoint(table: Table, endpointId: string): Promise<WebhookEndpointItem | undefined> {
  return findObject<WebhookEndpointItem>(table, keys.webhookEndpoint(endpointId));
}

/** The merchant's endpoint, or 404, identically for a missing id and another merchant's. */
export async function getWebhookEndpoint(table: Table, merchantId: string, endpointId: string, param?: string): Promise<WebhookEndpointItem> {
  const item = await findWebhookEndpoint(table, endpointId);
  if (!item || item.merchant_id !== merchantId) throw new NotFoundError(`No such webhook endpoint: ${endpointId}`, param ? { param } : undefined);
  return item;
}

/** Every endpoint of the merchant (at most MAX_ENDPOINTS_PER_MERCHANT, give or take a race). */
export async function allWebhookEndpoints(table: Table, merchantId: string): Promise<WebhookEndpointItem[]> {
  const { gsi1pk } = merchantListKey(merchantId, ListKind.webhookEndpoints, '');
  return queryAll<WebhookEndpointItem>(table, {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :gsi1pk',
    ExpressionAttributeValues: { ':gsi1pk': gsi1pk },
  });
}

/** Deletes the merchant's endpoint; 404 when it is missing or another merchant's. */
export async function deleteWebhookEndpoint(table: Table, merchantId: string, endpointId: string): Promise<void> {
  try {
    await table.doc.send(
      new DeleteCommand({
        TableName: table.name,
        Key: keys.webhookEndpoint(endpointId),
        ConditionExpression: belongsToMerchant,
        ExpressionAttributeValues: { ':merchantId': merchantId },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new NotFoundError(`No such webhook endpoint: ${endpointId}`);
    throw error;
  }
}

/** The receiver answered 410 Gone: no further deliveries go to this endpoint. */
export function disableWebhookEndpoint(table: Table, endpointId: string, at: Date): TransactItem {
  return {
    Update: {
      TableName: table.name,
      Key: keys.webhookEndpoint(endpointId),
      UpdateExpression: 'SET #status = :disabled, disabled_at = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':disabled': EndpointStatus.disabled, ':at': at.toISOString() },
    },
  };
}
