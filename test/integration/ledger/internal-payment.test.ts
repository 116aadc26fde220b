import { describe, expect, it } from 'vitest';
import { allLedgerEntries } from '../../../functions/lib/accounts/repository';
import { AlreadyPaidError, InsufficientFundsError, SameAccountError } from '../../../functions/lib/errors';
import { IdPrefix, newId } from '../../../functions/lib/ids';
import { findInvoice } from '../../../functions/lib/invoices/repository';
import type { InvoiceItem } from '../../../functions/lib/invoices/invoice';
import { creditInvoiceSettlement } from '../../../functions/lib/ledger/credit-invoice-settlement';
import { debitWithdrawal } from '../../../functions/lib/ledger/debit-withdrawal';
import { AlreadyAppliedError } from '../../../functions/lib/ledger/errors';
import { listEvents } from '../../../functions/lib/events/repository';
import { payInternally } from '../../../functions/lib/ledger/pay-internally';
import { useTestTable } from '../../support/table';
import { expectLedgerConsistent, fund, newMerchant, newPendingInvoice, readAccount } from '../../support/ledger-fixtures';

const paymentOf = (merchantId: string, accountId: string, invoice: InvoiceItem) => ({
  withdrawalId: newId(IdPrefix.withdrawal),
  merchantId,
  accountId,
  invoiceId: invoice.id,
  amountMsat: invoice.amount_msat,
  bolt11: invoice.bolt11,
  createdAt: new Date().toISOString(),
});

describe('internal payment', () => {
  const table = useTestTable();

  it('moves the money between the two accounts with no fee and marks the invoice paid', async () => {
    const payer = await newMerchant(table, 'Payer');
    const payee = await newMerchant(table, 'Payee');
    await fund(table, { merchantId: payer.merchant_id, accountId: payer.default_account_id, amountMsat: 100_000 });
    const invoice = await newPendingInvoice(table, { merchantId: payee.merchant_id, accountId: payee.default_account_id, amountMsat: 40_000 });

    const { withdrawal } = await payInternally(table, paymentOf(payer.merchant_id, payer.default_account_id, invoice));

    expect(withdrawal).toMatchObject({ status: 'succeeded', internal: true, fee_msat: 0, fee_reserve_msat: 0 });
    expect(await findInvoice(table, invoice.id)).toMatchObject({ status: 'paid', amount_paid_msat: 40_000, paid_internally: true });
    expect((await readAccount(table, payer.default_account_id)).balance_msat).toBe(60_000);
    expect((await readAccount(table, payee.default_account_id)).balance_msat).toBe(40_000);
    const payerEntries = await allLedgerEntries(table, payer.default_account_id);
    expect(payerEntries.at(-1)).toMatchObject({ type: 'withdrawal', amount_msat: -40_000, reference_id: withdrawal.id });
    const payeeEntries = await allLedgerEntries(table, payee.default_account_id);
    expect(payeeEntries).toEqual([expect.objectContaining({ type: 'deposit', amount_msat: 40_000, reference_id: invoice.id })]);
    await expectLedgerConsistent(table, [payer.default_account_id, payee.default_account_id]);
  });

  it('pays an invoice once when several payers race for it', async () => {
    const payee = await newMerchant(table);
    const invoice = await newPendingInvoice(table, { merchantId: payee.merchant_id, accountId: payee.default_account_id, amountMsat: 10_000 });
    const payers = await Promise.all(Array.from({ length: 5 }, () => newMerchant(table)));
    for (const payer of payers) await fund(table, { merchantId: payer.merchant_id, accountId: payer.default_account_id, amountMsat: 10_000 });

    const results = await Promise.allSettled(payers.map((payer) => payInternally(table, paymentOf(payer.merchant_id, payer.default_account_id, invoice))));

    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect((await readAccount(table, payee.default_account_id)).balance_msat).toBe(10_000);
    const payerTotal = (await Promise.all(payers.map((payer) => readAccount(table, payer.default_account_id)))).reduce((sum, a) => sum + a.balance_msat, 0);
    expect(payerTotal).toBe(40_000);
  });

  it('refuses a hash that an outside payment is already paying', async () => {
    const payer = await newMerchant(table);
    const payee = await newMerchant(table);
    await fund(table, { merchantId: payer.merchant_id, accountId: payer.default_account_id, amountMsat: 100_000 });
    const invoice = await newPendingInvoice(table, { merchantId: payee.merchant_id, accountId: payee.default_account_id, amountMsat: 10_000 });
    await debitWithdrawal(table, {
      id: newId(IdPrefix.withdrawal),
      merchantId: payer.merchant_id,
      accountId: payer.default_account_id,
      amountMsat: 10_000,
      feeReserveMsat: 10_000,
      paymentHash: invoice.payment_hash,
      bolt11: invoice.bolt11,
      createdAt: new Date().toISOString(),
    });

    await expect(payInternally(table, paymentOf(payer.merchant_id, payer.default_account_id, invoice))).rejects.toBeInstanceOf(AlreadyPaidError);
    expect((await readAccount(table, payer.default_account_id)).balance_msat).toBe(80_000);
  });

  it('refuses paying your own invoice from the same account, and a payment the balance does not cover', async () => {
    const shop = await newMerchant(table);
    const invoice = await newPendingInvoice(table, { merchantId: shop.merchant_id, accountId: shop.default_account_id, amountMsat: 10_000 });
    const other = await newMerchant(table);

    await expect(payInternally(table, paymentOf(shop.merchant_id, shop.default_account_id, invoice))).rejects.toBeInstanceOf(SameAccountError);
    await expect(payInternally(table, paymentOf(other.merchant_id, other.default_account_id, invoice))).rejects.toBeInstanceOf(InsufficientFundsError);
    expect(await findInvoice(table, invoice.id)).toMatchObject({ status: 'pending' });
  });

  it('credits a later settlement of an internally paid invoice once, as a separate deposit', async () => {
    const payer = await newMerchant(table);
    const payee = await newMerchant(table);
    await fund(table, { merchantId: payer.merchant_id, accountId: payer.default_account_id, amountMsat: 10_000 });
    const invoice = await newPendingInvoice(table, { merchantId: payee.merchant_id, accountId: payee.default_account_id, amountMsat: 10_000 });
    await payInternally(table, paymentOf(payer.merchant_id, payer.default_account_id, invoice));

    const outcome = await creditInvoiceSettlement(table, { invoiceId: invoice.id, amountPaidMsat: 10_000, settledAt: new Date() });
    await expect(creditInvoiceSettlement(table, { invoiceId: invoice.id, amountPaidMsat: 10_000, settledAt: new Date() })).rejects.toBeInstanceOf(
      AlreadyAppliedError,
    );

    expect(outcome.kind).toBe('late_deposit');
    expect((await readAccount(table, payee.default_account_id)).balance_msat).toBe(20_000);
    expect((await allLedgerEntries(table, payee.default_account_id)).filter((entry) => entry.type === 'deposit')).toHaveLength(2);
    await expectLedgerConsistent(table, [payee.default_account_id]);
  });

  it('reports the late deposit with an invoice.paid event carrying its amount', async () => {
    const payer = await newMerchant(table);
    const payee = await newMerchant(table);
    await fund(table, { merchantId: payer.merchant_id, accountId: payer.default_account_id, amountMsat: 10_000 });
    const invoice = await newPendingInvoice(table, { merchantId: payee.merchant_id, accountId: payee.default_account_id, amountMsat: 10_000 });
    await payInternally(table, paymentOf(payer.merchant_id, payer.default_account_id, invoice));
    const settledAt = new Date('2026-01-02T03:04:05.000Z');

    await creditInvoiceSettlement(table, { invoiceId: invoice.id, amountPaidMsat: 12_000, settledAt });

    const events = (await listEvents(table, { merchantId: payee.merchant_id, type: 'invoice.paid', limit: 10, cursor: undefined })).items;
    expect(events.map((event) => event.data.object)).toEqual([
      expect.objectContaining({ id: invoice.id, amount_paid_msat: 10_000, late_settlement_msat: 12_000, late_settled_at: settledAt.toISOString() }),
      expect.not.objectContaining({ late_settlement_msat: expect.anything() }),
    ]);
  });
});
