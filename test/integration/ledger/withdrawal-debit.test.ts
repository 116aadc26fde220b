import { describe, expect, it } from 'vitest';
import { AlreadyPaidError, InsufficientFundsError, NotFoundError } from '../../../functions/lib/errors';
import { IdPrefix, newId } from '../../../functions/lib/ids';
import { debitWithdrawal } from '../../../functions/lib/ledger/debit-withdrawal';
import { failWithdrawal } from '../../../functions/lib/ledger/finish-withdrawal';
import { allLedgerEntries } from '../../../functions/lib/accounts/repository';
import { useTestTable } from '../../support/table';
import { expectLedgerConsistent, fund, newMerchant, randomHash, readAccount } from '../../support/ledger-fixtures';

const withdrawalOf = (merchantId: string, accountId: string, amountMsat: number, feeReserveMsat: number, paymentHash = randomHash()) => ({
  id: newId(IdPrefix.withdrawal),
  merchantId,
  accountId,
  amountMsat,
  feeReserveMsat,
  paymentHash,
  bolt11: 'lnbcrt-test',
  createdAt: new Date().toISOString(),
});

describe('withdrawal debit', () => {
  const table = useTestTable();

  it('debits amount and fee reserve as two ledger entries and records a pending withdrawal', async () => {
    const shop = await newMerchant(table);
    await fund(table, { merchantId: shop.merchant_id, accountId: shop.default_account_id, amountMsat: 500_000 });

    const withdrawal = await debitWithdrawal(table, withdrawalOf(shop.merchant_id, shop.default_account_id, 100_000, 10_000));

    expect(withdrawal.status).toBe('pending');
    expect((await readAccount(table, shop.default_account_id)).balance_msat).toBe(390_000);
    const entries = await allLedgerEntries(table, shop.default_account_id);
    // Entries of one transaction share a millisecond, so their relative order is not fixed.
    expect(entries.map((entry) => [entry.type, entry.amount_msat]).sort()).toEqual([
      ['deposit', 500_000],
      ['fee_reserve', -10_000],
      ['withdrawal', -100_000],
    ]);
    await expectLedgerConsistent(table, [shop.default_account_id]);
  });

  it('lets exactly the affordable number of 200 concurrent withdrawals through, never going below zero', { timeout: 90_000 }, async () => {
    const shop = await newMerchant(table);
    // 37 withdrawals of 10,000 + 1,000 reserve fit into 407,000 msat, with 0 left over.
    await fund(table, { merchantId: shop.merchant_id, accountId: shop.default_account_id, amountMsat: 407_000 });

    const results = await Promise.allSettled(
      Array.from({ length: 200 }, () => debitWithdrawal(table, withdrawalOf(shop.merchant_id, shop.default_account_id, 10_000, 1_000))),
    );

    const succeeded = results.filter((result) => result.status === 'fulfilled');
    const refused = results.filter((result) => result.status === 'rejected');
    expect(succeeded).toHaveLength(37);
    for (const result of refused) expect((result as PromiseRejectedResult).reason).toBeInstanceOf(InsufficientFundsError);
    expect((await readAccount(table, shop.default_account_id)).balance_msat).toBe(0);
    await expectLedgerConsistent(table, [shop.default_account_id]);
  });

  it('refuses a debit the balance does not cover and changes nothing', async () => {
    const shop = await newMerchant(table);
    await fund(table, { merchantId: shop.merchant_id, accountId: shop.default_account_id, amountMsat: 100_000 });

    await expect(debitWithdrawal(table, withdrawalOf(shop.merchant_id, shop.default_account_id, 95_000, 10_000))).rejects.toBeInstanceOf(
      InsufficientFundsError,
    );

    expect((await readAccount(table, shop.default_account_id)).balance_msat).toBe(100_000);
    expect(await allLedgerEntries(table, shop.default_account_id)).toHaveLength(1);
  });

  it("answers not found for another merchant's account, exactly as for a missing one", async () => {
    const owner = await newMerchant(table);
    const intruder = await newMerchant(table);
    await fund(table, { merchantId: owner.merchant_id, accountId: owner.default_account_id, amountMsat: 100_000 });

    const theirs = await debitWithdrawal(table, withdrawalOf(intruder.merchant_id, owner.default_account_id, 1_000, 0)).catch((error: unknown) => error);
    const missing = await debitWithdrawal(table, withdrawalOf(intruder.merchant_id, newId(IdPrefix.account), 1_000, 0)).catch((error: unknown) => error);

    expect(theirs).toBeInstanceOf(NotFoundError);
    expect(missing).toBeInstanceOf(NotFoundError);
    const shapeOf = (error: NotFoundError) => ({ status: error.status, code: error.code, param: error.param });
    expect(shapeOf(theirs as NotFoundError)).toEqual(shapeOf(missing as NotFoundError));
    expect((await readAccount(table, owner.default_account_id)).balance_msat).toBe(100_000);
  });

  it('refuses a second withdrawal of a hash that is being paid, and allows one after a reported failure', async () => {
    const shop = await newMerchant(table);
    await fund(table, { merchantId: shop.merchant_id, accountId: shop.default_account_id, amountMsat: 1_000_000 });
    const hash = randomHash();
    const first = await debitWithdrawal(table, withdrawalOf(shop.merchant_id, shop.default_account_id, 100_000, 10_000, hash));

    await expect(debitWithdrawal(table, withdrawalOf(shop.merchant_id, shop.default_account_id, 100_000, 10_000, hash))).rejects.toBeInstanceOf(
      AlreadyPaidError,
    );
    expect((await readAccount(table, shop.default_account_id)).balance_msat).toBe(890_000);

    await failWithdrawal(table, { withdrawalId: first.id, failureReason: 'no_route', failedAt: new Date() });
    const retry = await debitWithdrawal(table, withdrawalOf(shop.merchant_id, shop.default_account_id, 100_000, 10_000, hash));

    expect(retry.status).toBe('pending');
    expect((await readAccount(table, shop.default_account_id)).balance_msat).toBe(890_000);
    await expectLedgerConsistent(table, [shop.default_account_id]);
  });

  it('lets only one of many concurrent withdrawals of the same hash through', async () => {
    const shop = await newMerchant(table);
    await fund(table, { merchantId: shop.merchant_id, accountId: shop.default_account_id, amountMsat: 10_000_000 });
    const hash = randomHash();

    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => debitWithdrawal(table, withdrawalOf(shop.merchant_id, shop.default_account_id, 100_000, 10_000, hash))),
    );

    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect((await readAccount(table, shop.default_account_id)).balance_msat).toBe(10_000_000 - 110_000);
    await expectLedgerConsistent(table, [shop.default_account_id]);
  });
});
