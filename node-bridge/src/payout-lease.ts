import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../../functions/lib/table/client';
import { keys } from '../../functions/lib/table/keys';
import { WithdrawalStatus, type WithdrawalItem } from '../../functions/lib/withdrawals/withdrawal';

/**
 * The right to call SendPaymentV2 for one withdrawal, held by one payout handler at a
 * time: `payout_lease_token` and `payout_lease_until` (epoch ms) on the withdrawal item.
 * It moves no money and changes no status; it closes the window between "the node knows
 * no payment for this hash" and the node registering ours, in which a duplicate message
 * handled elsewhere could otherwise send a second payment.
 */
const leaseIsFree =
  '#status IN (:pending, :inFlight) AND (attribute_not_exists(payout_lease_until) OR payout_lease_until < :now OR payout_lease_token = :token)';
const leaseIsOurs = '#status IN (:pending, :inFlight) AND payout_lease_token = :token';

export type LeaseResult = 'taken' | 'busy' | 'final';

export async function readWithdrawal(table: Table, withdrawalId: string): Promise<WithdrawalItem | undefined> {
  const { Item } = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.withdrawal(withdrawalId), ConsistentRead: true }));
  return Item as WithdrawalItem | undefined;
}

export function isFinal(withdrawal: WithdrawalItem): boolean {
  return withdrawal.status === WithdrawalStatus.succeeded || withdrawal.status === WithdrawalStatus.failed;
}

async function writeLease(table: Table, withdrawalId: string, token: string, leaseMs: number, condition: string): Promise<LeaseResult> {
  const now = Date.now();
  try {
    await table.doc.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.withdrawal(withdrawalId),
        UpdateExpression: 'SET payout_lease_token = :token, payout_lease_until = :until',
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':token': token,
          ':until': now + leaseMs,
          ...(condition.includes(':now') ? { ':now': now } : {}),
          ':pending': WithdrawalStatus.pending,
          ':inFlight': WithdrawalStatus.inFlight,
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return 'taken';
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const old = error.Item as { status?: { S?: string } } | undefined;
    const status = old?.status?.S;
    return status === WithdrawalStatus.pending || status === WithdrawalStatus.inFlight ? 'busy' : 'final';
  }
}

/** Takes the lease if nobody holds it (or it ran out); 'final' when the withdrawal is already done. */
export function takeSendLease(table: Table, withdrawalId: string, token: string, leaseMs: number): Promise<LeaseResult> {
  return writeLease(table, withdrawalId, token, leaseMs, leaseIsFree);
}

/** Renews a lease we hold; 'busy' means it was lost (it ran out and someone else took it). */
export function renewSendLease(table: Table, withdrawalId: string, token: string, leaseMs: number): Promise<LeaseResult> {
  return writeLease(table, withdrawalId, token, leaseMs, leaseIsOurs);
}
