import { describe, expect, it } from 'vitest';
import { setMerchantRateLimit } from '../../functions/lib/merchants/rate-limit';
import { useApiHarness } from '../support/api-harness';

const LIMIT = 5;

describe('per-merchant rate limit', () => {
  // A pinned clock, so every request of a test falls in one window; moving it opens the next.
  let clock = new Date('2026-03-01T10:00:00.250Z');
  const api = useApiHarness({ merchantRateLimit: LIMIT, now: () => clock });
  const nextWindow = () => (clock = new Date(clock.getTime() + 1_000));

  it('answers 429 rate_limited to one merchant over its limit while another is unaffected, with RateLimit headers on every answer', async () => {
    nextWindow();
    const busy = await api.newMerchant('Busy');
    const quiet = await api.newMerchant('Quiet');
    for (let i = 0; i < LIMIT; i++) {
      const reply = await api.request('GET', '/v1/accounts', { key: busy.secret_key });
      expect(reply.status).toBe(200);
      expect([reply.headers.get('ratelimit-limit'), reply.headers.get('ratelimit-remaining'), reply.headers.get('ratelimit-reset')]).toEqual([String(LIMIT), String(LIMIT - 1 - i), '1']);
    }
    const refused = await api.request('GET', '/v1/accounts', { key: busy.secret_key });
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ error: { type: 'rate_limited', code: 'rate_limited', message: 'Too many requests' } });
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    // Errors carry the headers too, and the other merchant has its own window.
    const notFound = await api.request('GET', '/v1/accounts/acct_nope', { key: quiet.secret_key });
    expect(notFound.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 1));
    expect((await api.request('GET', '/v1/accounts', { key: quiet.invoice_key })).status).not.toBe(429);

    nextWindow();
    expect((await api.request('GET', '/v1/accounts', { key: busy.secret_key })).status).toBe(200);
  });

  it('admits exactly the limit of concurrent requests, across keys of the merchant', async () => {
    nextWindow();
    const shop = await api.newMerchant();
    const replies = await Promise.all(Array.from({ length: LIMIT * 3 }, (_, i) => api.request('GET', '/v1/accounts', { key: i % 2 ? shop.secret_key : shop.invoice_key })));
    const statuses = replies.map((reply) => reply.status);
    expect(statuses.filter((status) => status !== 429)).toHaveLength(LIMIT);
    expect(statuses.filter((status) => status === 429)).toHaveLength(LIMIT * 2);
  });

  it('a 429 creates nothing and is not kept under its Idempotency-Key: the retry in the next window works', async () => {
    nextWindow();
    const shop = await api.newMerchant();
    for (let i = 0; i < LIMIT; i++) await api.request('GET', '/v1/accounts', { key: shop.secret_key });
    const create = () => api.request('POST', '/v1/invoices', { key: shop.secret_key, body: { amount_msat: 1_000 }, idempotencyKey: 'order-1' });
    expect((await create()).status).toBe(429);
    nextWindow();
    const listed = await api.request('GET', '/v1/invoices', { key: shop.secret_key });
    expect(listed.body.data).toEqual([]);
    const retried = await create();
    expect(retried.status, retried.text).toBe(201);
  });

  it('takes a per-merchant limit set by the operator, and goes back to the default', async () => {
    nextWindow();
    const shop = await api.newMerchant();
    await setMerchantRateLimit(api.table, shop.merchant_id, 2);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await api.request('GET', '/v1/accounts', { key: shop.secret_key })).status);
    expect(statuses).toEqual([200, 200, 429]);
    await setMerchantRateLimit(api.table, shop.merchant_id, undefined);
    expect((await api.request('GET', '/v1/accounts', { key: shop.secret_key })).headers.get('ratelimit-limit')).toBe(String(LIMIT));
  });
});
