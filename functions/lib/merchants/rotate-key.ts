import { NotFoundError } from '../errors';
import type { Table } from '../table/client';
import { keys } from '../table/keys';
import { TransactionRefusedError, transactWrite } from '../table/transact';
import { putNew } from '../ledger/writes';
import { ApiKeyKind, hashApiKey, newApiKey } from './api-key';
import { newApiKeyItem, type MerchantItem } from './merchant';
import { findMerchant } from './repository';

export class KeyRotationConflictError extends Error {
  constructor(merchantId: string) {
    super(`the ${merchantId} key changed while rotating; run the rotation again`);
    this.name = 'KeyRotationConflictError';
  }
}

/**
 * Replaces one of a merchant's keys in one transaction: the new key's item is created,
 * the old one deleted, and the merchant's hash swapped under the condition that it is
 * still the old one, so two rotations at once cannot leave two live keys. The old key
 * stops working the moment this returns. The new key is shown here only.
 */
export async function rotateApiKey(table: Table, input: { merchantId: string; kind: ApiKeyKind; now?: Date }): Promise<string> {
  const merchant = await findMerchant(table, input.merchantId);
  if (!merchant) throw new NotFoundError(`No such merchant: ${input.merchantId}`);
  const hashField: keyof MerchantItem = input.kind === ApiKeyKind.secret ? 'secret_key_hash' : 'invoice_key_hash';
  const oldHash = merchant[hashField];
  const key = newApiKey(input.kind);
  const newHash = hashApiKey(key);
  const createdAt = (input.now ?? new Date()).toISOString();
  try {
    await transactWrite(table, [
      {
        Update: {
          TableName: table.name,
          Key: keys.merchant(input.merchantId),
          UpdateExpression: 'SET #hash = :new',
          ConditionExpression: '#hash = :old',
          ExpressionAttributeNames: { '#hash': hashField },
          ExpressionAttributeValues: { ':new': newHash, ':old': oldHash },
        },
      },
      putNew(table, newApiKeyItem({ keyHash: newHash, merchantId: input.merchantId, kind: input.kind, createdAt })),
      {
        Delete: {
          TableName: table.name,
          Key: keys.apiKey(oldHash),
          ConditionExpression: 'merchant_id = :merchantId',
          ExpressionAttributeValues: { ':merchantId': input.merchantId },
        },
      },
    ]);
  } catch (error) {
    if (error instanceof TransactionRefusedError) throw new KeyRotationConflictError(input.merchantId);
    throw error;
  }
  return key;
}
