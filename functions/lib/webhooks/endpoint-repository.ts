import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError } from '../errors';
import { IdPrefix } from '../ids';
import type { Table } from '../table/client';
import { findObject } from '../table/find';
import { Entity, keys, ListKind, merchantListKey } from '../table/keys';
import { listMerchantObjects } from '../table/merchant-lists';
import type { Page } from '../table/page';
import { queryAll } from '../table/query-all';
import type { TransactItem } from '../table/transact';
import { EndpointStatus, type WebhookEndpointItem } from './endpoint';

/**
 * The webhook endpoint item's one owner: its reads, its list, and every write with the state
 * it expects (newWebhookEndpointItem in endpoint.ts builds the new item for this module and
 * for seeds). Created enabled; disabled when its receiver answers 410 Gone; deleted by its
 * merchant; its legacy plaintext secret sealed once.
 */

const isNew = 'attribute_not_exists(pk)';
const exists = 'attribute_exists(pk)';
const belongsToMerchant = 'attribute_exists(pk) AND merchant_id = :merchantId';
// Only the plaintext we sealed: never overwrite what another writer put there since.
const stillHasPlaintext = 'secret = :plaintext AND merchant_id = :merchantId';

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

/** A page of the merchant's endpoints, newest first. */
export function listWebhookEndpoints(table: Table, request: { merchantId: string; limit: number; cursor: string | undefined }): Promise<Page<WebhookEndpointItem>> {
  return listMerchantObjects<WebhookEndpointItem>(table, {
    merchantId: request.merchantId,
    kind: ListKind.webhookEndpoints,
    idPrefix: IdPrefix.webhookEndpoint,
    keyOf: keys.webhookEndpoint,
    limit: request.limit,
    cursor: request.cursor,
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
      ConditionExpression: exists,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':disabled': EndpointStatus.disabled, ':at': at.toISOString() },
    },
  };
}

/**
 * Endpoints written before secrets were sealed (they still hold a plaintext `secret`), one
 * Scan page at a time: endpoints live under their own keys, not one per-merchant query away.
 */
export async function* legacyPlaintextEndpoints(table: Table): AsyncGenerator<WebhookEndpointItem[]> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.doc.send(
      new ScanCommand({
        TableName: table.name,
        FilterExpression: 'entity = :entity AND attribute_exists(secret)',
        ExpressionAttributeValues: { ':entity': Entity.webhookEndpoint },
        ExclusiveStartKey: startKey,
        ConsistentRead: true,
      }),
    );
    yield (page.Items ?? []) as WebhookEndpointItem[];
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/**
 * Replaces the endpoint's plaintext secret by `sealedSecret`, only while it still holds the
 * plaintext that was read: 'changed' when it was changed or deleted meanwhile (left as it is).
 */
export async function sealEndpointSecret(table: Table, endpoint: WebhookEndpointItem, sealedSecret: string): Promise<'sealed' | 'changed'> {
  try {
    await table.doc.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.webhookEndpoint(endpoint.id),
        UpdateExpression: 'SET sealed_secret = :sealed REMOVE secret',
        ConditionExpression: stillHasPlaintext,
        ExpressionAttributeValues: { ':sealed': sealedSecret, ':plaintext': endpoint.secret, ':merchantId': endpoint.merchant_id },
      }),
    );
    return 'sealed';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return 'changed';
    throw error;
  }
}
