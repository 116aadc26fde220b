import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { allLedgerEntries } from '../../../functions/lib/accounts/repository';
import { findInvoice } from '../../../functions/lib/invoices/repository';
import { creditInvoiceSettlement } from '../../../functions/lib/ledger/credit-invoice-settlement';
import { AlreadyAppliedError } from '../../../functions/lib/ledger/errors';
import { keys } from '../../../functions/lib/table/keys';
import { useTestTable } from '../../support/table';
import { expectLedgerConsistent, newMerchant, newPendingInvoice, readAccount } from '../../support/ledger-fixtures';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../../../functions/lib/table/client';

async function eventsOf(table: Table, merchantId: string) {
  const { Items } = await table.doc.send(
    new QueryCommand({
      TableName: table.name,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': `MERCHANT#${merchantId}#EVENTS` },
    }),
  );
  return Items ?? [];
}

describe('invoice settlement credit', () => {
  const table = useTestTable();

  it('credits a settled invoice once, marks it paid and writes an invoice.paid event', async () => {
    const shop = await newMerchant(table);
    const invoice = await newPendingInvoice(table, { merchantId: shop.merchant_id, accountId: shop.default_account_id, amountMsat: 150_000 });
    const settledAt = new Date('2026-11-21T10:00:00.000Z');

    const outcome = await creditInvoiceSettlement(table, { invoiceId: invoice.id, amountPaidMsat: 150_000, settledAt });

    expect(outcome.kind).toBe('deposit');
    const stored = await findInvoice(table, invoice.id);
    expect(stored).toMatchObject({ status: 'paid', amount_paid_msat: 150_000, paid_at: settledAt.toISOString() });
    expect(stored?.gsi2pk).toBeUndefined();
    expect((await readAccount(table, shop.default_account_id)).balance_msat).toBe(150_000);
    const events = await eventsOf(table, shop.merchant_id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'invoice.paid', data: { object: { id: invoice.id, status: 'paid', amount_paid_msat: 150_000 } } });
  });

  it('credits the same invoice exactly once when 20 settlements race', async () => {
    const shop = await newMerchant(table);
    const invoice = await newPendingInvoice(table, { merchantId: shop.merchant_id, accountId: shop.default_account_id, amountMsat: 150_000 });

    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => creditInvoiceSettlement(table, { invoiceId: invoice.id, amountPaidMsat: 150_000, settledAt: new Date() })),
    );

    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(AlreadyAppliedError);
    }
    expect((await readAccount(table, shop.default_account_id)).balance_msat).toBe(150_000);
    expect(await allLedgerEntries(table, shop.default_account_id)).toHaveLength(1);
    expect(await eventsOf(table, shop.merchant_id)).toHaveLength(1);
    await expectLedgerConsistent(table, [shop.default_account_id]);
  });

  it('says so when a settlement is replayed later, and changes nothing', async () => {
    const shop = await newMerchant(table);
    const invoice = await newPendingInvoice(table, { merchantId: shop.merchant_id, accountId: shop.default_account_id, amountMsat: 2_000 });
    await creditInvoiceSettlement(table, { invoiceId: invoice.id, amountPaidMsat: 2_000, settledAt: new Date() });

    await expect(creditInvoiceSettlement(table, { invoiceId: invoice.id, amountPaidMsat: 2_000, settledAt: new Date() })).rejects.toBeInstanceOf(
      AlreadyAppliedError,
    );

    expect((await readAccount(table, shop.default_account_id)).balance_msat).toBe(2_000);
  });

  it('credits what the node received when the payer overpaid', async () => {
    const shop = await newMerchant(table);
    const invoice = await newPendingInvoice(table, { merchantId: shop.merchant_id, accountId: shop.default_account_id, amountMsat: 100_000 });

    await creditInvoiceSettlement(table, { invoiceId: invoice.id, amountPaidMsat: 123_456, settledAt: new Date() });

    expect((await readAccount(table, shop.default_account_id)).balance_msat).toBe(123_456);
    expect(await findInvoice(table, invoice.id)).toMatchObject({ amount_msat: 100_000, amount_paid_msat: 123_456 });
  });

  it('credits an invoice that was marked expired but was settled anyway', async () => {
    const shop = await newMerchant(table);
    const invoice = await newPendingInvoice(table, { merchantId: shop.merchant_id, accountId: shop.default_account_id, amountMsat: 5_000 });
    await table.doc.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.invoice(invoice.id),
        UpdateExpression: 'SET #status = :expired',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':expired': 'expired' },
      }),
    );

    await creditInvoiceSettlement(table, { invoiceId: invoice.id, amountPaidMsat: 5_000, settledAt: new Date() });

    expect(await findInvoice(table, invoice.id)).toMatchObject({ status: 'paid' });
    expect((await readAccount(table, shop.default_account_id)).balance_msat).toBe(5_000);
  });

  it('refuses a credit that would take the balance past the largest safe integer, changing nothing', async () => {
    const shop = await newMerchant(table);
    await table.doc.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.account(shop.default_account_id),
        UpdateExpression: 'SET balance_msat = :nearlyFull',
        ExpressionAttributeValues: { ':nearlyFull': Number.MAX_SAFE_INTEGER - 1_000 },
      }),
    );
    const invoice = await newPendingInvoice(table, { merchantId: shop.merchant_id, accountId: shop.default_account_id, amountMsat: 2_000 });

    await expect(creditInvoiceSettlement(table, { invoiceId: invoice.id, amountPaidMsat: 2_000, settledAt: new Date() })).rejects.toMatchObject({
      code: 'amount_out_of_range',
    });

    expect(await findInvoice(table, invoice.id)).toMatchObject({ status: 'pending' });
    expect(await allLedgerEntries(table, shop.default_account_id)).toHaveLength(0);
  });
});
