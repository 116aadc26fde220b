import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { allLedgerEntries } from '../../../functions/lib/accounts/repository';
import { IdPrefix, newId } from '../../../functions/lib/ids';
import { debitWithdrawal } from '../../../functions/lib/ledger/debit-withdrawal';
import { AlreadyAppliedError, FeeExceedsReserveError } from '../../../functions/lib/ledger/errors';
import { failWithdrawal, settleWithdrawal } from '../../../functions/lib/ledger/finish-withdrawal';
import { markWithdrawalInFlight } from '../../../functions/lib/withdrawals/repository';
import { keys } from '../../../functions/lib/table/keys';
import type { Table } from '../../../functions/lib/table/client';
import { useTestTable } from '../../support/table';
import { expectLedgerConsistent, fund, newMerchant, randomHash, readAccount } from '../../support/ledger-fixtures';

async function pendingWithdrawal(table: Table, amountMsat = 100_000, feeReserveMsat = 10_000) {
  const shop = await newMerchant(table);
  await fund(table, { merchantId: shop.merchant_id, accountId: shop.default_account_id, amountMsat: 1_000_000 });
  const withdrawal = await debitWithdrawal(table, {
    id: newId(IdPrefix.withdrawal),
    merchantId: shop.merchant_id,
    accountId: shop.default_account_id,
    amountMsat,
    feeReserveMsat,
    paymentHash: randomHash(),
    bolt11: 'lnbcrt-test',
    createdAt: new Date().toISOString(),
  });
  return { shop, withdrawal, accountId: shop.default_account_id };
}

async function readWithdrawal(table: Table, id: string) {
  const { Item } = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.withdrawal(id), ConsistentRead: true }));
  return Item;
}

describe('withdrawal results', () => {
  const table = useTestTable();

  it('on success records fee and preimage and refunds the unused reserve', async () => {
    const { withdrawal, accountId } = await pendingWithdrawal(table);
    await markWithdrawalInFlight(table, withdrawal.id);

    await settleWithdrawal(table, { withdrawalId: withdrawal.id, feeMsat: 1_234, preimage: 'ab'.repeat(32), settledAt: new Date() });

    expect(await readWithdrawal(table, withdrawal.id)).toMatchObject({ status: 'succeeded', fee_msat: 1_234, preimage: 'ab'.repeat(32) });
    expect((await readAccount(table, accountId)).balance_msat).toBe(1_000_000 - 100_000 - 1_234);
    const types = (await allLedgerEntries(table, accountId)).map((entry) => [entry.type, entry.amount_msat]);
    expect(types).toContainEqual(['fee_refund', 10_000 - 1_234]);
    await expectLedgerConsistent(table, [accountId]);
  });

  it('on success with the whole reserve spent writes no refund entry', async () => {
    const { withdrawal, accountId } = await pendingWithdrawal(table);

    await settleWithdrawal(table, { withdrawalId: withdrawal.id, feeMsat: 10_000, preimage: '00'.repeat(32), settledAt: new Date() });

    expect((await allLedgerEntries(table, accountId)).map((entry) => entry.type)).not.toContain('fee_refund');
    expect((await readAccount(table, accountId)).balance_msat).toBe(890_000);
  });

  it('refuses a fee above the reserve and changes nothing', async () => {
    const { withdrawal, accountId } = await pendingWithdrawal(table);

    await expect(
      settleWithdrawal(table, { withdrawalId: withdrawal.id, feeMsat: 10_001, preimage: '00'.repeat(32), settledAt: new Date() }),
    ).rejects.toBeInstanceOf(FeeExceedsReserveError);

    expect(await readWithdrawal(table, withdrawal.id)).toMatchObject({ status: 'pending' });
    expect((await readAccount(table, accountId)).balance_msat).toBe(890_000);
  });

  it('on failure refunds amount and reserve, once, however often the failure is reported', async () => {
    const { withdrawal, accountId } = await pendingWithdrawal(table);
    await markWithdrawalInFlight(table, withdrawal.id);

    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => failWithdrawal(table, { withdrawalId: withdrawal.id, failureReason: 'no_route', failedAt: new Date() })),
    );

    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(await readWithdrawal(table, withdrawal.id)).toMatchObject({ status: 'failed', failure_reason: 'no_route' });
    expect((await readAccount(table, accountId)).balance_msat).toBe(1_000_000);
    await expectLedgerConsistent(table, [accountId]);
  });

  it('applies only the first final result when success and failure race', async () => {
    const { withdrawal, accountId } = await pendingWithdrawal(table);

    const results = await Promise.allSettled([
      settleWithdrawal(table, { withdrawalId: withdrawal.id, feeMsat: 0, preimage: '11'.repeat(32), settledAt: new Date() }),
      failWithdrawal(table, { withdrawalId: withdrawal.id, failureReason: 'timeout', failedAt: new Date() }),
      settleWithdrawal(table, { withdrawalId: withdrawal.id, feeMsat: 0, preimage: '11'.repeat(32), settledAt: new Date() }),
      failWithdrawal(table, { withdrawalId: withdrawal.id, failureReason: 'timeout', failedAt: new Date() }),
    ]);

    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const final = await readWithdrawal(table, withdrawal.id);
    const expected = final?.status === 'succeeded' ? 1_000_000 - 100_000 : 1_000_000;
    expect((await readAccount(table, accountId)).balance_msat).toBe(expected);
    await expectLedgerConsistent(table, [accountId]);
  });

  it('treats a result for a finished withdrawal as already applied', async () => {
    const { withdrawal } = await pendingWithdrawal(table);
    await failWithdrawal(table, { withdrawalId: withdrawal.id, failureReason: 'no_route', failedAt: new Date() });

    await expect(
      settleWithdrawal(table, { withdrawalId: withdrawal.id, feeMsat: 0, preimage: '00'.repeat(32), settledAt: new Date() }),
    ).rejects.toBeInstanceOf(AlreadyAppliedError);
    await expect(markWithdrawalInFlight(table, withdrawal.id)).rejects.toBeInstanceOf(AlreadyAppliedError);
  });
});
