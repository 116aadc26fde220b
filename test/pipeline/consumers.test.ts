import type { EventBridgeEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { BusSource, NodeDetailType } from '../../functions/lib/bus/bus-events';
import { silentLog } from '../../functions/lib/runtime/log';
import { IdPrefix, newId } from '../../functions/lib/ids';
import { debitWithdrawal } from '../../functions/lib/ledger/debit-withdrawal';
import { markWithdrawalInFlight } from '../../functions/lib/withdrawals/repository';
import { createPayoutResultHandler, type PaymentResultEvent } from '../../functions/payout-result/payout-result';
import { createSettleInvoiceHandler, type InvoiceSettledEvent } from '../../functions/settle-invoice/settle-invoice';
import { expectLedgerConsistent, fund, newMerchant, newPendingInvoice, randomHash, readAccount } from '../support/ledger-fixtures';
import { useTestTable } from '../support/table';

function busEvent<T extends string>(detailType: T, detail: unknown, source: string = BusSource.node): EventBridgeEvent<T, unknown> {
  return { version: '0', id: 'e', 'detail-type': detailType, source, account: '0', time: '2026-11-21T10:00:00Z', region: 'local', resources: [], detail };
}

describe('settle-invoice consumer', () => {
  const table = useTestTable();
  const counted: string[] = [];
  const settle = createSettleInvoiceHandler({ table, log: silentLog, metrics: { count: (name) => void counted.push(name) } });
  const settled = (paymentHash: string, amountPaidMsat: number) =>
    busEvent(NodeDetailType.invoiceSettled, {
      payment_hash: paymentHash,
      amount_paid_msat: amountPaidMsat,
      settled_at: new Date().toISOString(),
      settle_index: '7',
    }) as InvoiceSettledEvent;

  it('credits once; every repeat is a success that changes nothing', async () => {
    const merchant = await newMerchant(table);
    const invoice = await newPendingInvoice(table, { merchantId: merchant.merchant_id, accountId: merchant.default_account_id, amountMsat: 10_000 });

    const outcomes = await Promise.all([settle(settled(invoice.payment_hash, 12_000)), settle(settled(invoice.payment_hash, 12_000)), settle(settled(invoice.payment_hash, 12_000))]);

    expect(outcomes.sort()).toEqual(['already_credited', 'already_credited', 'credited']);
    expect((await readAccount(table, merchant.default_account_id)).balance_msat).toBe(12_000);
    await expectLedgerConsistent(table, [merchant.default_account_id]);
  });

  it('drops and counts a settlement of a hash that is not ours', async () => {
    expect(await settle(settled(randomHash(), 5_000))).toBe('not_ours');
    expect(counted).toContain('SettlementOfUnknownInvoice');
  });

  it('refuses a detail that fails its schema and an event from the wrong rule (so it is retried, then dead-lettered)', async () => {
    await expect(settle(settled('nothex', 5_000))).rejects.toThrow();
    await expect(settle(settled(randomHash(), 0))).rejects.toThrow();
    await expect(settle(busEvent(NodeDetailType.invoiceSettled, {}, BusSource.ledger) as InvoiceSettledEvent)).rejects.toThrow(/wrong rule/);
  });
});

describe('payout-result consumer', () => {
  const table = useTestTable();
  const finish = createPayoutResultHandler({ table, log: silentLog });

  async function inFlightWithdrawal() {
    const merchant = await newMerchant(table);
    const account = { merchantId: merchant.merchant_id, accountId: merchant.default_account_id };
    await fund(table, { ...account, amountMsat: 100_000 });
    const withdrawal = await debitWithdrawal(table, {
      id: newId(IdPrefix.withdrawal),
      ...account,
      amountMsat: 50_000,
      feeReserveMsat: 2_000,
      paymentHash: randomHash(),
      bolt11: 'lnbcrt1example',
      createdAt: new Date().toISOString(),
    });
    await markWithdrawalInFlight(table, withdrawal.id);
    return { withdrawal, accountId: account.accountId };
  }
  const succeeded = (withdrawalId: string, paymentHash: string, feeMsat = 500) =>
    busEvent(NodeDetailType.paymentSucceeded, {
      withdrawal_id: withdrawalId,
      payment_hash: paymentHash,
      fee_msat: feeMsat,
      preimage: randomHash(),
      settled_at: new Date().toISOString(),
    }) as PaymentResultEvent;
  const failed = (withdrawalId: string, paymentHash: string) =>
    busEvent(NodeDetailType.paymentFailed, { withdrawal_id: withdrawalId, payment_hash: paymentHash, failure_reason: 'no_route', failed_at: new Date().toISOString() }) as PaymentResultEvent;

  it('finishes a withdrawal once: a repeated or contradicting late result changes nothing', async () => {
    const { withdrawal, accountId } = await inFlightWithdrawal();

    const outcomes = await Promise.all([finish(succeeded(withdrawal.id, withdrawal.payment_hash)), finish(succeeded(withdrawal.id, withdrawal.payment_hash))]);
    expect(outcomes.sort()).toEqual(['already_final', 'succeeded']);
    expect(await finish(failed(withdrawal.id, withdrawal.payment_hash))).toBe('already_final');

    expect((await readAccount(table, accountId)).balance_msat).toBe(100_000 - 50_500);
    await expectLedgerConsistent(table, [accountId]);
  });

  it('refunds amount and reserve on a reported failure, once', async () => {
    const { withdrawal, accountId } = await inFlightWithdrawal();
    expect(await finish(failed(withdrawal.id, withdrawal.payment_hash))).toBe('failed');
    expect(await finish(failed(withdrawal.id, withdrawal.payment_hash))).toBe('already_final');
    expect((await readAccount(table, accountId)).balance_msat).toBe(100_000);
  });

  it('refuses a result for another hash, an unknown withdrawal, and a fee above the reserve', async () => {
    const { withdrawal } = await inFlightWithdrawal();
    await expect(finish(succeeded(withdrawal.id, randomHash()))).rejects.toThrow(/another payment hash/);
    await expect(finish(succeeded(newId(IdPrefix.withdrawal), randomHash()))).rejects.toThrow(/unknown withdrawal/);
    await expect(finish(succeeded(withdrawal.id, withdrawal.payment_hash, 2_001))).rejects.toThrow(/exceeds the reserved/);
    await expect(finish(busEvent(NodeDetailType.liquidityLow, {}) as unknown as PaymentResultEvent)).rejects.toThrow(/wrong rule/);
  });
});
