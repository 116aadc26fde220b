import { describe, expect, it } from 'vitest';
import { useApiHarness } from '../support/api-harness';

describe('accounts', () => {
  const api = useApiHarness();

  describe('POST /v1/accounts', () => {
    it('creates an account with external_id and label, balance 0', async () => {
      const shop = await api.newMerchant();
      const reply = await api.request('POST', '/v1/accounts', { key: shop.secret_key, body: { external_id: 'tg:12345', label: 'Alice' } });
      expect(reply.status).toBe(201);
      expect(reply.body).toEqual({ id: expect.stringMatching(/^acct_/), external_id: 'tg:12345', label: 'Alice', balance_msat: 0, created_at: expect.any(String) });
      expect(new Date(reply.body.created_at).toISOString()).toBe(reply.body.created_at);
    });

    it('refuses a second account with the same external_id (409 already_exists), but another merchant may use it', async () => {
      const shop = await api.newMerchant();
      const other = await api.newMerchant();
      expect((await api.request('POST', '/v1/accounts', { key: shop.secret_key, body: { external_id: 'user-1' } })).status).toBe(201);
      const again = await api.request('POST', '/v1/accounts', { key: shop.secret_key, body: { external_id: 'user-1' } });
      expect(again.status).toBe(409);
      expect(again.body.error).toMatchObject({ type: 'conflict', code: 'already_exists', param: 'external_id' });
      expect((await api.request('POST', '/v1/accounts', { key: other.secret_key, body: { external_id: 'user-1' } })).status).toBe(201);
    });

    it('refuses external_id and label over 128 characters', async () => {
      const shop = await api.newMerchant();
      for (const field of ['external_id', 'label']) {
        const reply = await api.request('POST', '/v1/accounts', { key: shop.secret_key, body: { [field]: 'x'.repeat(129) } });
        expect(reply.status).toBe(400);
        expect(reply.body.error).toMatchObject({ code: 'validation_failed', param: field });
      }
      expect((await api.request('POST', '/v1/accounts', { key: shop.secret_key, body: { external_id: 'x'.repeat(128), label: 'y'.repeat(128) } })).status).toBe(201);
    });
  });

  describe('GET /v1/accounts/{id}', () => {
    it('shows the account to either key', async () => {
      const shop = await api.newMerchant();
      for (const key of [shop.secret_key, shop.invoice_key]) {
        const reply = await api.request('GET', `/v1/accounts/${shop.default_account_id}`, { key });
        expect(reply.status).toBe(200);
        expect(reply.body).toMatchObject({ id: shop.default_account_id, label: 'default', balance_msat: 0 });
      }
    });

    it('answers 404 for an id that does not exist or is malformed', async () => {
      const shop = await api.newMerchant();
      for (const id of ['acct_06gzrswwp1m4ypa93mj1rs4f0j0w9byhzb9g', 'acct_x', 'inv_06gzrswwp1m4ypa93mj1rs4f0j0w9byhzb9g', ' ']) {
        const reply = await api.request('GET', `/v1/accounts/${encodeURIComponent(id)}`, { key: shop.secret_key });
        expect(reply.status, id).toBe(404);
        expect(reply.body.error).toEqual({ type: 'not_found', code: 'not_found', message: `No such account: ${id}` });
      }
    });
  });

  describe('GET /v1/accounts', () => {
    it('lists newest first and pages with limit and cursor', async () => {
      const shop = await api.newMerchant();
      const made: string[] = [shop.default_account_id];
      for (let i = 0; i < 4; i++) made.push((await api.request('POST', '/v1/accounts', { key: shop.secret_key, body: { label: `n${i}` } })).body.id);
      const seen: string[] = [];
      let cursor: string | null = null;
      const pages: boolean[] = [];
      do {
        const reply: any = await api.request('GET', `/v1/accounts?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { key: shop.invoice_key });
        expect(reply.status).toBe(200);
        seen.push(...reply.body.data.map((account: { id: string }) => account.id));
        pages.push(reply.body.has_more);
        cursor = reply.body.next_cursor;
        expect(cursor === null).toBe(!reply.body.has_more);
      } while (cursor);
      expect(seen).toEqual([...made].reverse());
      expect(pages).toEqual([true, true, false]);
      const exact = await api.request('GET', '/v1/accounts?limit=5', { key: shop.secret_key });
      expect(exact.body.data).toHaveLength(5);
      expect(exact.body).toMatchObject({ has_more: false, next_cursor: null });
      const defaults = await api.request('GET', '/v1/accounts', { key: shop.secret_key });
      expect(defaults.body.data).toHaveLength(5);
    });

    it('finds an account by external_id', async () => {
      const shop = await api.newMerchant();
      const account = await api.request('POST', '/v1/accounts', { key: shop.secret_key, body: { external_id: 'discord:42' } });
      const found = await api.request('GET', '/v1/accounts?external_id=discord%3A42', { key: shop.secret_key });
      expect(found.body).toEqual({ data: [account.body], has_more: false, next_cursor: null });
      const none = await api.request('GET', '/v1/accounts?external_id=nobody', { key: shop.secret_key });
      expect(none.body).toEqual({ data: [], has_more: false, next_cursor: null });
    });

    it('refuses a bad limit, a tampered cursor, an unknown parameter', async () => {
      const shop = await api.newMerchant();
      for (const [query, param] of [
        ['limit=0', 'limit'],
        ['limit=101', 'limit'],
        ['limit=abc', 'limit'],
        ['limit=2.5', 'limit'],
        ['cursor=not-a-cursor!', 'cursor'],
        [`cursor=${Buffer.from('ACCOUNTS:acct_zzz').toString('base64url')}`, 'cursor'],
        [`cursor=${Buffer.from(`INVOICES:${shop.default_account_id}`).toString('base64url')}`, 'cursor'],
        ['color=blue', 'color'],
      ] as const) {
        const reply = await api.request('GET', `/v1/accounts?${query}`, { key: shop.secret_key });
        expect(reply.status, query).toBe(400);
        expect(reply.body.error).toMatchObject({ code: 'validation_failed', param });
      }
    });

    it("never pages into another merchant's accounts, whatever the cursor", async () => {
      const victim = await api.newMerchant();
      const attacker = await api.newMerchant();
      // A well-formed cursor that names the victim's account: it positions within the attacker's own list.
      const cursor = Buffer.from(`ACCOUNTS:${victim.default_account_id}`).toString('base64url');
      const reply = await api.request('GET', `/v1/accounts?cursor=${cursor}`, { key: attacker.secret_key });
      expect(reply.status).toBe(200);
      for (const account of reply.body.data) expect(account.id).not.toBe(victim.default_account_id);
    });
  });

  describe('GET /v1/accounts/{id}/ledger', () => {
    it('lists ledger entries newest first, paged, summing to the balance', async () => {
      const shop = await api.newMerchant();
      const other = await api.request('POST', '/v1/accounts', { key: shop.secret_key, body: {} });
      await api.fund(shop.secret_key, shop.default_account_id, 100_000);
      for (const amount of [1_000, 2_000, 3_000]) {
        await api.request('POST', '/v1/transfers', { key: shop.secret_key, body: { from_account_id: shop.default_account_id, to_account_id: other.body.id, amount_msat: amount } });
      }
      const first = await api.request('GET', `/v1/accounts/${shop.default_account_id}/ledger?limit=3`, { key: shop.secret_key });
      expect(first.status).toBe(200);
      expect(first.body.data.map((entry: { type: string; amount_msat: number }) => [entry.type, entry.amount_msat])).toEqual([
        ['transfer_out', -3_000],
        ['transfer_out', -2_000],
        ['transfer_out', -1_000],
      ]);
      expect(first.body.has_more).toBe(true);
      const second = await api.request('GET', `/v1/accounts/${shop.default_account_id}/ledger?limit=3&cursor=${first.body.next_cursor}`, { key: shop.secret_key });
      expect(second.body.data.map((entry: { type: string }) => entry.type)).toEqual(['deposit']);
      expect(second.body).toMatchObject({ has_more: false, next_cursor: null });
      const entry = first.body.data[0];
      expect(Object.keys(entry).sort()).toEqual(['account_id', 'amount_msat', 'created_at', 'id', 'reference_id', 'type']);
      expect(entry.reference_id).toMatch(/^tr_/);
      const all = [...first.body.data, ...second.body.data];
      const balance = (await api.request('GET', `/v1/accounts/${shop.default_account_id}`, { key: shop.secret_key })).body.balance_msat;
      expect(all.reduce((sum: number, item: { amount_msat: number }) => sum + item.amount_msat, 0)).toBe(balance);
    });

    it('is for the secret key only', async () => {
      const shop = await api.newMerchant();
      const reply = await api.request('GET', `/v1/accounts/${shop.default_account_id}/ledger`, { key: shop.invoice_key });
      expect(reply.status).toBe(403);
      expect(reply.body.error.code).toBe('permission_denied');
    });
  });
});
