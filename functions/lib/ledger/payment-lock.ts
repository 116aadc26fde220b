import type { Table } from '../table/client';
import { Entity, keys } from '../table/keys';
import type { TransactItem } from '../table/transact';

/** A payment hash is paid at most once by the service (invariant 4). */
export const PaymentLockState = {
  /** A withdrawal of this hash is pending or in flight. */
  held: 'held',
  succeeded: 'succeeded',
  /** The last withdrawal failed: the hash may be tried again. */
  released: 'released',
} as const;
export type PaymentLockState = (typeof PaymentLockState)[keyof typeof PaymentLockState];

const lockIsFree = 'attribute_not_exists(pk) OR #state = :released';
const lockIsHeldByWithdrawal = 'withdrawal_id = :withdrawalId';

export function takePaymentLock(
  table: Table,
  input: { paymentHash: string; withdrawalId: string; state: PaymentLockState; at: Date },
): TransactItem {
  return {
    Put: {
      TableName: table.name,
      Item: {
        ...keys.paymentLock(input.paymentHash),
        entity: Entity.paymentLock,
        payment_hash: input.paymentHash,
        withdrawal_id: input.withdrawalId,
        state: input.state,
        updated_at: input.at.toISOString(),
      },
      ConditionExpression: lockIsFree,
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':released': PaymentLockState.released },
    },
  };
}

export function setPaymentLockState(
  table: Table,
  input: { paymentHash: string; withdrawalId: string; state: PaymentLockState; at: Date },
): TransactItem {
  return {
    Update: {
      TableName: table.name,
      Key: keys.paymentLock(input.paymentHash),
      UpdateExpression: 'SET #state = :state, updated_at = :at',
      ConditionExpression: lockIsHeldByWithdrawal,
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':state': input.state, ':at': input.at.toISOString(), ':withdrawalId': input.withdrawalId },
    },
  };
}
