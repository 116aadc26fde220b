import { InsufficientFundsError, NotFoundError, SameAccountError } from '../errors';
import { EventType, newEventItem } from '../events/event';
import type { Table } from '../table/client';
import { TransactionRefusedError, transactWrite } from '../table/transact';
import { newTransferItem, toTransfer, type TransferItem } from '../transfers/transfer';
import { AmountOverflowError } from '../money';
import { LedgerEntryType } from './ledger-entry';
import { appendLedgerEntry, assertPositiveMsat, creditAccount, debitAccount, putNew } from './writes';

export interface NewTransfer {
  id: string;
  merchantId: string;
  fromAccountId: string;
  toAccountId: string;
  amountMsat: number;
  memo?: string | null;
  createdAt: string;
}

/** Moves money between two accounts of one merchant in one transaction: totals are conserved. */
export async function transfer(table: Table, input: NewTransfer): Promise<TransferItem> {
  assertPositiveMsat(input.amountMsat, 'transfer amount');
  if (input.fromAccountId === input.toAccountId) throw new SameAccountError();
  const item = newTransferItem(input);
  const at = new Date(input.createdAt);
  const entry = { merchantId: input.merchantId, amountMsat: input.amountMsat, referenceId: input.id, at };
  try {
    await transactWrite(table, [
      debitAccount(table, { accountId: input.fromAccountId, merchantId: input.merchantId, amountMsat: input.amountMsat }),
      creditAccount(table, { accountId: input.toAccountId, merchantId: input.merchantId, amountMsat: input.amountMsat }),
      putNew(table, item),
      appendLedgerEntry(table, { ...entry, accountId: input.fromAccountId, type: LedgerEntryType.transferOut, amountMsat: -input.amountMsat }),
      appendLedgerEntry(table, { ...entry, accountId: input.toAccountId, type: LedgerEntryType.transferIn }),
      putNew(table, newEventItem({ type: EventType.transferCompleted, merchantId: input.merchantId, object: toTransfer(item), createdAt: at })),
    ]);
  } catch (error) {
    if (error instanceof TransactionRefusedError) {
      if (error.failedAt(0)) {
        const from = error.itemAt<{ merchant_id?: string }>(0);
        if (from?.merchant_id !== input.merchantId) throw new NotFoundError(`No such account: ${input.fromAccountId}`, { param: 'from_account_id' });
        throw new InsufficientFundsError();
      }
      if (error.failedAt(1)) {
        const to = error.itemAt<{ merchant_id?: string }>(1);
        if (to?.merchant_id !== input.merchantId) throw new NotFoundError(`No such account: ${input.toAccountId}`, { param: 'to_account_id' });
        throw new AmountOverflowError();
      }
    }
    throw error;
  }
  return item;
}
