import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { allLedgerEntries } from '../../functions/lib/accounts/repository';
import type { AccountItem } from '../../functions/lib/accounts/account';
import { IdPrefix, newId } from '../../functions/lib/ids';
import { insertInvoice } from '../../functions/lib/invoices/repository';
import type { InvoiceItem } from '../../functions/lib/invoices/invoice';
import { creditInvoiceSettlement } from '../../functions/lib/ledger/credit-invoice-settlement';
import { createMerchant } from '../../functions/lib/merchants/create-merchant';
import type { Table } from '../../functions/lib/table/client';
import { keys } from '../../functions/lib/table/keys';

export const randomHash = (): string => randomBytes(32).toString('hex');

export async function newMerchant(table: Table, name = 'Test shop') {
  return createMerchant(table, { name });
}

/** A pending invoice in the table, as the API stores one after the node created it. */
export async function newPendingInvoice(
  table: Table,
  input: { merchantId: string; accountId: string; amountMsat: number; expiresAt?: string },
): Promise<InvoiceItem> {
  const id = newId(IdPrefix.invoice);
  return insertInvoice(table, {
    id,
    merchantId: input.merchantId,
    accountId: input.accountId,
    amountMsat: input.amountMsat,
    bolt11: `lnbcrt-test-${id}`,
    paymentHash: randomHash(),
    expiresAt: input.expiresAt ?? new Date(Date.now() + 3_600_000).toISOString(),
    checkoutUrl: `http://localhost/checkout/${id}`,
    createdAt: new Date().toISOString(),
  });
}

/** Gives an account money the only way money arrives: a settled invoice. */
export async function fund(table: Table, input: { merchantId: string; accountId: string; amountMsat: number }): Promise<InvoiceItem> {
  const invoice = await newPendingInvoice(table, input);
  await creditInvoiceSettlement(table, { invoiceId: invoice.id, amountPaidMsat: input.amountMsat, settledAt: new Date() });
  return invoice;
}

export async function readAccount(table: Table, accountId: string): Promise<AccountItem> {
  const { Item } = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.account(accountId), ConsistentRead: true }));
  if (!Item) throw new Error(`no account ${accountId}`);
  return Item as AccountItem;
}

export async function ledgerSum(table: Table, accountId: string): Promise<number> {
  const entries = await allLedgerEntries(table, accountId);
  return entries.reduce((sum, entry) => sum + entry.amount_msat, 0);
}

/** Invariants 1 and 2 for each account: never negative, ledger sum == balance. */
export async function expectLedgerConsistent(table: Table, accountIds: string[]): Promise<void> {
  for (const accountId of accountIds) {
    const account = await readAccount(table, accountId);
    expect(account.balance_msat, `balance of ${accountId}`).toBeGreaterThanOrEqual(0);
    expect(await ledgerSum(table, accountId), `ledger sum of ${accountId}`).toBe(account.balance_msat);
  }
}
