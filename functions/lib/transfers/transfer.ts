import { Entity, keys, ListKind, merchantListKey } from '../table/keys';

export interface TransferItem {
  pk: string;
  sk: string;
  entity: typeof Entity.transfer;
  id: string;
  merchant_id: string;
  from_account_id: string;
  to_account_id: string;
  amount_msat: number;
  memo: string | null;
  created_at: string;
  gsi1pk: string;
  gsi1sk: string;
}

export interface Transfer {
  id: string;
  from_account_id: string;
  to_account_id: string;
  amount_msat: number;
  memo: string | null;
  created_at: string;
}

export function newTransferItem(input: {
  id: string;
  merchantId: string;
  fromAccountId: string;
  toAccountId: string;
  amountMsat: number;
  memo?: string | null;
  createdAt: string;
}): TransferItem {
  return {
    ...keys.transfer(input.id),
    entity: Entity.transfer,
    id: input.id,
    merchant_id: input.merchantId,
    from_account_id: input.fromAccountId,
    to_account_id: input.toAccountId,
    amount_msat: input.amountMsat,
    memo: input.memo ?? null,
    created_at: input.createdAt,
    ...merchantListKey(input.merchantId, ListKind.transfers, input.id),
  };
}

export function toTransfer(item: TransferItem): Transfer {
  return {
    id: item.id,
    from_account_id: item.from_account_id,
    to_account_id: item.to_account_id,
    amount_msat: item.amount_msat,
    memo: item.memo,
    created_at: item.created_at,
  };
}
