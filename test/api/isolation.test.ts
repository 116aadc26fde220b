import { beforeAll, describe, expect, it } from 'vitest';
import { AuthMode } from '../../functions/http/authenticate';
import { IdPrefix, newId } from '../../functions/lib/ids';
import type { CreatedMerchant } from '../../functions/lib/merchants/create-merchant';
import { routes } from '../../functions/routes';
import { useApiHarness, type ApiReply } from '../support/api-harness';
import { readAccount } from '../support/ledger-fixtures';

describe('tenant isolation and keys', () => {
  const api = useApiHarness();
  let victim: CreatedMerchant;
  let attacker: CreatedMerchant;
  const theirs = { account: '', invoice: '', withdrawal: '', transfer: '' };

  beforeAll(async () => {
    victim = await api.newMerchant('Victim');
    attacker = await api.newMerchant('Attacker');
    await api.fund(victim.secret_key, victim.default_account_id, 500_000);
    await api.fund(attacker.secret_key, attacker.default_account_id, 500_000);
    theirs.account = (await api.request('POST', '/v1/accounts', { key: victim.secret_key, body: { external_id: 'victim-user' } })).body.id;
    theirs.invoice = (await api.request('POST', '/v1/invoices', { key: victim.secret_key, body: { amount_msat: 5_000, reference: 'victim-ref' } })).body.id;
    theirs.withdrawal = (await api.request('POST', '/v1/withdrawals', { key: victim.secret_key, body: { bolt11: api.simulator.createOutsideInvoice({ amountMsat: 1_000 }).bolt11 } })).body.id;
    theirs.transfer = (
      await api.request('POST', '/v1/transfers', { key: victim.secret_key, body: { from_account_id: victim.default_account_id, to_account_id: theirs.account, amount_msat: 1_000 } })
    ).body.id;
  });

  /** Another merchant's id and an id that exists nowhere must read the same, but for the id itself. */
  function expectSameAsMissing(theirsReply: ApiReply, missingReply: ApiReply, theirsId: string, missingId: string) {
    expect(theirsReply.status).toBe(404);
    expect(missingReply.status).toBe(404);
    expect(theirsReply.text.replaceAll(theirsId, '<id>')).toBe(missingReply.text.replaceAll(missingId, '<id>'));
  }

  it("answers another merchant's ids in paths with 404, exactly like ids that do not exist", async () => {
    const cases: Array<[string, string, string]> = [
      ['/v1/accounts/{id}', theirs.account, newId(IdPrefix.account)],
      ['/v1/accounts/{id}/ledger', victim.default_account_id, newId(IdPrefix.account)],
      ['/v1/invoices/{id}', theirs.invoice, newId(IdPrefix.invoice)],
      ['/v1/withdrawals/{id}', theirs.withdrawal, newId(IdPrefix.withdrawal)],
      ['/v1/transfers/{id}', theirs.transfer, newId(IdPrefix.transfer)],
    ];
    for (const [template, theirsId, missingId] of cases) {
      const theirsReply = await api.request('GET', template.replace('{id}', theirsId), { key: attacker.secret_key });
      const missingReply = await api.request('GET', template.replace('{id}', missingId), { key: attacker.secret_key });
      expectSameAsMissing(theirsReply, missingReply, theirsId, missingId);
    }
  });

  it("answers another merchant's account ids in bodies with 404 and the field as param, like missing ones", async () => {
    const missing = newId(IdPrefix.account);
    const bodies: Array<[string, (account: string) => Record<string, unknown>]> = [
      ['/v1/transfers', (account) => ({ from_account_id: account, to_account_id: attacker.default_account_id, amount_msat: 1_000 })],
      ['/v1/transfers', (account) => ({ from_account_id: attacker.default_account_id, to_account_id: account, amount_msat: 1_000 })],
      ['/v1/invoices', (account) => ({ amount_msat: 1_000, account_id: account })],
      ['/v1/withdrawals', (account) => ({ bolt11: api.simulator.createOutsideInvoice({ amountMsat: 1_000 }).bolt11, account_id: account })],
    ];
    for (const [path, body] of bodies) {
      const theirsReply = await api.request('POST', path, { key: attacker.secret_key, body: body(victim.default_account_id) });
      const missingReply = await api.request('POST', path, { key: attacker.secret_key, body: body(missing) });
      expectSameAsMissing(theirsReply, missingReply, victim.default_account_id, missing);
      expect(theirsReply.body.error.param).toMatch(/account_id$/);
    }
    expect((await readAccount(api.table, victim.default_account_id)).balance_msat).toBe(500_000 - 1_000 - 10_000 - 1_000);
  });

  it("never lists another merchant's objects, whatever the filter", async () => {
    for (const path of [
      '/v1/accounts',
      '/v1/accounts?external_id=victim-user',
      '/v1/invoices',
      `/v1/invoices?account_id=${victim.default_account_id}`,
      '/v1/invoices?reference=victim-ref',
      '/v1/withdrawals',
      `/v1/withdrawals?account_id=${victim.default_account_id}`,
      '/v1/transfers',
    ]) {
      const reply = await api.request('GET', path, { key: attacker.secret_key });
      expect(reply.status, path).toBe(200);
      for (const id of [...Object.values(theirs), victim.default_account_id]) expect(reply.text, path).not.toContain(id);
    }
  });

  it('keeps the invoice key away from money: 403 on every route that moves or shows it', async () => {
    const moving: Array<[string, string, Record<string, unknown> | undefined]> = [
      ['POST', '/v1/transfers', { from_account_id: victim.default_account_id, to_account_id: theirs.account, amount_msat: 1_000 }],
      ['POST', '/v1/withdrawals', { bolt11: api.simulator.createOutsideInvoice({ amountMsat: 1_000 }).bolt11 }],
      ['POST', '/v1/accounts', {}],
      ['GET', '/v1/withdrawals', undefined],
      ['GET', `/v1/withdrawals/${theirs.withdrawal}`, undefined],
      ['GET', '/v1/transfers', undefined],
      ['GET', `/v1/transfers/${theirs.transfer}`, undefined],
      ['GET', `/v1/accounts/${victim.default_account_id}/ledger`, undefined],
    ];
    const before = (await readAccount(api.table, victim.default_account_id)).balance_msat;
    for (const [method, path, body] of moving) {
      const reply = await api.request(method, path, { key: victim.invoice_key, ...(body ? { body } : {}) });
      expect(reply.status, `${method} ${path}`).toBe(403);
      expect(reply.body.error).toMatchObject({ type: 'permission', code: 'permission_denied' });
    }
    expect((await readAccount(api.table, victim.default_account_id)).balance_msat).toBe(before);
    // What it may do.
    expect((await api.request('POST', '/v1/invoices', { key: victim.invoice_key, body: { amount_msat: 1_000 } })).status).toBe(201);
    expect((await api.request('GET', `/v1/invoices/${theirs.invoice}`, { key: victim.invoice_key })).status).toBe(200);
    expect((await api.request('GET', '/v1/invoices', { key: victim.invoice_key })).status).toBe(200);
    expect((await api.request('GET', `/v1/accounts/${theirs.account}`, { key: victim.invoice_key })).status).toBe(200);
    expect((await api.request('GET', '/v1/accounts', { key: victim.invoice_key })).status).toBe(200);
  });

  it('answers 401 on every authenticated route without a key or with a bad one', async () => {
    const samples: Record<string, string> = { '{id}': theirs.account };
    const badKeys = [undefined, 'sk_notakey', `ik_${'x'.repeat(43)}`, `sk_${'x'.repeat(43)}`];
    const authenticated = routes.filter((route) => route.auth !== AuthMode.public);
    expect(authenticated.length).toBeGreaterThanOrEqual(13);
    for (const route of authenticated) {
      const path = route.path.replace('{id}', samples['{id}']!);
      for (const key of badKeys) {
        const reply = await api.request(route.method, path, { ...(key ? { key } : {}), ...(route.method === 'POST' ? { body: {} } : {}) });
        expect(reply.status, `${route.routeKey} ${key}`).toBe(401);
        expect(reply.body.error).toEqual({ type: 'authentication', code: 'authentication_failed', message: expect.any(String) });
      }
    }
  });
});
