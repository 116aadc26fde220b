import { newAccountItem } from '../accounts/account';
import { IdPrefix, newId } from '../ids';
import { putNew } from '../ledger/writes';
import type { Table } from '../table/client';
import { transactWrite } from '../table/transact';
import { ApiKeyKind, hashApiKey, newApiKey } from './api-key';
import { newApiKeyItem, newMerchantItem } from './merchant';

export interface CreatedMerchant {
  merchant_id: string;
  default_account_id: string;
  /** Shown once; only hashes are stored. */
  secret_key: string;
  invoice_key: string;
}

/** A merchant with its default account and both API keys, all or nothing. */
export async function createMerchant(table: Table, input: { name: string; now?: Date }): Promise<CreatedMerchant> {
  const now = input.now ?? new Date();
  const createdAt = now.toISOString();
  const merchantId = newId(IdPrefix.merchant, now.getTime());
  const accountId = newId(IdPrefix.account, now.getTime());
  const secretKey = newApiKey(ApiKeyKind.secret);
  const invoiceKey = newApiKey(ApiKeyKind.invoice);
  await transactWrite(table, [
    putNew(
      table,
      newMerchantItem({
        id: merchantId,
        name: input.name,
        defaultAccountId: accountId,
        secretKeyHash: hashApiKey(secretKey),
        invoiceKeyHash: hashApiKey(invoiceKey),
        createdAt,
      }),
    ),
    putNew(table, newAccountItem({ id: accountId, merchantId, label: 'default', createdAt })),
    putNew(table, newApiKeyItem({ keyHash: hashApiKey(secretKey), merchantId, kind: ApiKeyKind.secret, createdAt })),
    putNew(table, newApiKeyItem({ keyHash: hashApiKey(invoiceKey), merchantId, kind: ApiKeyKind.invoice, createdAt })),
  ]);
  return { merchant_id: merchantId, default_account_id: accountId, secret_key: secretKey, invoice_key: invoiceKey };
}
