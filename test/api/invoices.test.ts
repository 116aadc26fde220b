import { createHash } from 'node:crypto';
import bolt11 from 'bolt11';
import { describe, expect, it } from 'vitest';
import { ApiNode } from '../../functions/lib/node/api-node';
import { startApiHarness, useApiHarness } from '../support/api-harness';

describe('invoices', () => {
  const api = useApiHarness({ config: { maxInvoiceMsat: 5_000_000 } });

  describe('POST /v1/invoices', () => {
    it('creates the invoice on the node and stores it: 201 with bolt11, payment hash, checkout_url', async () => {
      const shop = await api.newMerchant();
      const before = Date.now();
      const reply = await api.request('POST', '/v1/invoices', {
        key: shop.invoice_key,
        body: { amount_msat: 150_000, memo: 'Order 42', expiry_seconds: 600, reference: 'order-42', metadata: { order: '42' } },
      });
      expect(reply.status, reply.text).toBe(201);
      const invoice = reply.body;
      expect(invoice).toMatchObject({
        id: expect.stringMatching(/^inv_[0-9a-z]{36}$/),
        account_id: shop.default_account_id,
        status: 'pending',
        amount_msat: 150_000,
        amount_paid_msat: null,
        memo: 'Order 42',
        reference: 'order-42',
        metadata: { order: '42' },
        paid_at: null,
        checkout_url: `http://127.0.0.1:3000/checkout/${invoice.id}`,
      });
      expect(invoice.payment_hash).toMatch(/^[0-9a-f]{64}$/);
      const decoded = bolt11.decode(invoice.bolt11);
      expect(decoded.prefix).toMatch(/^lnbcrt/);
      expect(decoded.millisatoshis).toBe('150000');
      expect(decoded.tagsObject.payment_hash).toBe(invoice.payment_hash);
      expect(decoded.tagsObject.description).toBe('Order 42');
      expect(decoded.payeeNodeKey).toBe(api.simulator.pubkey);
      const expiresInSec = (Date.parse(invoice.expires_at) - before) / 1000;
      expect(expiresInSec).toBeGreaterThan(595);
      expect(expiresInSec).toBeLessThan(605);
      // It exists on the node.
      expect((await api.node.lookupInvoice(invoice.payment_hash))?.state).toBe('open');
    });

    it('defaults: default account, 3,600 s expiry, no memo', async () => {
      const shop = await api.newMerchant();
      const reply = await api.request('POST', '/v1/invoices', { key: shop.secret_key, body: { amount_msat: 1_000 } });
      expect(reply.status).toBe(201);
      expect(reply.body).toMatchObject({ account_id: shop.default_account_id, memo: null, reference: null, metadata: {} });
      const expiresInSec = (Date.parse(reply.body.expires_at) - Date.parse(reply.body.created_at)) / 1000;
      expect(expiresInSec).toBe(3_600);
    });

    // LND commits an invoice to any hash it is given; Core Lightning hashes the description
    // text itself, and the API takes no text beside description_hash.
    it('passes description_hash through to the BOLT11 on LND; on Core Lightning refuses it (400 unsupported_by_backend) and stores nothing', async () => {
      const shop = await api.newMerchant();
      const descriptionHash = createHash('sha256').update('{"long":"description"}').digest('hex');
      const reply = await api.request('POST', '/v1/invoices', {
        key: shop.secret_key,
        idempotencyKey: 'deschash-1',
        body: { amount_msat: 2_000, description_hash: descriptionHash.toUpperCase() },
      });
      if (api.simulator.backend === 'lnd') {
        expect(reply.status, reply.text).toBe(201);
        expect(bolt11.decode(reply.body.bolt11).tagsObject.purpose_commit_hash).toBe(descriptionHash);
        return;
      }
      expect(reply.status, reply.text).toBe(400);
      expect(reply.body.error).toEqual({
        type: 'invalid_request',
        code: 'unsupported_by_backend',
        message: 'description_hash needs the description text on Core Lightning; send memo instead',
        param: 'description_hash',
      });
      expect((await api.request('GET', '/v1/invoices', { key: shop.secret_key })).body.data).toEqual([]);
      // A retry under the key gets the same refusal, as any 4xx; with a memo the invoice is made.
      const retried = await api.request('POST', '/v1/invoices', { key: shop.secret_key, idempotencyKey: 'deschash-1', body: { amount_msat: 2_000, description_hash: descriptionHash.toUpperCase() } });
      expect(retried.body).toEqual(reply.body);
      const withMemo = await api.request('POST', '/v1/invoices', { key: shop.secret_key, body: { amount_msat: 2_000, memo: 'a long description' } });
      expect(withMemo.status, withMemo.text).toBe(201);
    });

    it('credits another account of the merchant when account_id is given', async () => {
      const shop = await api.newMerchant();
      const account = await api.request('POST', '/v1/accounts', { key: shop.secret_key, body: {} });
      const reply = await api.request('POST', '/v1/invoices', { key: shop.invoice_key, body: { amount_msat: 3_000, account_id: account.body.id } });
      expect(reply.body.account_id).toBe(account.body.id);
      await api.settleInvoice(reply.body.id, 3_500);
      const credited = await api.request('GET', `/v1/accounts/${account.body.id}`, { key: shop.invoice_key });
      expect(credited.body.balance_msat).toBe(3_500);
      const paid = await api.request('GET', `/v1/invoices/${reply.body.id}`, { key: shop.invoice_key });
      expect(paid.body).toMatchObject({ status: 'paid', amount_paid_msat: 3_500, paid_at: expect.any(String) });
    });

    it('answers 404 with param for an account that is not the merchant’s, before touching the node', async () => {
      const shop = await api.newMerchant();
      const other = await api.newMerchant();
      const reply = await api.request('POST', '/v1/invoices', { key: shop.secret_key, body: { amount_msat: 3_000, account_id: other.default_account_id } });
      expect(reply.status).toBe(404);
      expect(reply.body.error).toMatchObject({ code: 'not_found', param: 'account_id' });
    });

    it('refuses amounts outside 1,000 … the configured maximum with amount_out_of_range', async () => {
      const shop = await api.newMerchant();
      for (const amount of [999, 0, -1, 5_000_001]) {
        const reply = await api.request('POST', '/v1/invoices', { key: shop.secret_key, body: { amount_msat: amount } });
        expect(reply.status, String(amount)).toBe(400);
        expect(reply.body.error).toMatchObject({ type: 'invalid_request', code: 'amount_out_of_range', param: 'amount_msat' });
      }
      for (const amount of [1_000.5, '5000', null, 1e300]) {
        const reply = await api.request('POST', '/v1/invoices', { key: shop.secret_key, body: { amount_msat: amount } });
        expect(reply.body.error, String(amount)).toMatchObject({ code: 'validation_failed', param: 'amount_msat' });
      }
      expect((await api.request('POST', '/v1/invoices', { key: shop.secret_key, body: { amount_msat: 5_000_000 } })).status).toBe(201);
      expect((await api.request('POST', '/v1/invoices', { key: shop.secret_key, body: {} })).body.error).toMatchObject({
        code: 'validation_failed',
        param: 'amount_msat',
      });
    });

    it('measures memo in UTF-8 bytes (639 at most) and refuses memo together with description_hash', async () => {
      const shop = await api.newMerchant();
      const fits = '€'.repeat(213); // 639 bytes
      expect((await api.request('POST', '/v1/invoices', { key: shop.secret_key, body: { amount_msat: 1_000, memo: fits } })).status).toBe(201);
      const tooLong = await api.request('POST', '/v1/invoices', { key: shop.secret_key, body: { amount_msat: 1_000, memo: `${fits}x` } });
      expect(tooLong.body.error).toMatchObject({ code: 'validation_failed', param: 'memo' });
      const both = await api.request('POST', '/v1/invoices', { key: shop.secret_key, body: { amount_msat: 1_000, memo: 'a', description_hash: 'a'.repeat(64) } });
      expect(both.body.error).toMatchObject({ code: 'validation_failed', param: 'description_hash' });
      const badHash = await api.request('POST', '/v1/invoices', { key: shop.secret_key, body: { amount_msat: 1_000, description_hash: 'xyz' } });
      expect(badHash.body.error).toMatchObject({ code: 'validation_failed', param: 'description_hash' });
    });

    it('checks expiry_seconds, reference and metadata limits', async () => {
      const shop = await api.newMerchant();
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ expiry_seconds: 59 }, 'expiry_seconds'],
        [{ expiry_seconds: 604_801 }, 'expiry_seconds'],
        [{ expiry_seconds: 60.5 }, 'expiry_seconds'],
        [{ reference: 'r'.repeat(129) }, 'reference'],
        [{ metadata: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) }, 'metadata'],
        [{ metadata: { ['k'.repeat(41)]: 'v' } }, `metadata.${'k'.repeat(41)}`],
        [{ metadata: { k: 'v'.repeat(501) } }, 'metadata.k'],
        [{ metadata: { k: 5 } }, 'metadata.k'],
        [{ metadata: 'x' }, 'metadata'],
      ];
      for (const [extra, param] of cases) {
        const reply = await api.request('POST', '/v1/invoices', { key: shop.secret_key, body: { amount_msat: 1_000, ...extra } });
        expect(reply.status, JSON.stringify(extra).slice(0, 60)).toBe(400);
        expect(reply.body.error).toMatchObject({ code: 'validation_failed', param });
      }
      const limits = {
        amount_msat: 1_000,
        expiry_seconds: 604_800,
        reference: 'r'.repeat(128),
        metadata: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`${'k'.repeat(38)}${String(i).padStart(2, '0')}`, 'v'.repeat(500)])),
      };
      expect((await api.request('POST', '/v1/invoices', { key: shop.secret_key, body: limits })).status).toBe(201);
    });
  });

  describe('GET /v1/invoices and /v1/invoices/{id}', () => {
    it('gets one invoice, lists newest first, filters by status, account_id and reference with exact has_more', async () => {
      const shop = await api.newMerchant();
      const second = (await api.request('POST', '/v1/accounts', { key: shop.secret_key, body: {} })).body.id;
      const create = async (body: Record<string, unknown>) => (await api.request('POST', '/v1/invoices', { key: shop.invoice_key, body: { amount_msat: 1_000, ...body } })).body;
      const a = await create({ reference: 'alpha' });
      const b = await create({ account_id: second });
      const c = await create({ reference: 'alpha' });
      const d = await create({});
      await api.settleInvoice(b.id);

      const got = await api.request('GET', `/v1/invoices/${a.id}`, { key: shop.invoice_key });
      expect(got.body).toEqual(a);

      const list = async (query: string) => (await api.request('GET', `/v1/invoices?${query}`, { key: shop.secret_key })).body;
      expect((await list('')).data.map((invoice: { id: string }) => invoice.id)).toEqual([d.id, c.id, b.id, a.id]);
      expect(await list('status=paid')).toMatchObject({ data: [{ id: b.id, status: 'paid' }], has_more: false });
      expect((await list('status=pending')).data.map((invoice: { id: string }) => invoice.id)).toEqual([d.id, c.id, a.id]);
      expect((await list(`account_id=${second}`)).data.map((invoice: { id: string }) => invoice.id)).toEqual([b.id]);
      const alpha1 = await list('reference=alpha&limit=1');
      expect(alpha1).toMatchObject({ data: [{ id: c.id }], has_more: true });
      const alpha2 = await list(`reference=alpha&limit=1&cursor=${alpha1.next_cursor}`);
      expect(alpha2).toEqual({ data: [expect.objectContaining({ id: a.id })], has_more: false, next_cursor: null });
      // Two matches, limit 2: the page is full and there is nothing more.
      expect(await list('reference=alpha&limit=2')).toMatchObject({ has_more: false, next_cursor: null });
      expect(await list('status=pending&reference=alpha&account_id=nope')).toEqual({ data: [], has_more: false, next_cursor: null });
      const badStatus = await api.request('GET', '/v1/invoices?status=settled', { key: shop.secret_key });
      expect(badStatus.body.error).toMatchObject({ code: 'validation_failed', param: 'status' });
    });
  });

  describe('GET /v1/public/invoices/{id}', () => {
    it('shows only what a payer may see, without a key', async () => {
      const shop = await api.newMerchant();
      const invoice = (await api.request('POST', '/v1/invoices', { key: shop.invoice_key, body: { amount_msat: 4_000, memo: 'Coffee', reference: 'secret-ref', metadata: { user: 'u1' } } })).body;
      const reply = await api.request('GET', `/v1/public/invoices/${invoice.id}`);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({
        id: invoice.id,
        status: 'pending',
        amount_msat: 4_000,
        bolt11: invoice.bolt11,
        memo: 'Coffee',
        expires_at: invoice.expires_at,
        paid_at: null,
      });
      await api.settleInvoice(invoice.id);
      expect((await api.request('GET', `/v1/public/invoices/${invoice.id}`)).body).toMatchObject({ status: 'paid', paid_at: expect.any(String) });
      for (const id of ['inv_06gzrswwp1m4ypa93mj1rs4f0j0w9byhzb9g', 'inv_x', shop.default_account_id]) {
        expect((await api.request('GET', `/v1/public/invoices/${id}`)).status).toBe(404);
      }
    });
  });

  describe('when the node is on another network than the deployment', () => {
    it('refuses to pay anything (503) rather than check BOLT11s against the wrong network', async () => {
      const misconfigured = await startApiHarness({
        node: async (_node, simulator) => new ApiNode(await simulator.connect('invoices'), { expectedNetwork: 'mainnet' }),
      });
      try {
        const shop = await misconfigured.newMerchant();
        const reply = await misconfigured.request('POST', '/v1/withdrawals', { key: shop.secret_key, body: { bolt11: api.simulator.createOutsideInvoice({ amountMsat: 1_000 }).bolt11 } });
        expect(reply.status).toBe(503);
        expect(reply.body.error.code).toBe('node_unavailable');
        expect(JSON.stringify(misconfigured.loggedErrors)).toContain('LND_NETWORK is mainnet but the node runs on regtest');
      } finally {
        await misconfigured.stop();
      }
    });
  });

  describe('when the node is down', () => {
    it('answers 503 node_unavailable, stores nothing, and discloses nothing', async () => {
      const down = await startApiHarness({
        // A node that is not there: a closed port, with the simulator's real credentials.
        node: async (_node, simulator) => new ApiNode(await simulator.connect('invoices', { host: '127.0.0.1:1', unaryTimeoutMs: 2_000 })),
      });
      try {
        const shop = await down.newMerchant();
        const reply = await down.request('POST', '/v1/invoices', { key: shop.secret_key, body: { amount_msat: 1_000 } });
        expect(reply.status).toBe(503);
        expect(reply.body).toEqual({ error: { type: 'unavailable', code: 'node_unavailable', message: 'The Lightning node is unavailable; try again shortly' } });
        expect((await down.request('GET', '/v1/invoices', { key: shop.secret_key })).body.data).toEqual([]);
        const withdrawal = await down.request('POST', '/v1/withdrawals', { key: shop.secret_key, body: { bolt11: api.simulator.createOutsideInvoice({ amountMsat: 1_000 }).bolt11 } });
        expect(withdrawal.status).toBe(503);
      } finally {
        await down.stop();
      }
    });
  });
});
