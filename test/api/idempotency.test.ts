import { describe, expect, it } from 'vitest';
import { allLedgerEntries } from '../../functions/lib/accounts/repository';
import { routes } from '../../functions/routes';
import { useApiHarness, type ApiHarness, type ApiReply } from '../support/api-harness';
import { testRoutes } from '../support/api-test-routes';
import { signInvoice } from '../support/bolt11-fixtures';
import { expectLedgerConsistent, readAccount } from '../support/ledger-fixtures';

async function fundedShop(api: ApiHarness, amountMsat = 100_000) {
  const shop = await api.newMerchant();
  await api.fund(shop.secret_key, shop.default_account_id, amountMsat);
  const second = await api.request('POST', '/v1/accounts', { key: shop.secret_key, body: { label: 'second' } });
  return { shop, from: shop.default_account_id, to: second.body.id as string };
}

const transferCount = async (api: ApiHarness, key: string) =>
  (await api.request('GET', '/v1/transfers?limit=100', { key })).body.data.length as number;

describe('Idempotency-Key', () => {
  const test = testRoutes();
  let clockOffsetMs = 0;
  const api = useApiHarness({ routes: [...routes, ...test.routes], now: () => new Date(Date.now() + clockOffsetMs) });

  it('replays the first response, status and body, with Idempotent-Replayed: true', async () => {
    const { shop, from, to } = await fundedShop(api);
    const body = { from_account_id: from, to_account_id: to, amount_msat: 1_000 };
    const first = await api.request('POST', '/v1/transfers', { key: shop.secret_key, body, idempotencyKey: 'order-1' });
    // Same body with other key order and spacing is the same request.
    const again = await api.request('POST', '/v1/transfers', {
      key: shop.secret_key,
      rawBody: `{ "amount_msat": 1000, "to_account_id": "${to}",  "from_account_id": "${from}" }`,
      headers: { 'content-type': 'application/json' },
      idempotencyKey: 'order-1',
    });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.text).toBe(first.text);
    expect((await readAccount(api.table, from)).balance_msat).toBe(99_000);
    expect(await transferCount(api, shop.secret_key)).toBe(1);
  });

  it('answers 422 idempotency_key_reused for the same key with another body, or on another route', async () => {
    const { shop, from, to } = await fundedShop(api);
    await api.request('POST', '/v1/transfers', { key: shop.secret_key, body: { from_account_id: from, to_account_id: to, amount_msat: 1_000 }, idempotencyKey: 'k' });
    const otherBody = await api.request('POST', '/v1/transfers', {
      key: shop.secret_key,
      body: { from_account_id: from, to_account_id: to, amount_msat: 2_000 },
      idempotencyKey: 'k',
    });
    expect(otherBody.status).toBe(422);
    expect(otherBody.body.error).toMatchObject({ type: 'unprocessable', code: 'idempotency_key_reused', param: 'Idempotency-Key' });
    const otherRoute = await api.request('POST', '/v1/accounts', { key: shop.secret_key, body: {}, idempotencyKey: 'k' });
    expect(otherRoute.status).toBe(422);
    expect((await readAccount(api.table, from)).balance_msat).toBe(99_000);
  });

  it('keeps keys per merchant: two merchants may use the same key', async () => {
    const a = await fundedShop(api);
    const b = await fundedShop(api);
    for (const { shop, from, to } of [a, b]) {
      const reply = await api.request('POST', '/v1/transfers', { key: shop.secret_key, body: { from_account_id: from, to_account_id: to, amount_msat: 5_000 }, idempotencyKey: 'shared' });
      expect(reply.status).toBe(201);
      expect(reply.headers.get('idempotent-replayed')).toBeNull();
    }
  });

  it('refuses a key that is empty, too long or not printable ASCII', async () => {
    const shop = await api.newMerchant();
    for (const key of ['', 'x'.repeat(256), 'naïve', 'tab\there']) {
      const reply = await api.request('POST', '/v1/accounts', { key: shop.secret_key, body: {}, idempotencyKey: key });
      expect(reply.status, key).toBe(400);
      expect(reply.body.error).toMatchObject({ code: 'validation_failed', param: 'Idempotency-Key' });
    }
    const longest = await api.request('POST', '/v1/accounts', { key: shop.secret_key, body: {}, idempotencyKey: '~'.repeat(255) });
    expect(longest.status).toBe(201);
  });

  it('answers 409 idempotency_in_progress while the first request runs, then replays it', async () => {
    const shop = await api.newMerchant();
    test.resetLatch();
    const first = api.request('POST', '/v1/test/slow', { key: shop.secret_key, body: { n: 1 }, idempotencyKey: 'slow' });
    await test.latch.entered.promise;
    const during = await api.request('POST', '/v1/test/slow', { key: shop.secret_key, body: { n: 1 }, idempotencyKey: 'slow' });
    expect(during.status).toBe(409);
    expect(during.body.error).toMatchObject({ type: 'conflict', code: 'idempotency_in_progress' });
    test.latch.release.resolve();
    expect((await first).status).toBe(201);
    const after = await api.request('POST', '/v1/test/slow', { key: shop.secret_key, body: { n: 1 }, idempotencyKey: 'slow' });
    expect(after.status).toBe(201);
    expect(after.headers.get('idempotent-replayed')).toBe('true');
  });

  it('makes exactly one transfer and one debit of 10 concurrent requests with one key', async () => {
    const { shop, from, to } = await fundedShop(api, 50_000);
    const body = { from_account_id: from, to_account_id: to, amount_msat: 7_000 };
    const replies: ApiReply[] = await Promise.all(
      Array.from({ length: 10 }, () => api.request('POST', '/v1/transfers', { key: shop.secret_key, body, idempotencyKey: 'burst' })),
    );
    const statuses = replies.map((reply) => reply.status);
    expect(statuses.filter((status) => status === 201).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((status) => status === 201 || status === 409)).toBe(true);
    const ids = new Set(replies.filter((reply) => reply.status === 201).map((reply) => reply.body.id));
    expect(ids.size).toBe(1);
    expect(replies.filter((reply) => reply.status === 201 && reply.headers.get('idempotent-replayed') === null)).toHaveLength(1);
    expect((await readAccount(api.table, from)).balance_msat).toBe(43_000);
    expect((await allLedgerEntries(api.table, from)).filter((entry) => entry.type === 'transfer_out')).toHaveLength(1);
    expect(await transferCount(api, shop.secret_key)).toBe(1);
    await expectLedgerConsistent(api.table, [from, to]);
  });

  it('makes one withdrawal of concurrent requests with one key', async () => {
    const shop = await api.newMerchant();
    await api.fund(shop.secret_key, shop.default_account_id, 200_000);
    const payee = api.simulator.createOutsideInvoice({ amountMsat: 50_000 });
    const replies = await Promise.all(
      Array.from({ length: 8 }, () => api.request('POST', '/v1/withdrawals', { key: shop.secret_key, body: { bolt11: payee.bolt11 }, idempotencyKey: 'payout-1' })),
    );
    expect(replies.every((reply) => reply.status === 202 || reply.status === 409)).toBe(true);
    expect(new Set(replies.filter((reply) => reply.status === 202).map((reply) => reply.body.id)).size).toBe(1);
    // 50,000 + the default reserve of 10,000, once.
    expect((await readAccount(api.table, shop.default_account_id)).balance_msat).toBe(140_000);
  });

  it('keeps a 4xx answer: the retry is refused the same way even after the balance changed', async () => {
    const { shop, from, to } = await fundedShop(api, 10_000);
    const body = { from_account_id: from, to_account_id: to, amount_msat: 20_000 };
    const refused = await api.request('POST', '/v1/transfers', { key: shop.secret_key, body, idempotencyKey: 'too-much' });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('insufficient_funds');
    await api.fund(shop.secret_key, from, 50_000);
    const retried = await api.request('POST', '/v1/transfers', { key: shop.secret_key, body, idempotencyKey: 'too-much' });
    expect(retried.status).toBe(422);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(retried.text).toBe(refused.text);
    expect((await readAccount(api.table, from)).balance_msat).toBe(60_000);
  });

  it('does not keep requests refused before the route ran (validation): the key stays free', async () => {
    const shop = await api.newMerchant();
    const invalid = await api.request('POST', '/v1/accounts', { key: shop.secret_key, body: { label: 7 }, idempotencyKey: 'v' });
    expect(invalid.status).toBe(400);
    const valid = await api.request('POST', '/v1/accounts', { key: shop.secret_key, body: { label: 'seven' }, idempotencyKey: 'v' });
    expect(valid.status).toBe(201);
    expect(valid.headers.get('idempotent-replayed')).toBeNull();
  });

  it('releases the key after a 5xx so the same request can be retried', async () => {
    const shop = await api.newMerchant();
    test.failNext(1);
    const failed = await api.request('POST', '/v1/test/flaky', { key: shop.secret_key, body: {}, idempotencyKey: 'flaky' });
    expect(failed.status).toBe(500);
    const retried = await api.request('POST', '/v1/test/flaky', { key: shop.secret_key, body: {}, idempotencyKey: 'flaky' });
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    const replayed = await api.request('POST', '/v1/test/flaky', { key: shop.secret_key, body: {}, idempotencyKey: 'flaky' });
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.body.id).toBe(retried.body.id);
  });

  it('never moves money twice when the answer was lost after the transfer committed', async () => {
    const { shop, from, to } = await fundedShop(api, 30_000);
    const body = { from_account_id: from, to_account_id: to, amount_msat: 10_000 };
    test.crashAfterCommit(1);
    const lost = await api.request('POST', '/v1/test/transfer-then-crash', { key: shop.secret_key, body, idempotencyKey: 'lost' });
    expect(lost.status).toBe(500);
    expect((await readAccount(api.table, from)).balance_msat).toBe(20_000);

    const retried = await api.request('POST', '/v1/test/transfer-then-crash', { key: shop.secret_key, body, idempotencyKey: 'lost' });
    expect(retried.status).toBe(201);
    // The retry found the transfer the first attempt made instead of making another.
    expect((await readAccount(api.table, from)).balance_msat).toBe(20_000);
    const transfers = (await api.request('GET', '/v1/transfers', { key: shop.secret_key })).body.data;
    expect(transfers).toHaveLength(1);
    expect(transfers[0].id).toBe(retried.body.id);
    await expectLedgerConsistent(api.table, [from, to]);
  });

  it('answers a retry with the withdrawal the lost attempt made, even after its invoice expired', async () => {
    const shop = await api.newMerchant();
    await api.fund(shop.secret_key, shop.default_account_id, 100_000);
    const payee = signInvoice({ amountMsat: 20_000, expirySec: 60 });
    test.crashAfterCommit(1);
    const lost = await api.request('POST', '/v1/test/withdraw-then-crash', { key: shop.secret_key, body: { bolt11: payee.bolt11 }, idempotencyKey: 'payout-lost' });
    expect(lost.status).toBe(500);
    expect((await readAccount(api.table, shop.default_account_id)).balance_msat).toBe(70_000);

    clockOffsetMs = 120_000;
    try {
      const retried = await api.request('POST', '/v1/test/withdraw-then-crash', { key: shop.secret_key, body: { bolt11: payee.bolt11 }, idempotencyKey: 'payout-lost' });
      expect(retried.status, retried.text).toBe(202);
      expect(retried.body).toMatchObject({ status: 'pending', payment_hash: payee.paymentHash, amount_msat: 20_000 });
      // A fresh request for the same invoice is refused as expired: only the retry gets the old answer.
      const fresh = await api.request('POST', '/v1/withdrawals', { key: shop.secret_key, body: { bolt11: payee.bolt11 } });
      expect(fresh.body.error.code).toBe('invoice_expired');
    } finally {
      clockOffsetMs = 0;
    }
    expect((await readAccount(api.table, shop.default_account_id)).balance_msat).toBe(70_000);
    const withdrawals = (await api.request('GET', '/v1/withdrawals', { key: shop.secret_key })).body.data;
    expect(withdrawals).toHaveLength(1);
    await expectLedgerConsistent(api.table, [shop.default_account_id]);
  });
});
