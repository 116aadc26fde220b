import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../table/client';
import { Entity, keys } from '../table/keys';
import { endpointSecretContext, type WebhookEndpointItem } from './endpoint';
import type { SecretSealer } from './secret-sealer';

export interface SealLegacySecretsResult {
  /** Endpoints whose plaintext secret was sealed now. */
  sealed: string[];
  /** Endpoints changed or deleted while we worked: left as they are. */
  skipped: string[];
}

/**
 * The migration for endpoints written before secrets were sealed: each plaintext `secret`
 * becomes `sealed_secret` (same secret, so receivers keep verifying) and the plaintext
 * attribute is removed. An operator runs it once after deploying (admin
 * `webhooks:seal-secrets`); it is safe to run again, and to run while deliveries go on.
 * Why not on read: the delivery function may only decrypt, never encrypt.
 *
 * A one-off Scan (endpoints live under their own keys, not one per-merchant query away).
 */
export async function sealLegacyWebhookSecrets(table: Table, sealer: SecretSealer): Promise<SealLegacySecretsResult> {
  const result: SealLegacySecretsResult = { sealed: [], skipped: [] };
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
    for (const item of (page.Items ?? []) as WebhookEndpointItem[]) {
      const sealed = await sealer.seal(item.secret!, endpointSecretContext({ merchantId: item.merchant_id, endpointId: item.id }));
      try {
        await table.doc.send(
          new UpdateCommand({
            TableName: table.name,
            Key: keys.webhookEndpoint(item.id),
            UpdateExpression: 'SET sealed_secret = :sealed REMOVE secret',
            // Only the secret we sealed: never overwrite what another writer put there.
            ConditionExpression: 'secret = :plaintext AND merchant_id = :merchantId',
            ExpressionAttributeValues: { ':sealed': sealed, ':plaintext': item.secret, ':merchantId': item.merchant_id },
          }),
        );
        result.sealed.push(item.id);
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        result.skipped.push(item.id);
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return result;
}
