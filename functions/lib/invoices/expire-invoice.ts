import { EventType, newEventItem } from '../events/event';
import { putNew } from '../ledger/writes';
import type { Table } from '../table/client';
import { findObject } from '../table/find';
import { keys } from '../table/keys';
import { TransactionRefusedError, transactWrite } from '../table/transact';
import { InvoiceStatus, toInvoice, type InvoiceItem } from './invoice';

// Named conditions: only a pending invoice whose time is up can expire.
const invoiceIsPendingAndDue = '#status = :pending AND expires_at < :now';

export type ExpiryOutcome =
  | { kind: 'expired'; invoice: InvoiceItem }
  /** Paid, already expired, not yet due, or gone: nothing changed. */
  | { kind: 'unchanged'; invoice: InvoiceItem | undefined };

/**
 * pending → expired, with its `invoice.expired` event, in one transaction: the status change
 * (conditional on `pending` and on expires_at having passed), the invoice leaving the open-
 * invoices work list (gsi2 attributes removed), and the event item (the outbox). A
 * settlement that loses the race to this still credits the invoice (expired → paid, see
 * creditInvoiceSettlement); one that wins makes this a no-op.
 */
export async function expireInvoice(table: Table, invoiceId: string, now: Date): Promise<ExpiryOutcome> {
  const invoice = await findObject<InvoiceItem>(table, keys.invoice(invoiceId));
  if (!invoice || invoice.status !== InvoiceStatus.pending || invoice.expires_at >= now.toISOString()) {
    return { kind: 'unchanged', invoice };
  }
  const expired: InvoiceItem = { ...invoice, status: InvoiceStatus.expired };
  delete expired.gsi2pk;
  delete expired.gsi2sk;
  try {
    await transactWrite(table, [
      {
        Update: {
          TableName: table.name,
          Key: keys.invoice(invoiceId),
          UpdateExpression: 'SET #status = :expired REMOVE gsi2pk, gsi2sk',
          ConditionExpression: invoiceIsPendingAndDue,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':expired': InvoiceStatus.expired, ':pending': InvoiceStatus.pending, ':now': now.toISOString() },
        },
      },
      putNew(table, newEventItem({ type: EventType.invoiceExpired, merchantId: invoice.merchant_id, object: toInvoice(expired), createdAt: now })),
    ]);
  } catch (error) {
    if (error instanceof TransactionRefusedError && error.failedAt(0)) return { kind: 'unchanged', invoice: error.itemAt<InvoiceItem>(0) };
    throw error;
  }
  return { kind: 'expired', invoice: expired };
}
