import { Entity, keys } from '../table/keys';
import type { ApiKeyKind } from './api-key';

export interface MerchantItem {
  pk: string;
  sk: string;
  entity: typeof Entity.merchant;
  id: string;
  name: string;
  default_account_id: string;
  secret_key_hash: string;
  invoice_key_hash: string;
  created_at: string;
  gsi1pk: string;
  gsi1sk: string;
}

export interface ApiKeyItem {
  pk: string;
  sk: string;
  entity: typeof Entity.apiKey;
  merchant_id: string;
  kind: ApiKeyKind;
  created_at: string;
}

/** gsi1 partition listing every merchant, for the operator's merchant:list. */
export const ALL_MERCHANTS = 'MERCHANTS';

export function newMerchantItem(input: {
  id: string;
  name: string;
  defaultAccountId: string;
  secretKeyHash: string;
  invoiceKeyHash: string;
  createdAt: string;
}): MerchantItem {
  return {
    ...keys.merchant(input.id),
    entity: Entity.merchant,
    id: input.id,
    name: input.name,
    default_account_id: input.defaultAccountId,
    secret_key_hash: input.secretKeyHash,
    invoice_key_hash: input.invoiceKeyHash,
    created_at: input.createdAt,
    gsi1pk: ALL_MERCHANTS,
    gsi1sk: input.id,
  };
}

export function newApiKeyItem(input: { keyHash: string; merchantId: string; kind: ApiKeyKind; createdAt: string }): ApiKeyItem {
  return {
    ...keys.apiKey(input.keyHash),
    entity: Entity.apiKey,
    merchant_id: input.merchantId,
    kind: input.kind,
    created_at: input.createdAt,
  };
}
