import { NotFoundError } from '../errors';
import { EventType, newEventItem } from '../events/event';
import { InvoiceStatus, toInvoice, type InvoiceItem } from '../invoices/invoice';
import { findInvoice, markPaid, recordLateSettlement, type InvoiceChange } from '../invoices/repository';
import type { Table } from '../table/client';
import { TransactionRefusedError, transactWrite } from '../table/transact';
import { AlreadyAppliedError, SettlementFromOtherNodeError } from './errors';
import { LedgerEntryType } from './ledger-entry';
import { appendLedgerEntry, assertPositiveMsat, creditAccount, creditRefusal, putNew } from './writes';

export interface InvoiceSettlement {
  invoiceId: string;
  /** What the node actually received; can exceed the invoice amount. */
  amountPaidMsat: number;
  settledAt: Date;
  /** The node that settled it, as the bridge names it; absent from bridges older than several nodes. */
  nodeId?: string | undefined;
}

export type SettlementOutcome =
  /** pending|expired → paid: the invoice's deposit. */
  | { kind: 'deposit'; invoice: InvoiceItem }
  /** Already paid internally, then settled on the node anyway: a separate deposit, never dropped. */
  | { kind: 'late_deposit'; invoice: InvoiceItem };

/**
 * Credits a settlement reported by the node exactly once (invariant 3). A replay or a
 * duplicate throws AlreadyAppliedError and changes nothing. A settlement from another node
 * than the invoice's own throws SettlementFromOtherNodeError; an invoice or a settlement that
 * names no node (the one-node deployment, an older bridge) matches any.
 */
export async function creditInvoiceSettlement(table: Table, settlement: InvoiceSettlement, now = new Date()): Promise<SettlementOutcome> {
  assertPositiveMsat(settlement.amountPaidMsat, 'amount paid');
  // The read is for the deposit's data (account, merchant, snapshot); the invoice's
  // condition decides. A lost race decides again on the invoice as the refusal returned it,
  // and that second look always settles it.
  let invoice = await findInvoice(table, settlement.invoiceId);
  const issuedBy = invoice?.node_id;
  if (issuedBy !== undefined && settlement.nodeId !== undefined && issuedBy !== settlement.nodeId) {
    throw new SettlementFromOtherNodeError(settlement.invoiceId, issuedBy, settlement.nodeId);
  }
  for (let look = 1; ; look++) {
    if (!invoice) throw new NotFoundError(`No such invoice: ${settlement.invoiceId}`);
    try {
      if (invoice.status === InvoiceStatus.pending || invoice.status === InvoiceStatus.expired) {
        const paid = markPaid(table, invoice, { amountPaidMsat: settlement.amountPaidMsat, paidAt: settlement.settledAt.toISOString() });
        return { kind: 'deposit', invoice: await creditDeposit(table, paid, settlement, now) };
      }
      if (invoice.status === InvoiceStatus.paid && invoice.paid_internally && invoice.late_settled_at === undefined) {
        const settled = recordLateSettlement(table, invoice, { amountMsat: settlement.amountPaidMsat, settledAt: settlement.settledAt.toISOString() });
        return { kind: 'late_deposit', invoice: await creditDeposit(table, settled, settlement, now) };
      }
      throw new AlreadyAppliedError(`invoice ${invoice.id} is already ${invoice.status}`, invoice);
    } catch (error) {
      if (error instanceof TransactionRefusedError && error.failedAt(0) && look < 3) {
        invoice = error.itemAt<InvoiceItem>(0);
        continue;
      }
      if (error instanceof TransactionRefusedError && error.failedAt(1)) throw creditRefusal(error.itemAt(1));
      throw error;
    }
  }
}

/**
 * The invoice's change (pending|expired → paid, or the late settlement of an invoice already
 * paid internally) with its deposit: the credit, its ledger entry and an `invoice.paid`
 * event. A late settlement is reported like any deposit; its snapshot carries
 * late_settlement_msat (amount_paid_msat stays the internal payment).
 */
async function creditDeposit(table: Table, change: InvoiceChange, settlement: InvoiceSettlement, now: Date): Promise<InvoiceItem> {
  const { invoice } = change;
  await transactWrite(table, [
    change.write,
    creditAccount(table, { accountId: invoice.account_id, amountMsat: settlement.amountPaidMsat }),
    appendLedgerEntry(table, {
      accountId: invoice.account_id,
      merchantId: invoice.merchant_id,
      type: LedgerEntryType.deposit,
      amountMsat: settlement.amountPaidMsat,
      referenceId: invoice.id,
      at: now,
    }),
    putNew(table, newEventItem({ type: EventType.invoicePaid, merchantId: invoice.merchant_id, object: toInvoice(invoice), createdAt: now })),
  ]);
  return invoice;
}
