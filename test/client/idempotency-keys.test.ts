import { describe, expect, it } from 'vitest';
import { ApiError, createClient, responseInfo } from '../../clients/typescript/src/index.js';
import { apiError, invoice, json, stubFetch } from './stub-fetch';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const baseUrl = 'http://api.test';
const fastRetries = { baseDelayMs: 1, maxDelayMs: 50 };

describe('typed client: Idempotency-Key', () => {
  it('sends a fresh generated key with every POST, and none with a GET', async () => {
    const stub = stubFetch((request, index) => json(request.method === 'POST' ? 201 : 200, invoice(`inv_${index}`)));
    const client = createClient({ baseUrl, apiKey: 'sk_test', fetch: stub.fetch });

    const first = await client.invoices.create({ amount_msat: 5_000 });
    const second = await client.invoices.create({ amount_msat: 5_000 });
    await client.invoices.get('inv_0');

    const [firstKey, secondKey] = stub.seen.slice(0, 2).map((request) => request.headers.get('idempotency-key'));
    expect(firstKey).toMatch(UUID);
    expect(secondKey).toMatch(UUID);
    expect(secondKey).not.toBe(firstKey);
    expect(stub.seen[2]!.headers.has('idempotency-key')).toBe(false);
    expect(responseInfo(first)).toMatchObject({ status: 201, idempotencyKey: firstKey, replayed: false });
    expect(responseInfo(second)?.idempotencyKey).toBe(secondKey);
    expect(stub.seen.map((request) => request.headers.get('authorization'))).toEqual(['Bearer sk_test', 'Bearer sk_test', 'Bearer sk_test']);
  });

  it("uses the caller's key for one call, and the client's generator for the others", async () => {
    const stub = stubFetch(() => json(201, invoice('inv_1')));
    let made = 0;
    const client = createClient({ baseUrl, apiKey: 'sk_test', fetch: stub.fetch, idempotencyKey: () => `key-${++made}` });

    await client.invoices.create({ amount_msat: 5_000 }, { idempotencyKey: 'order-42' });
    await client.withdrawals.create({ bolt11: 'lnbcrt1' });
    await client.raw.POST('/v1/transfers', { body: { from_account_id: 'acct_a', to_account_id: 'acct_b', amount_msat: 1_000 } });

    expect(stub.seen.map((request) => request.headers.get('idempotency-key'))).toEqual(['order-42', 'key-1', 'key-2']);
  });

  it('reports a replayed answer', async () => {
    const stub = stubFetch(() => json(201, invoice('inv_1'), { 'Idempotent-Replayed': 'true' }));
    const client = createClient({ baseUrl, apiKey: 'sk_test', fetch: stub.fetch });
    const replayed = await client.invoices.create({ amount_msat: 5_000 }, { idempotencyKey: 'order-42' });
    expect(responseInfo(replayed)).toMatchObject({ replayed: true, idempotencyKey: 'order-42' });
  });

  it('retries a 503 and a lost connection with the same key, and returns the answer that came', async () => {
    const stub = stubFetch((_, index) => {
      if (index === 0) return apiError(503, 'unavailable', 'node_unavailable');
      if (index === 1) throw new TypeError('fetch failed');
      return json(202, { id: 'wd_1', status: 'pending' });
    });
    const client = createClient({ baseUrl, apiKey: 'sk_test', fetch: stub.fetch, retry: fastRetries });

    const withdrawal = await client.withdrawals.create({ bolt11: 'lnbcrt1' });

    expect(withdrawal.id).toBe('wd_1');
    const keys = stub.seen.map((request) => request.headers.get('idempotency-key'));
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(UUID);
    expect(stub.seen.map((request) => request.body)).toEqual(Array(3).fill(JSON.stringify({ bolt11: 'lnbcrt1' })));
  });

  it('waits out a 429 that asks for little, and gives up on one that asks for more than it waits', async () => {
    const brief = stubFetch((_, index) => (index === 0 ? apiError(429, 'rate_limited', 'rate_limited', {}, { 'Retry-After': '0' }) : json(200, invoice('inv_1'))));
    await createClient({ baseUrl, apiKey: 'sk_test', fetch: brief.fetch, retry: fastRetries }).invoices.get('inv_1');
    expect(brief.seen).toHaveLength(2);

    const long = stubFetch(() => apiError(429, 'rate_limited', 'rate_limited', {}, { 'Retry-After': '60' }));
    const refused = await createClient({ baseUrl, apiKey: 'sk_test', fetch: long.fetch, retry: fastRetries })
      .invoices.create({ amount_msat: 5_000 }, { idempotencyKey: 'k-1' })
      .catch((error: unknown) => error);
    expect(long.seen).toHaveLength(1);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 429, code: 'rate_limited', retryAfterSec: 60, idempotencyKey: 'k-1' });
  });

  it('stops after maxRetries and does not retry a DELETE whose connection was lost', async () => {
    const busy = stubFetch(() => apiError(503, 'unavailable', 'node_unavailable'));
    const error = await createClient({ baseUrl, apiKey: 'sk_test', fetch: busy.fetch, retry: { ...fastRetries, maxRetries: 3 } })
      .invoices.create({ amount_msat: 5_000 })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 503, code: 'node_unavailable' });
    expect(busy.seen).toHaveLength(4);

    const lost = stubFetch(() => {
      throw new TypeError('fetch failed');
    });
    await expect(createClient({ baseUrl, apiKey: 'sk_test', fetch: lost.fetch, retry: fastRetries }).webhookEndpoints.delete('we_1')).rejects.toThrow(/got no answer/);
    expect(lost.seen).toHaveLength(1);
  });
});
