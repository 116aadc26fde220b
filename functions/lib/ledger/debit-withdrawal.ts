import { AlreadyPaidError, InsufficientFundsError, NotFoundError } from '../errors';
import { addMsat, isMsat } from '../money';
import type { Table } from '../table/client';
import { TransactionRefusedError, transactWrite } from '../table/transact';
import { newWithdrawalItem, type NewWithdrawal, type WithdrawalItem } from '../withdrawals/withdrawal';
import { LedgerEntryType } from './ledger-entry';
import { PaymentLockState, takePaymentLock } from './payment-lock';
import { appendLedgerEntry, assertPositiveMsat, debitAccount, putNew } from './writes';

/**
 * Debits amount + fee reserve and records a pending withdrawal, atomically: the balance
 * covers it or nothing happens (invariant 1), and the hash is not already being paid or
 * paid (invariant 4). The new withdrawal record is the payout outbox: the table's stream
 * carries it to the payout queue.
 */
export async function debitWithdrawal(table: Table, input: NewWithdrawal): Promise<WithdrawalItem> {
  assertPositiveMsat(input.amountMsat, 'withdrawal amount');
  if (!isMsat(input.feeReserveMsat)) throw new RangeError(`fee reserve must be a safe integer >= 0, got ${input.feeReserveMsat}`);
  const totalMsat = addMsat(input.amountMsat, input.feeReserveMsat);
  const withdrawal = newWithdrawalItem(input);
  const at = new Date(input.createdAt);
  const ledgerEntry = { accountId: input.accountId, merchantId: input.merchantId, referenceId: input.id, at };
  try {
    await transactWrite(table, [
      debitAccount(table, { accountId: input.accountId, merchantId: input.merchantId, amountMsat: totalMsat }),
      takePaymentLock(table, { paymentHash: input.paymentHash, withdrawalId: input.id, state: PaymentLockState.held, at }),
      putNew(table, withdrawal),
      appendLedgerEntry(table, { ...ledgerEntry, type: LedgerEntryType.withdrawal, amountMsat: -input.amountMsat }),
      ...(input.feeReserveMsat > 0
        ? [appendLedgerEntry(table, { ...ledgerEntry, type: LedgerEntryType.feeReserve, amountMsat: -input.feeReserveMsat })]
        : []),
    ]);
  } catch (error) {
    if (error instanceof TransactionRefusedError) {
      if (error.failedAt(0)) {
        const account = error.itemAt<{ merchant_id?: string }>(0);
        if (account?.merchant_id !== input.merchantId) throw new NotFoundError(`No such account: ${input.accountId}`, { param: 'account_id' });
        throw new InsufficientFundsError(`The balance does not cover ${input.amountMsat} msat plus a fee reserve of ${input.feeReserveMsat} msat`);
      }
      if (error.failedAt(1)) throw new AlreadyPaidError();
    }
    throw error;
  }
  return withdrawal;
}
