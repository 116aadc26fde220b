import { Entity, keys, ListKind, merchantListKey } from '../table/keys';

export interface AccountItem {
  pk: string;
  sk: string;
  entity: typeof Entity.account;
  id: string;
  merchant_id: string;
  external_id: string | null;
  label: string | null;
  balance_msat: number;
  created_at: string;
  gsi1pk: string;
  gsi1sk: string;
}

export interface Account {
  id: string;
  external_id: string | null;
  label: string | null;
  balance_msat: number;
  created_at: string;
}

export function newAccountItem(input: { id: string; merchantId: string; externalId?: string | null; label?: string | null; createdAt: string }): AccountItem {
  return {
    ...keys.account(input.id),
    entity: Entity.account,
    id: input.id,
    merchant_id: input.merchantId,
    external_id: input.externalId ?? null,
    label: input.label ?? null,
    balance_msat: 0,
    created_at: input.createdAt,
    ...merchantListKey(input.merchantId, ListKind.accounts, input.id),
  };
}

export function toAccount(item: AccountItem): Account {
  return {
    id: item.id,
    external_id: item.external_id,
    label: item.label,
    balance_msat: item.balance_msat,
    created_at: item.created_at,
  };
}
