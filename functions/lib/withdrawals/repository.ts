import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError } from '../errors';
import { AlreadyAppliedError, PaymentHashMismatchError } from '../ledger/errors';
import type { Table } from '../table/client';
import { findObject } from '../table/find';
import { keys } from '../table/keys';
import type { TransactItem } from '../table/transact';
import { WithdrawalStatus, type WithdrawalItem } from './withdrawal';

/**
 * The withdrawal item's one owner: its reads, and every write with the state it expects.
 * Created by the debit (ledger/debit-withdrawal.ts, from newWithdrawalItem); then
 * pending → in_flight (the bridge, markWithdrawalInFlight), the send lease while pending or
 * in flight (the bridge), and in_flight|pending → succeeded|failed (finishWithdrawalUpdate,
 * inside the ledger's finishing transaction).
 */

const isOpen = '#status IN (:pending, :inFlight)';
const open = { ':pending': WithdrawalStatus.pending, ':inFlight': WithdrawalStatus.inFlight };

/** The merchant's withdrawal, or 404 — identically for a missing id and another merchant's. */
export async function getWithdrawal(table: Table, merchantId: string, withdrawalId: string): Promise<WithdrawalItem> {
  const withdrawal = await findObject<WithdrawalItem>(table, keys.withdrawal(withdrawalId));
  if (!withdrawal || withdrawal.merchant_id !== merchantId) throw new NotFoundError(`No such withdrawal: ${withdrawalId}`);
  return withdrawal;
}

/** A strongly consistent read (the bridge decides whether to pay on it). */
export async function readWithdrawal(table: Table, withdrawalId: string): Promise<WithdrawalItem | undefined> {
  const { Item } = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.withdrawal(withdrawalId), ConsistentRead: true }));
  return Item as WithdrawalItem | undefined;
}

export function isFinal(withdrawal: WithdrawalItem): boolean {
  return withdrawal.status === WithdrawalStatus.succeeded || withdrawal.status === WithdrawalStatus.failed;
}

/** The one read before finishing: the withdrawal exists, is for this hash (when given), and is still open. */
export async function readOpenWithdrawal(table: Table, withdrawalId: string, paymentHash?: string): Promise<WithdrawalItem> {
  const withdrawal = await readWithdrawal(table, withdrawalId);
  if (!withdrawal) throw new NotFoundError(`No such withdrawal: ${withdrawalId}`);
  if (paymentHash !== undefined && withdrawal.payment_hash !== paymentHash) throw new PaymentHashMismatchError(withdrawalId);
  if (!isOpenStatus(withdrawal.status)) throw new AlreadyAppliedError(`withdrawal ${withdrawalId} is already ${withdrawal.status}`, withdrawal);
  return withdrawal;
}

const isOpenStatus = (status: string) => status === WithdrawalStatus.pending || status === WithdrawalStatus.inFlight;

/**
 * pending → in_flight: the bridge is about to hand the payment to the node. Moves no money.
 * `priorPaymentIndex` is the payment_index of the FAILED payment the node held for this
 * hash before we sent (an earlier withdrawal's; 0 when none), written in the same update:
 * a FAILED payment with that index or lower is never this withdrawal's.
 */
export async function markWithdrawalInFlight(table: Table, withdrawalId: string, priorPaymentIndex = 0): Promise<void> {
  if (!Number.isSafeInteger(priorPaymentIndex) || priorPaymentIndex < 0) throw new RangeError(`priorPaymentIndex must be a safe integer >= 0`);
  try {
    await table.doc.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.withdrawal(withdrawalId),
        UpdateExpression: 'SET #status = :inFlight, prior_payment_index = :prior',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ...open, ':prior': priorPaymentIndex },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new AlreadyAppliedError(`withdrawal ${withdrawalId} is no longer pending`);
    throw error;
  }
}

/**
 * open → `done` (succeeded or failed), for the ledger's finishing transaction: only while
 * still open, so a second result is refused. The final withdrawal leaves the open-work index.
 */
export function finishWithdrawalUpdate(table: Table, done: WithdrawalItem): TransactItem {
  return {
    Update: {
      TableName: table.name,
      Key: keys.withdrawal(done.id),
      UpdateExpression: 'SET #status = :status, fee_msat = :fee, preimage = :preimage, failure_reason = :reason, completed_at = :completedAt REMOVE gsi2pk, gsi2sk',
      ConditionExpression: isOpen,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':status': done.status,
        ':fee': done.fee_msat,
        ':preimage': done.preimage,
        ':reason': done.failure_reason,
        ':completedAt': done.completed_at,
        ...open,
      },
    },
  };
}

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

/** A lease taken together with the node the payment goes to, and the withdrawal as the write left it (still open: the condition says so). */
export type NodeLeaseResult = { kind: 'taken'; nodeId: string | undefined; withdrawal: WithdrawalItem } | { kind: 'busy' } | { kind: 'final' };

interface LeaseWrite {
  condition: string;
  /** Records this node unless one is recorded already. */
  proposeNodeId?: string | undefined;
}

async function writeLease(table: Table, withdrawalId: string, token: string, leaseMs: number, write: LeaseWrite): Promise<NodeLeaseResult> {
  const now = Date.now();
  const { condition, proposeNodeId } = write;
  try {
    const { Attributes } = await table.doc.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.withdrawal(withdrawalId),
        UpdateExpression: `SET payout_lease_token = :token, payout_lease_until = :until${proposeNodeId !== undefined ? ', node_id = if_not_exists(node_id, :node)' : ''}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':token': token,
          ':until': now + leaseMs,
          ...(condition.includes(':now') ? { ':now': now } : {}),
          ...(proposeNodeId !== undefined ? { ':node': proposeNodeId } : {}),
          ...open,
        },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    const withdrawal = Attributes as WithdrawalItem;
    return { kind: 'taken', nodeId: withdrawal.node_id, withdrawal };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const old = error.Item as { status?: { S?: string } } | undefined;
    const status = old?.status?.S;
    return status === WithdrawalStatus.pending || status === WithdrawalStatus.inFlight ? { kind: 'busy' } : { kind: 'final' };
  }
}

const asLeaseResult = (result: NodeLeaseResult): LeaseResult => (result.kind === 'taken' ? 'taken' : result.kind);

/** Takes the lease if nobody holds it (or it ran out); 'final' when the withdrawal is already done. */
export async function takeSendLease(table: Table, withdrawalId: string, token: string, leaseMs: number): Promise<LeaseResult> {
  return asLeaseResult(await writeLease(table, withdrawalId, token, leaseMs, { condition: leaseIsFree }));
}

/**
 * Takes the lease and, in the same write, records `proposeNodeId` as the withdrawal's node
 * unless one is recorded already; answers with the node that stands. A node is proposed only
 * while nothing was sent: the write is refused ('busy') once the withdrawal is in flight
 * without a recorded node (a payment sent before nodes were recorded, on the first node).
 */
export function takeSendLeaseOnNode(table: Table, withdrawalId: string, token: string, leaseMs: number, proposeNodeId: string | undefined): Promise<NodeLeaseResult> {
  if (proposeNodeId === undefined) return writeLease(table, withdrawalId, token, leaseMs, { condition: leaseIsFree });
  return writeLease(table, withdrawalId, token, leaseMs, { condition: `${leaseIsFree} AND (attribute_exists(node_id) OR #status = :pending)`, proposeNodeId });
}

/** Renews a lease we hold; 'busy' means it was lost (it ran out and someone else took it). */
export async function renewSendLease(table: Table, withdrawalId: string, token: string, leaseMs: number): Promise<LeaseResult> {
  return asLeaseResult(await writeLease(table, withdrawalId, token, leaseMs, { condition: leaseIsOurs }));
}
