import { describe, expect, it } from 'vitest';
import { createAccount } from '../../../functions/lib/accounts/repository';
import { InsufficientFundsError, NotFoundError, SameAccountError } from '../../../functions/lib/errors';
import { IdPrefix, newId } from '../../../functions/lib/ids';
import { transfer } from '../../../functions/lib/ledger/transfer';
import { useTestTable } from '../../support/table';
import { expectLedgerConsistent, fund, newMerchant, readAccount } from '../../support/ledger-fixtures';

const transferOf = (merchantId: string, fromAccountId: string, toAccountId: string, amountMsat: number) => ({
  id: newId(IdPrefix.transfer),
  merchantId,
  fromAccountId,
  toAccountId,
  amountMsat,
  createdAt: new Date().toISOString(),
});

describe('transfer', () => {
  const table = useTestTable();

  it('conserves the total when many transfers run in both directions at once', async () => {
    const shop = await newMerchant(table);
    const alice = shop.default_account_id;
    const bob = (await createAccount(table, { merchantId: shop.merchant_id, externalId: 'bob' })).id;
    await fund(table, { merchantId: shop.merchant_id, accountId: alice, amountMsat: 50_000 });
    await fund(table, { merchantId: shop.merchant_id, accountId: bob, amountMsat: 50_000 });

    const results = await Promise.allSettled(
      Array.from({ length: 60 }, (_, i) =>
        i % 2 === 0
          ? transfer(table, transferOf(shop.merchant_id, alice, bob, 7_000))
          : transfer(table, transferOf(shop.merchant_id, bob, alice, 3_000)),
      ),
    );

    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(InsufficientFundsError);
    }
    const total = (await readAccount(table, alice)).balance_msat + (await readAccount(table, bob)).balance_msat;
    expect(total).toBe(100_000);
    await expectLedgerConsistent(table, [alice, bob]);
  });

  it('refuses a transfer to the same account', async () => {
    const shop = await newMerchant(table);
    await expect(transfer(table, transferOf(shop.merchant_id, shop.default_account_id, shop.default_account_id, 1_000))).rejects.toBeInstanceOf(
      SameAccountError,
    );
  });

  it("cannot move money into or out of another merchant's account", async () => {
    const shop = await newMerchant(table);
    const other = await newMerchant(table);
    await fund(table, { merchantId: shop.merchant_id, accountId: shop.default_account_id, amountMsat: 10_000 });
    await fund(table, { merchantId: other.merchant_id, accountId: other.default_account_id, amountMsat: 10_000 });

    await expect(transfer(table, transferOf(shop.merchant_id, shop.default_account_id, other.default_account_id, 1_000))).rejects.toMatchObject({
      code: 'not_found',
      param: 'to_account_id',
    });
    await expect(transfer(table, transferOf(shop.merchant_id, other.default_account_id, shop.default_account_id, 1_000))).rejects.toBeInstanceOf(
      NotFoundError,
    );

    expect((await readAccount(table, shop.default_account_id)).balance_msat).toBe(10_000);
    expect((await readAccount(table, other.default_account_id)).balance_msat).toBe(10_000);
  });
});
