import { AlreadyPaidError, InsufficientFundsError, InvoiceExpiredError, NotFoundError, SameAccountError } from '../errors';
import { EventType, newEventItem } from '../events/event';
import { InvoiceStatus, toInvoice, type InvoiceItem } from '../invoices/invoice';
import { findInvoice, markPaidInternally } from '../invoices/repository';
import type { Table } from '../table/client';
import { Entity, keys } from '../table/keys';
import { TransactionRefusedError, transactWrite } from '../table/transact';
import { newWithdrawalItem, toWithdrawal, WithdrawalStatus, type WithdrawalItem } from '../withdrawals/withdrawal';
import { LedgerEntryType } from './ledger-entry';
import { PaymentLockState, takePaymentLock } from './payment-lock';
import { appendLedgerEntry, assertPositiveMsat, creditAccount, creditRefusal, debitAccount, putNew } from './writes';

export interface InternalPayment {
  withdrawalId: string;
  merchantId: string;
  accountId: string;
  /** Our own invoice that the BOLT11 encodes. */
  invoiceId: string;
  amountMsat: number;
  bolt11: string;
  preimage?: string | null;
  createdAt: string;
}

/**
 * Pays an invoice of our own node without Lightning: debit the payer, mark the invoice
 * paid and credit the payee, in one transaction, with no fee. It also writes a request to
 * cancel the invoice on the node, carried to the bridge by the stream, so no outside payer
 * can pay it as well.
 */
export async function payInternally(table: Table, input: InternalPayment): Promise<{ withdrawal: WithdrawalItem; invoice: InvoiceItem }> {
  assertPositiveMsat(input.amountMsat, 'payment amount');
  // Read for the payee and the hash; the checks below answer the common cases precisely,
  // and the invoice's condition (still pending) decides a race.
  const invoice = await findInvoice(table, input.invoiceId);
  if (!invoice) throw new NotFoundError(`No such invoice: ${input.invoiceId}`, { param: 'bolt11' });
  if (invoice.account_id === input.accountId) throw new SameAccountError('An account cannot pay its own invoice');
  if (invoice.status === InvoiceStatus.paid) throw new AlreadyPaidError();
  if (invoice.status === InvoiceStatus.expired) throw new InvoiceExpiredError();

  const now = new Date(input.createdAt);
  const completedAt = input.createdAt;
  const withdrawal: WithdrawalItem = {
    ...newWithdrawalItem({
      id: input.withdrawalId,
      merchantId: input.merchantId,
      accountId: input.accountId,
      amountMsat: input.amountMsat,
      feeReserveMsat: 0,
      paymentHash: invoice.payment_hash,
      bolt11: input.bolt11,
      createdAt: input.createdAt,
    }),
    status: WithdrawalStatus.succeeded,
    fee_msat: 0,
    preimage: input.preimage ?? null,
    internal: true,
    invoice_id: invoice.id,
    completed_at: completedAt,
  };
  delete withdrawal.gsi2pk;
  delete withdrawal.gsi2sk;
  const { invoice: paid, write: invoicePaid } = markPaidInternally(table, invoice, { amountPaidMsat: input.amountMsat, paidAt: completedAt });

  try {
    await transactWrite(table, [
      debitAccount(table, { accountId: input.accountId, merchantId: input.merchantId, amountMsat: input.amountMsat }),
      takePaymentLock(table, { paymentHash: invoice.payment_hash, withdrawalId: input.withdrawalId, state: PaymentLockState.succeeded, at: now }),
      invoicePaid,
      creditAccount(table, { accountId: invoice.account_id, amountMsat: input.amountMsat }),
      putNew(table, withdrawal),
      appendLedgerEntry(table, { accountId: input.accountId, merchantId: input.merchantId, type: LedgerEntryType.withdrawal, amountMsat: -input.amountMsat, referenceId: withdrawal.id, at: now }),
      appendLedgerEntry(table, { accountId: invoice.account_id, merchantId: invoice.merchant_id, type: LedgerEntryType.deposit, amountMsat: input.amountMsat, referenceId: invoice.id, at: now }),
      putNew(table, newEventItem({ type: EventType.withdrawalSucceeded, merchantId: input.merchantId, object: toWithdrawal(withdrawal), createdAt: now })),
      putNew(table, newEventItem({ type: EventType.invoicePaid, merchantId: invoice.merchant_id, object: toInvoice(paid), createdAt: now })),
      putNew(table, {
        ...keys.nodeInvoiceCancel(invoice.payment_hash),
        entity: Entity.nodeInvoiceCancel,
        payment_hash: invoice.payment_hash,
        invoice_id: invoice.id,
        created_at: completedAt,
      }),
    ]);
  } catch (error) {
    if (error instanceof TransactionRefusedError) {
      if (error.failedAt(0)) {
        const payer = error.itemAt<{ merchant_id?: string }>(0);
        if (payer?.merchant_id !== input.merchantId) throw new NotFoundError(`No such account: ${input.accountId}`, { param: 'account_id' });
        throw new InsufficientFundsError();
      }
      if (error.failedAt(1) || error.failedAt(2)) throw new AlreadyPaidError();
      if (error.failedAt(3)) throw creditRefusal(error.itemAt(3));
    }
    throw error;
  }
  return { withdrawal, invoice: paid };
}
