import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { AlreadyExistsError, NotFoundError } from '../errors';
import { IdPrefix } from '../ids';
import { putNew } from '../ledger/writes';
import type { Table } from '../table/client';
import { Entity, keys, ListKind } from '../table/keys';
import { listMerchantObjects } from '../table/merchant-lists';
import type { Page } from '../table/page';
import { TransactionRefusedError, transactWrite, type TransactItem } from '../table/transact';
import { InvoiceStatus, newInvoiceItem, type InvoiceItem, type NewInvoice } from './invoice';

/**
 * The invoice item's one owner: its reads, and every write with the state it expects
 * (newInvoiceItem in invoice.ts builds the new item, keys included, for this module and for
 * seeds). Created pending (insertInvoice); then pending|expired → paid by a settlement on
 * the node, pending → paid by another account of this service (paid internally), the late
 * settlement of an invoice paid internally, and pending → expired once due. Each change is a
 * transaction item that the ledger (or the expiry) writes with its money and its event; a
 * refused condition comes back as TransactionRefusedError with the invoice as it was.
 */

const isPayable = '#status IN (:pending, :expired)';
const isPending = '#status = :pending';
const isPendingAndDue = '#status = :pending AND expires_at < :now';
const isPaidInternallyNotYetSettled = '#status = :paid AND paid_internally = :true AND attribute_not_exists(late_settled_at)';
const statusName = { '#status': 'status' };

/** An invoice as a write will leave it, with that write. */
export interface InvoiceChange {
  invoice: InvoiceItem;
  write: TransactItem;
}

/** Stores an invoice the node created, with the index a settlement finds it by. */
export async function insertInvoice(table: Table, input: NewInvoice): Promise<InvoiceItem> {
  const invoice = newInvoiceItem(input);
  try {
    await transactWrite(table, [
      putNew(table, invoice),
      putNew(table, {
        ...keys.invoicePaymentHash(input.paymentHash),
        entity: Entity.invoicePaymentHash,
        invoice_id: input.id,
        merchant_id: input.merchantId,
        // The issuing node beside the id: a settlement or an internal payment learns it without reading the invoice.
        ...(input.nodeId !== undefined ? { node_id: input.nodeId } : {}),
      }),
    ]);
  } catch (error) {
    if (error instanceof TransactionRefusedError && error.failedAt(1)) {
      throw new AlreadyExistsError(`An invoice with payment hash ${input.paymentHash} already exists`);
    }
    throw error;
  }
  return invoice;
}

export async function findInvoiceIdByPaymentHash(table: Table, paymentHash: string): Promise<string | undefined> {
  return (await findInvoiceByPaymentHash(table, paymentHash))?.invoiceId;
}

/** Our invoice of this hash and the node that issued it (undefined: the deployment's one node). */
export async function findInvoiceByPaymentHash(table: Table, paymentHash: string): Promise<{ invoiceId: string; nodeId: string | undefined } | undefined> {
  const { Item } = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.invoicePaymentHash(paymentHash), ConsistentRead: true }));
  if (!Item) return undefined;
  return { invoiceId: Item.invoice_id as string, nodeId: Item.node_id as string | undefined };
}

/** Any merchant's invoice by id, strongly consistent (the public checkout and the ledger need this); callers check ownership. */
export async function findInvoice(table: Table, invoiceId: string): Promise<InvoiceItem | undefined> {
  const { Item } = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.invoice(invoiceId), ConsistentRead: true }));
  return Item as InvoiceItem | undefined;
}

export async function getInvoice(table: Table, merchantId: string, invoiceId: string): Promise<InvoiceItem> {
  const invoice = await findInvoice(table, invoiceId);
  if (!invoice || invoice.merchant_id !== merchantId) throw new NotFoundError(`No such invoice: ${invoiceId}`);
  return invoice;
}

/** A page of the merchant's invoices, newest first, filtered by equality on the given attributes. */
export function listInvoices(
  table: Table,
  request: { merchantId: string; limit: number; cursor: string | undefined; where: { status?: string; account_id?: string; reference?: string } },
): Promise<Page<InvoiceItem>> {
  return listMerchantObjects<InvoiceItem>(table, {
    merchantId: request.merchantId,
    kind: ListKind.invoices,
    idPrefix: IdPrefix.invoice,
    keyOf: keys.invoice,
    limit: request.limit,
    cursor: request.cursor,
    where: request.where,
  });
}

/** The invoice without its place on the open-invoices work list (it is no longer pending). */
function offTheWorkList(invoice: InvoiceItem): InvoiceItem {
  const off = { ...invoice };
  delete off.gsi2pk;
  delete off.gsi2sk;
  return off;
}

/** pending|expired → paid, by a settlement on the node: only while still payable, so a replay is refused. */
export function markPaid(table: Table, invoice: InvoiceItem, payment: { amountPaidMsat: number; paidAt: string }): InvoiceChange {
  return {
    invoice: offTheWorkList({ ...invoice, status: InvoiceStatus.paid, amount_paid_msat: payment.amountPaidMsat, paid_at: payment.paidAt }),
    write: {
      Update: {
        TableName: table.name,
        Key: keys.invoice(invoice.id),
        UpdateExpression: 'SET #status = :paid, amount_paid_msat = :amount, paid_at = :paidAt REMOVE gsi2pk, gsi2sk',
        ConditionExpression: isPayable,
        ExpressionAttributeNames: statusName,
        ExpressionAttributeValues: {
          ':paid': InvoiceStatus.paid,
          ':pending': InvoiceStatus.pending,
          ':expired': InvoiceStatus.expired,
          ':amount': payment.amountPaidMsat,
          ':paidAt': payment.paidAt,
        },
      },
    },
  };
}

/** pending → paid by another account of this service: only while still pending (never once expired). */
export function markPaidInternally(table: Table, invoice: InvoiceItem, payment: { amountPaidMsat: number; paidAt: string }): InvoiceChange {
  return {
    invoice: offTheWorkList({
      ...invoice,
      status: InvoiceStatus.paid,
      amount_paid_msat: payment.amountPaidMsat,
      paid_at: payment.paidAt,
      paid_internally: true,
    }),
    write: {
      Update: {
        TableName: table.name,
        Key: keys.invoice(invoice.id),
        UpdateExpression: 'SET #status = :paid, amount_paid_msat = :amount, paid_at = :paidAt, paid_internally = :true REMOVE gsi2pk, gsi2sk',
        ConditionExpression: isPending,
        ExpressionAttributeNames: statusName,
        ExpressionAttributeValues: {
          ':paid': InvoiceStatus.paid,
          ':pending': InvoiceStatus.pending,
          ':amount': payment.amountPaidMsat,
          ':paidAt': payment.paidAt,
          ':true': true,
        },
      },
    },
  };
}

/**
 * A paid-internally invoice that the node settled as well: records that second deposit
 * (amount_paid_msat stays the internal payment). Only once: a replay is refused.
 */
export function recordLateSettlement(table: Table, invoice: InvoiceItem, settlement: { amountMsat: number; settledAt: string }): InvoiceChange {
  return {
    invoice: { ...invoice, late_settlement_msat: settlement.amountMsat, late_settled_at: settlement.settledAt },
    write: {
      Update: {
        TableName: table.name,
        Key: keys.invoice(invoice.id),
        UpdateExpression: 'SET late_settlement_msat = :amount, late_settled_at = :settledAt',
        ConditionExpression: isPaidInternallyNotYetSettled,
        ExpressionAttributeNames: statusName,
        ExpressionAttributeValues: { ':paid': InvoiceStatus.paid, ':true': true, ':amount': settlement.amountMsat, ':settledAt': settlement.settledAt },
      },
    },
  };
}

/** pending → expired, leaving the open-invoices work list: only while still pending and once expires_at has passed. */
export function markExpired(table: Table, invoice: InvoiceItem, now: Date): InvoiceChange {
  return {
    invoice: offTheWorkList({ ...invoice, status: InvoiceStatus.expired }),
    write: {
      Update: {
        TableName: table.name,
        Key: keys.invoice(invoice.id),
        UpdateExpression: 'SET #status = :expired REMOVE gsi2pk, gsi2sk',
        ConditionExpression: isPendingAndDue,
        ExpressionAttributeNames: statusName,
        ExpressionAttributeValues: { ':expired': InvoiceStatus.expired, ':pending': InvoiceStatus.pending, ':now': now.toISOString() },
      },
    },
  };
}
