import { describe, expect, it } from 'vitest';
import { useApiHarness } from '../support/api-harness';
import { expectLedgerConsistent, readAccount } from '../support/ledger-fixtures';

describe('transfers', () => {
  const api = useApiHarness();

  async function shopWithTwoAccounts(fundMsat = 50_000) {
    const shop = await api.newMerchant();
    const to = (await api.request('POST', '/v1/accounts', { key: shop.secret_key, body: { label: 'to' } })).body.id as string;
    if (fundMsat > 0) await api.fund(shop.secret_key, shop.default_account_id, fundMsat);
    return { shop, from: shop.default_account_id, to };
  }

  it('moves money between two accounts: 201, both balances, both ledgers', async () => {
    const { shop, from, to } = await shopWithTwoAccounts();
    const reply = await api.request('POST', '/v1/transfers', { key: shop.secret_key, body: { from_account_id: from, to_account_id: to, amount_msat: 12_345, memo: 'rent' } });
    expect(reply.status).toBe(201);
    expect(reply.body).toEqual({ id: expect.stringMatching(/^tr_/), from_account_id: from, to_account_id: to, amount_msat: 12_345, memo: 'rent', created_at: expect.any(String) });
    expect((await readAccount(api.table, from)).balance_msat).toBe(37_655);
    expect((await readAccount(api.table, to)).balance_msat).toBe(12_345);
    await expectLedgerConsistent(api.table, [from, to]);

    const got = await api.request('GET', `/v1/transfers/${reply.body.id}`, { key: shop.secret_key });
    expect(got.body).toEqual(reply.body);
    const listed = await api.request('GET', '/v1/transfers', { key: shop.secret_key });
    expect(listed.body).toEqual({ data: [reply.body], has_more: false, next_cursor: null });
  });

  it('refuses the same account on both sides with 422 same_account', async () => {
    const { shop, from } = await shopWithTwoAccounts();
    const reply = await api.request('POST', '/v1/transfers', { key: shop.secret_key, body: { from_account_id: from, to_account_id: from, amount_msat: 1_000 } });
    expect(reply.status).toBe(422);
    expect(reply.body.error).toMatchObject({ type: 'unprocessable', code: 'same_account' });
  });

  it('refuses more than the balance with 422 insufficient_funds and changes nothing', async () => {
    const { shop, from, to } = await shopWithTwoAccounts(5_000);
    const reply = await api.request('POST', '/v1/transfers', { key: shop.secret_key, body: { from_account_id: from, to_account_id: to, amount_msat: 5_001 } });
    expect(reply.status).toBe(422);
    expect(reply.body.error).toMatchObject({ type: 'unprocessable', code: 'insufficient_funds' });
    expect((await readAccount(api.table, from)).balance_msat).toBe(5_000);
    expect((await readAccount(api.table, to)).balance_msat).toBe(0);
  });

  it('refuses amounts that are not positive safe integers', async () => {
    const { shop, from, to } = await shopWithTwoAccounts(0);
    for (const [amount, code] of [
      [0, 'amount_out_of_range'],
      [-5, 'amount_out_of_range'],
      [1.5, 'validation_failed'],
      ['1000', 'validation_failed'],
      [2 ** 53, 'validation_failed'],
    ] as const) {
      const reply = await api.request('POST', '/v1/transfers', { key: shop.secret_key, body: { from_account_id: from, to_account_id: to, amount_msat: amount } });
      expect(reply.status, String(amount)).toBe(400);
      expect(reply.body.error).toMatchObject({ code, param: 'amount_msat' });
    }
    const missing = await api.request('POST', '/v1/transfers', { key: shop.secret_key, body: { from_account_id: from, to_account_id: to } });
    expect(missing.body.error).toMatchObject({ code: 'validation_failed', param: 'amount_msat' });
  });

  it('answers 404 with param for an account that is not the merchant’s', async () => {
    const { shop, from } = await shopWithTwoAccounts();
    const other = await api.newMerchant();
    const toOther = await api.request('POST', '/v1/transfers', { key: shop.secret_key, body: { from_account_id: from, to_account_id: other.default_account_id, amount_msat: 1_000 } });
    expect(toOther.status).toBe(404);
    expect(toOther.body.error).toMatchObject({ code: 'not_found', param: 'to_account_id' });
    const fromOther = await api.request('POST', '/v1/transfers', { key: shop.secret_key, body: { from_account_id: other.default_account_id, to_account_id: from, amount_msat: 1_000 } });
    expect(fromOther.body.error).toMatchObject({ code: 'not_found', param: 'from_account_id' });
    const malformed = await api.request('POST', '/v1/transfers', { key: shop.secret_key, body: { from_account_id: 'acct_nope', to_account_id: from, amount_msat: 1_000 } });
    expect(malformed.status).toBe(404);
    expect(malformed.body.error).toMatchObject({ code: 'not_found', param: 'from_account_id' });
    expect((await readAccount(api.table, from)).balance_msat).toBe(50_000);
  });

  it('keeps 50 concurrent transfers out of one account above zero', async () => {
    const { shop, from, to } = await shopWithTwoAccounts(20_000);
    const replies = await Promise.all(
      Array.from({ length: 50 }, () => api.request('POST', '/v1/transfers', { key: shop.secret_key, body: { from_account_id: from, to_account_id: to, amount_msat: 1_000 } })),
    );
    expect(replies.filter((reply) => reply.status === 201)).toHaveLength(20);
    expect(replies.filter((reply) => reply.status === 422).every((reply) => reply.body.error.code === 'insufficient_funds')).toBe(true);
    expect((await readAccount(api.table, from)).balance_msat).toBe(0);
    await expectLedgerConsistent(api.table, [from, to]);
  });
});
