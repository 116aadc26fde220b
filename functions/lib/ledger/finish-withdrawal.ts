import { EventType, newEventItem } from '../events/event';
import type { Table } from '../table/client';
import { TransactionRefusedError, transactWrite, type TransactItem } from '../table/transact';
import { toWithdrawal, WithdrawalStatus, type FailureReason, type WithdrawalItem } from '../withdrawals/withdrawal';
import { finishWithdrawalUpdate, readOpenWithdrawal } from '../withdrawals/repository';
import { AlreadyAppliedError, FeeExceedsReserveError } from './errors';
import { LedgerEntryType } from './ledger-entry';
import { PaymentLockState, setPaymentLockState } from './payment-lock';
import { appendLedgerEntry, creditAccount, creditRefusal, putNew } from './writes';

export interface PaymentSucceeded {
  withdrawalId: string;
  /** The hash the node reported; checked against the withdrawal's in the same read. */
  paymentHash?: string;
  feeMsat: number;
  preimage: string;
  settledAt: Date;
}

export interface PaymentFailed {
  withdrawalId: string;
  paymentHash?: string;
  failureReason: FailureReason;
  failedAt: Date;
}

/**
 * The node reported SUCCEEDED: record fee and preimage and refund the unused fee reserve,
 * exactly once. The hash stays locked for good.
 */
export async function settleWithdrawal(table: Table, result: PaymentSucceeded, now = new Date()): Promise<WithdrawalItem> {
  const withdrawal = await readOpenWithdrawal(table, result.withdrawalId, result.paymentHash);
  if (!Number.isSafeInteger(result.feeMsat) || result.feeMsat < 0) throw new RangeError(`fee must be a safe integer >= 0, got ${result.feeMsat}`);
  if (result.feeMsat > withdrawal.fee_reserve_msat) {
    throw new FeeExceedsReserveError(withdrawal.id, result.feeMsat, withdrawal.fee_reserve_msat);
  }
  const refundMsat = withdrawal.fee_reserve_msat - result.feeMsat;
  const succeeded: WithdrawalItem = {
    ...withdrawal,
    status: WithdrawalStatus.succeeded,
    fee_msat: result.feeMsat,
    preimage: result.preimage,
    completed_at: result.settledAt.toISOString(),
  };
  const refund: TransactItem[] =
    refundMsat > 0
      ? [
          creditAccount(table, { accountId: withdrawal.account_id, amountMsat: refundMsat }),
          appendLedgerEntry(table, {
            accountId: withdrawal.account_id,
            merchantId: withdrawal.merchant_id,
            type: LedgerEntryType.feeRefund,
            amountMsat: refundMsat,
            referenceId: withdrawal.id,
            at: now,
          }),
        ]
      : [];
  await finish(table, withdrawal, succeeded, PaymentLockState.succeeded, EventType.withdrawalSucceeded, refund, now);
  return succeeded;
}

/**
 * The node reported FAILED: refund amount and fee reserve, exactly once, and free the hash
 * for another try. Only ever called for a failure the node reported (invariant 4).
 */
export async function failWithdrawal(table: Table, result: PaymentFailed, now = new Date()): Promise<WithdrawalItem> {
  const withdrawal = await readOpenWithdrawal(table, result.withdrawalId, result.paymentHash);
  const failed: WithdrawalItem = {
    ...withdrawal,
    status: WithdrawalStatus.failed,
    failure_reason: result.failureReason,
    completed_at: result.failedAt.toISOString(),
  };
  const entry = { accountId: withdrawal.account_id, merchantId: withdrawal.merchant_id, referenceId: withdrawal.id, at: now };
  const refundMsat = withdrawal.amount_msat + withdrawal.fee_reserve_msat;
  const refund: TransactItem[] = [
    creditAccount(table, { accountId: withdrawal.account_id, amountMsat: refundMsat }),
    appendLedgerEntry(table, { ...entry, type: LedgerEntryType.withdrawalRefund, amountMsat: withdrawal.amount_msat }),
    ...(withdrawal.fee_reserve_msat > 0
      ? [appendLedgerEntry(table, { ...entry, type: LedgerEntryType.feeRefund, amountMsat: withdrawal.fee_reserve_msat })]
      : []),
  ];
  await finish(table, withdrawal, failed, PaymentLockState.released, EventType.withdrawalFailed, refund, now);
  return failed;
}

async function finish(
  table: Table,
  open: WithdrawalItem,
  done: WithdrawalItem,
  lockState: PaymentLockState,
  eventType: EventType,
  moneyMoves: TransactItem[],
  now: Date,
): Promise<void> {
  delete done.gsi2pk;
  delete done.gsi2sk;
  try {
    await transactWrite(table, [
      finishWithdrawalUpdate(table, done),
      setPaymentLockState(table, { paymentHash: open.payment_hash, withdrawalId: open.id, state: lockState, at: now }),
      putNew(table, newEventItem({ type: eventType, merchantId: open.merchant_id, object: toWithdrawal(done), createdAt: now })),
      ...moneyMoves,
    ]);
  } catch (error) {
    if (error instanceof TransactionRefusedError) {
      if (error.failedAt(0)) throw new AlreadyAppliedError(`withdrawal ${open.id} was finished concurrently`);
      if (error.failedAt(3)) throw creditRefusal(error.itemAt(3));
    }
    throw error;
  }
}
