import { Entity, keys, ListKind, merchantListKey, openWithdrawalWorkKey } from '../table/keys';

export const WithdrawalStatus = {
  pending: 'pending',
  inFlight: 'in_flight',
  succeeded: 'succeeded',
  failed: 'failed',
} as const;
export type WithdrawalStatus = (typeof WithdrawalStatus)[keyof typeof WithdrawalStatus];

export const FailureReason = {
  noRoute: 'no_route',
  insufficientBalance: 'insufficient_balance',
  timeout: 'timeout',
  incorrectPaymentDetails: 'incorrect_payment_details',
  error: 'error',
} as const;
export type FailureReason = (typeof FailureReason)[keyof typeof FailureReason];

export interface WithdrawalItem {
  pk: string;
  sk: string;
  entity: typeof Entity.withdrawal;
  id: string;
  merchant_id: string;
  account_id: string;
  status: WithdrawalStatus;
  amount_msat: number;
  fee_reserve_msat: number;
  fee_msat: number | null;
  payment_hash: string;
  bolt11: string;
  preimage: string | null;
  failure_reason: FailureReason | null;
  internal: boolean;
  /**
   * Set with in_flight: payment_index of the FAILED payment (an earlier withdrawal's) the
   * node held for this hash before the bridge sent; 0 when none. Absent: never sent.
   */
  prior_payment_index?: number;
  /** For an internal payment: the invoice of ours it paid. */
  invoice_id?: string;
  /**
   * The node the bridge pays it from (its LIGHTNING_NODES id), recorded with the send lease
   * before anything is sent, when the deployment runs several nodes. Every later look at the
   * payment goes to this node. Absent: the deployment's one node.
   */
  node_id?: string;
  created_at: string;
  completed_at: string | null;
  gsi1pk: string;
  gsi1sk: string;
  gsi2pk?: string;
  gsi2sk?: string;
}

export interface Withdrawal {
  id: string;
  account_id: string;
  status: WithdrawalStatus;
  amount_msat: number;
  fee_reserve_msat: number;
  fee_msat: number | null;
  payment_hash: string;
  preimage: string | null;
  failure_reason: FailureReason | null;
  internal: boolean;
  created_at: string;
  completed_at: string | null;
}

export interface NewWithdrawal {
  id: string;
  merchantId: string;
  accountId: string;
  amountMsat: number;
  feeReserveMsat: number;
  paymentHash: string;
  bolt11: string;
  createdAt: string;
}

export function newWithdrawalItem(input: NewWithdrawal): WithdrawalItem {
  return {
    ...keys.withdrawal(input.id),
    entity: Entity.withdrawal,
    id: input.id,
    merchant_id: input.merchantId,
    account_id: input.accountId,
    status: WithdrawalStatus.pending,
    amount_msat: input.amountMsat,
    fee_reserve_msat: input.feeReserveMsat,
    fee_msat: null,
    payment_hash: input.paymentHash,
    bolt11: input.bolt11,
    preimage: null,
    failure_reason: null,
    internal: false,
    created_at: input.createdAt,
    completed_at: null,
    ...merchantListKey(input.merchantId, ListKind.withdrawals, input.id),
    ...openWithdrawalWorkKey(input.id, input.createdAt),
  };
}

export function toWithdrawal(item: WithdrawalItem): Withdrawal {
  return {
    id: item.id,
    account_id: item.account_id,
    status: item.status,
    amount_msat: item.amount_msat,
    fee_reserve_msat: item.fee_reserve_msat,
    fee_msat: item.fee_msat,
    payment_hash: item.payment_hash,
    preimage: item.preimage,
    failure_reason: item.failure_reason,
    internal: item.internal,
    created_at: item.created_at,
    completed_at: item.completed_at,
  };
}
