import { Entity, keys } from '../table/keys';

export const LedgerEntryType = {
  deposit: 'deposit',
  withdrawal: 'withdrawal',
  feeReserve: 'fee_reserve',
  feeRefund: 'fee_refund',
  withdrawalRefund: 'withdrawal_refund',
  transferIn: 'transfer_in',
  transferOut: 'transfer_out',
} as const;
export type LedgerEntryType = (typeof LedgerEntryType)[keyof typeof LedgerEntryType];

export interface LedgerEntryItem {
  pk: string;
  sk: string;
  entity: typeof Entity.ledgerEntry;
  id: string;
  account_id: string;
  merchant_id: string;
  type: LedgerEntryType;
  /** Signed: credits positive, debits negative. */
  amount_msat: number;
  reference_id: string;
  created_at: string;
}

export interface LedgerEntry {
  id: string;
  account_id: string;
  type: LedgerEntryType;
  amount_msat: number;
  reference_id: string;
  created_at: string;
}

export function toLedgerEntry(item: LedgerEntryItem): LedgerEntry {
  return {
    id: item.id,
    account_id: item.account_id,
    type: item.type,
    amount_msat: item.amount_msat,
    reference_id: item.reference_id,
    created_at: item.created_at,
  };
}

export function newLedgerEntryItem(input: {
  id: string;
  accountId: string;
  merchantId: string;
  type: LedgerEntryType;
  amountMsat: number;
  referenceId: string;
  createdAt: string;
}): LedgerEntryItem {
  return {
    ...keys.ledgerEntry(input.accountId, input.id),
    entity: Entity.ledgerEntry,
    id: input.id,
    account_id: input.accountId,
    merchant_id: input.merchantId,
    type: input.type,
    amount_msat: input.amountMsat,
    reference_id: input.referenceId,
    created_at: input.createdAt,
  };
}
