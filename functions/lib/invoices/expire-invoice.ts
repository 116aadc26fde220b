import { EventType, newEventItem } from '../events/event';
import { putNew } from '../ledger/writes';
import type { Table } from '../table/client';
import { TransactionRefusedError, transactWrite } from '../table/transact';
import { InvoiceStatus, toInvoice, type InvoiceItem } from './invoice';
import { findInvoice, markExpired } from './repository';

export type ExpiryOutcome =
  | { kind: 'expired'; invoice: InvoiceItem }
  /** Paid, already expired, not yet due, or gone: nothing changed. */
  | { kind: 'unchanged'; invoice: InvoiceItem | undefined };

/**
 * pending → expired, with its `invoice.expired` event, in one transaction: the status change
 * (conditional on `pending` and on expires_at having passed, see markExpired), which also
 * takes the invoice off the open-invoices work list, and the event item (the outbox). A
 * settlement that loses the race to this still credits the invoice (expired → paid, see
 * creditInvoiceSettlement); one that wins makes this a no-op. The read is for the event's
 * snapshot; the condition, not the read, decides.
 */
export async function expireInvoice(table: Table, invoiceId: string, now: Date): Promise<ExpiryOutcome> {
  const invoice = await findInvoice(table, invoiceId);
  if (!invoice || invoice.status !== InvoiceStatus.pending || invoice.expires_at >= now.toISOString()) {
    return { kind: 'unchanged', invoice };
  }
  const expiry = markExpired(table, invoice, now);
  try {
    await transactWrite(table, [
      expiry.write,
      putNew(table, newEventItem({ type: EventType.invoiceExpired, merchantId: invoice.merchant_id, object: toInvoice(expiry.invoice), createdAt: now })),
    ]);
  } catch (error) {
    if (error instanceof TransactionRefusedError && error.failedAt(0)) return { kind: 'unchanged', invoice: error.itemAt<InvoiceItem>(0) };
    throw error;
  }
  return { kind: 'expired', invoice: expiry.invoice };
}
