import { describe, expect, it } from 'vitest';
import { useApiHarness } from '../support/api-harness';

describe('smoke', () => {
  const api = useApiHarness();
  it('creates an account, funds it and transfers', async () => {
    const shop = await api.newMerchant();
    const account = await api.request('POST', '/v1/accounts', { key: shop.secret_key, body: { label: 'x' } });
    expect(account.status, account.text).toBe(201);
    await api.fund(shop.secret_key, shop.default_account_id, 50_000);
    const transfer = await api.request('POST', '/v1/transfers', {
      key: shop.secret_key,
      body: { from_account_id: shop.default_account_id, to_account_id: account.body.id, amount_msat: 20_000 },
      idempotencyKey: 'abc',
    });
    expect(transfer.status, transfer.text).toBe(201);
    const again = await api.request('POST', '/v1/transfers', {
      key: shop.secret_key,
      body: { from_account_id: shop.default_account_id, to_account_id: account.body.id, amount_msat: 20_000 },
      idempotencyKey: 'abc',
    });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(transfer.body);
    const got = await api.request('GET', `/v1/accounts/${account.body.id}`, { key: shop.invoice_key });
    expect(got.body.balance_msat).toBe(20_000);
  });
});
