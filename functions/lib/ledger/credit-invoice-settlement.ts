import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError } from '../errors';
import { EventType, newEventItem } from '../events/event';
import { InvoiceStatus, toInvoice, type InvoiceItem } from '../invoices/invoice';
import type { Table } from '../table/client';
import { keys } from '../table/keys';
import { TransactionRefusedError, transactWrite } from '../table/transact';
import { AlreadyAppliedError } from './errors';
import { LedgerEntryType } from './ledger-entry';
import { appendLedgerEntry, assertPositiveMsat, creditAccount, creditRefusal, putNew } from './writes';

const invoiceIsPayable = '#status IN (:pending, :expired)';
const paidInternallyAndNotYetSettled = '#status = :paid AND paid_internally = :true AND attribute_not_exists(late_settled_at)';

export interface InvoiceSettlement {
  invoiceId: string;
  /** What the node actually received; can exceed the invoice amount. */
  amountPaidMsat: number;
  settledAt: Date;
}

export type SettlementOutcome =
  /** pending|expired → paid: the invoice's deposit. */
  | { kind: 'deposit'; invoice: InvoiceItem }
  /** Already paid internally, then settled on the node anyway: a separate deposit, never dropped. */
  | { kind: 'late_deposit'; invoice: InvoiceItem };

/**
 * Credits a settlement reported by the node exactly once (invariant 3). A replay or a
 * duplicate throws AlreadyAppliedError and changes nothing.
 */
export async function creditInvoiceSettlement(table: Table, settlement: InvoiceSettlement, now = new Date()): Promise<SettlementOutcome> {
  assertPositiveMsat(settlement.amountPaidMsat, 'amount paid');
  // A lost race re-reads the invoice and decides again; the second look always settles it.
  for (let look = 1; ; look++) {
    const invoice = await readInvoice(table, settlement.invoiceId);
    try {
      if (invoice.status === InvoiceStatus.pending || invoice.status === InvoiceStatus.expired) {
        return { kind: 'deposit', invoice: await creditDeposit(table, invoice, settlement, now) };
      }
      if (invoice.status === InvoiceStatus.paid && invoice.paid_internally && invoice.late_settled_at === undefined) {
        return { kind: 'late_deposit', invoice: await creditLateDeposit(table, invoice, settlement, now) };
      }
      throw new AlreadyAppliedError(`invoice ${invoice.id} is already ${invoice.status}`, invoice);
    } catch (error) {
      if (error instanceof TransactionRefusedError && error.failedAt(0) && look < 3) continue;
      if (error instanceof TransactionRefusedError && error.failedAt(1)) throw creditRefusal(error.itemAt(1));
      throw error;
    }
  }
}

async function readInvoice(table: Table, invoiceId: string): Promise<InvoiceItem> {
  const { Item } = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.invoice(invoiceId), ConsistentRead: true }));
  if (!Item) throw new NotFoundError(`No such invoice: ${invoiceId}`);
  return Item as InvoiceItem;
}

async function creditDeposit(table: Table, invoice: InvoiceItem, settlement: InvoiceSettlement, now: Date): Promise<InvoiceItem> {
  const paid: InvoiceItem = {
    ...invoice,
    status: InvoiceStatus.paid,
    amount_paid_msat: settlement.amountPaidMsat,
    paid_at: settlement.settledAt.toISOString(),
  };
  delete paid.gsi2pk;
  delete paid.gsi2sk;
  await transactWrite(table, [
    {
      Update: {
        TableName: table.name,
        Key: keys.invoice(invoice.id),
        UpdateExpression: 'SET #status = :paid, amount_paid_msat = :amount, paid_at = :paidAt REMOVE gsi2pk, gsi2sk',
        ConditionExpression: invoiceIsPayable,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':paid': InvoiceStatus.paid,
          ':pending': InvoiceStatus.pending,
          ':expired': InvoiceStatus.expired,
          ':amount': settlement.amountPaidMsat,
          ':paidAt': paid.paid_at,
        },
      },
    },
    creditAccount(table, { accountId: invoice.account_id, amountMsat: settlement.amountPaidMsat }),
    appendLedgerEntry(table, {
      accountId: invoice.account_id,
      merchantId: invoice.merchant_id,
      type: LedgerEntryType.deposit,
      amountMsat: settlement.amountPaidMsat,
      referenceId: invoice.id,
      at: now,
    }),
    putNew(table, newEventItem({ type: EventType.invoicePaid, merchantId: invoice.merchant_id, object: toInvoice(paid), createdAt: now })),
  ]);
  return paid;
}

/**
 * The node settled an invoice we had already paid internally: the money is credited as a
 * separate deposit and reported, like any deposit, by an `invoice.paid` event whose
 * snapshot carries late_settlement_msat (amount_paid_msat stays the internal payment).
 */
async function creditLateDeposit(table: Table, invoice: InvoiceItem, settlement: InvoiceSettlement, now: Date): Promise<InvoiceItem> {
  const settledAt = settlement.settledAt.toISOString();
  const settled: InvoiceItem = { ...invoice, late_settlement_msat: settlement.amountPaidMsat, late_settled_at: settledAt };
  await transactWrite(table, [
    {
      Update: {
        TableName: table.name,
        Key: keys.invoice(invoice.id),
        UpdateExpression: 'SET late_settlement_msat = :amount, late_settled_at = :settledAt',
        ConditionExpression: paidInternallyAndNotYetSettled,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':paid': InvoiceStatus.paid, ':true': true, ':amount': settlement.amountPaidMsat, ':settledAt': settledAt },
      },
    },
    creditAccount(table, { accountId: invoice.account_id, amountMsat: settlement.amountPaidMsat }),
    appendLedgerEntry(table, {
      accountId: invoice.account_id,
      merchantId: invoice.merchant_id,
      type: LedgerEntryType.deposit,
      amountMsat: settlement.amountPaidMsat,
      referenceId: invoice.id,
      at: now,
    }),
    putNew(table, newEventItem({ type: EventType.invoicePaid, merchantId: invoice.merchant_id, object: toInvoice(settled), createdAt: now })),
  ]);
  return settled;
}
