import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { AlreadyExistsError, NotFoundError } from '../errors';
import { putNew } from '../ledger/writes';
import type { Table } from '../table/client';
import { Entity, keys } from '../table/keys';
import { TransactionRefusedError, transactWrite } from '../table/transact';
import { newInvoiceItem, type InvoiceItem, type NewInvoice } from './invoice';

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
  const { Item } = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.invoicePaymentHash(paymentHash), ConsistentRead: true }));
  return Item?.invoice_id as string | undefined;
}

/** Any merchant's invoice by id (the public checkout needs this); callers check ownership. */
export async function findInvoice(table: Table, invoiceId: string): Promise<InvoiceItem | undefined> {
  const { Item } = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.invoice(invoiceId), ConsistentRead: true }));
  return Item as InvoiceItem | undefined;
}

export async function getInvoice(table: Table, merchantId: string, invoiceId: string): Promise<InvoiceItem> {
  const invoice = await findInvoice(table, invoiceId);
  if (!invoice || invoice.merchant_id !== merchantId) throw new NotFoundError(`No such invoice: ${invoiceId}`);
  return invoice;
}
