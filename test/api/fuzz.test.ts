import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { IdPrefix, newId } from '../../functions/lib/ids';
import type { CreatedMerchant } from '../../functions/lib/merchants/create-merchant';
import { routes } from '../../functions/routes';
import { useApiHarness, type ApiReply } from '../support/api-harness';
import { signInvoice } from '../support/bolt11-fixtures';
import { expectLedgerConsistent, readAccount } from '../support/ledger-fixtures';

const NUM_RUNS = 100;
const ERROR_TYPES = ['invalid_request', 'authentication', 'permission', 'not_found', 'conflict', 'unprocessable', 'rate_limited', 'internal', 'unavailable'];
const FIELDS: Record<string, string[]> = {
  '/v1/accounts': ['external_id', 'label'],
  '/v1/invoices': ['amount_msat', 'account_id', 'memo', 'description_hash', 'expiry_seconds', 'reference', 'metadata'],
  '/v1/withdrawals': ['bolt11', 'account_id', 'amount_msat', 'max_fee_msat'],
  '/v1/transfers': ['from_account_id', 'to_account_id', 'amount_msat', 'memo'],
};

/** Every non-2xx answer is the contract's error shape, and nothing answers 500. */
function expectContractAnswer(reply: ApiReply, context: string) {
  expect(reply.status, `${context} → ${reply.text.slice(0, 300)}`).not.toBe(500);
  expect(reply.status, context).toBeLessThan(500);
  if (reply.status < 300) return;
  expect(reply.body, context).toBeTypeOf('object');
  expect(Object.keys(reply.body), context).toEqual(['error']);
  const { type, code, message, param, ...rest } = reply.body.error;
  expect(rest, context).toEqual({});
  expect(ERROR_TYPES, context).toContain(type);
  expect(code, context).toMatch(/^[a-z0-9_]+$/);
  expect(typeof message, context).toBe('string');
  if (param !== undefined) expect(typeof param, context).toBe('string');
}

describe('hostile bodies on every POST route', () => {
  const api = useApiHarness();
  let shop: CreatedMerchant;
  let other: CreatedMerchant;
  let second = '';
  let validBolt11s: string[] = [];
  let ownInvoiceBolt11 = '';

  beforeAll(async () => {
    shop = await api.newMerchant();
    other = await api.newMerchant();
    await api.fund(shop.secret_key, shop.default_account_id, 200_000);
    second = (await api.request('POST', '/v1/accounts', { key: shop.secret_key, body: { external_id: 'fuzz-second' } })).body.id;
    validBolt11s = Array.from({ length: 3 }, () => api.simulator.createOutsideInvoice({ amountMsat: 1_000 }).bolt11);
    ownInvoiceBolt11 = (await api.request('POST', '/v1/invoices', { key: other.secret_key, body: { amount_msat: 1_000 } })).body.bolt11;
  });

  let withdrawnSoFar = 0;
  async function listAll<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const reply: ApiReply = await api.request('GET', `${path}?limit=100${cursor ? `&cursor=${cursor}` : ''}`, { key: shop.secret_key });
      items.push(...(reply.body.data as T[]));
      cursor = reply.body.next_cursor;
    } while (cursor);
    return items;
  }

  const postRoutes = routes.filter((route) => route.method === 'POST');

  it('covers the POST routes of accounts, invoices, withdrawals and transfers', () => {
    // Webhook endpoints and events have their own fuzzing beside their tests.
    expect(postRoutes.map((route) => route.path)).toEqual(expect.arrayContaining(Object.keys(FIELDS)));
  });

  for (const path of Object.keys(FIELDS)) {
    it(`POST ${path}: never a 500, always the error shape, nothing changed but by what succeeded`, async () => {
      const ids = () => [shop.default_account_id, second, other.default_account_id, newId(IdPrefix.account), 'acct_', 'acct_x'.repeat(20), newId(IdPrefix.invoice)];
      const hostileValue = fc.oneof(
        fc.integer({ min: -2_000_000, max: 2_000_000 }),
        fc.constantFrom(0, -0, 1, 999, 1_000, 1_001, 2 ** 53, 2 ** 53 - 1, -(2 ** 53), 1e21, 1e308, 0.1, 1.5, Number.MAX_VALUE),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.string({ maxLength: 80 }),
        fc.fullUnicodeString({ maxLength: 40 }),
        fc.constantFrom('\ud800', 'a\udfff', '€'.repeat(300), 'x'.repeat(700), '', ' ', '\u0000', '<script>', "' OR 1=1 --", '${7*7}', '../../etc/passwd'),
        fc.constantFrom(...ids(), ...validBolt11s, ownInvoiceBolt11, signInvoice({ network: 'mainnet', amountMsat: 5_000 }).bolt11, signInvoice().bolt11),
        fc.constant(null),
        fc.boolean(),
        fc.array(fc.integer(), { maxLength: 3 }),
        fc.dictionary(fc.string({ maxLength: 45 }), fc.oneof(fc.string({ maxLength: 600 }), fc.integer()), { maxKeys: 25 }),
      );
      const fieldName = fc.oneof(
        { arbitrary: fc.constantFrom(...FIELDS[path]!), weight: 6 },
        { arbitrary: fc.constantFrom('__proto__', 'constructor', 'merchant_id', 'balance_msat', 'id'), weight: 1 },
        { arbitrary: fc.string({ maxLength: 10 }), weight: 1 },
      );
      // Values a client could well send, so some requests get as far as the ledger.
      const plausibleValue = fc.oneof(fc.integer({ min: 1, max: 300_000 }), fc.constantFrom(...ids().slice(0, 3), ...validBolt11s, ownInvoiceBolt11), fc.string({ maxLength: 20 }));
      const anyValue = fc.oneof({ arbitrary: hostileValue, weight: 2 }, { arbitrary: plausibleValue, weight: 1 });
      // A valid request with one or two fields made hostile, removed, or joined by an unknown one:
      // it gets past the outer checks and reaches the deeper ones.
      const templates: Record<string, () => Record<string, unknown>> = {
        '/v1/accounts': () => ({ label: 'fuzz' }),
        '/v1/invoices': () => ({ amount_msat: 5_000, memo: 'fuzz' }),
        '/v1/withdrawals': () => ({ bolt11: validBolt11s[0]!, max_fee_msat: 100 }),
        '/v1/transfers': () => ({ from_account_id: shop.default_account_id, to_account_id: second, amount_msat: 1_000 }),
      };
      const mutated = fc
        .tuple(
          fc.array(fc.tuple(fieldName, fc.option(anyValue, { nil: undefined, freq: 5 })), { minLength: 1, maxLength: 2 }),
        )
        .map(([changes]) => {
          const value: Record<string, unknown> = templates[path]!();
          for (const [field, replacement] of changes) {
            if (replacement === undefined) delete value[field];
            else Object.defineProperty(value, field, { value: replacement, enumerable: true, configurable: true, writable: true });
          }
          return JSON.stringify(value);
        });
      const body = fc.oneof(
        { arbitrary: mutated, weight: 6 },
        { arbitrary: fc.dictionary(fieldName, hostileValue, { maxKeys: 6 }).map((value) => JSON.stringify(value)), weight: 2 },
        { arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)), weight: 1 },
        { arbitrary: fc.oneof(fc.string({ maxLength: 100 }), fc.constantFrom('{', '[]', 'null', '"x"', '{"a":1,}', `${'['.repeat(5_000)}${']'.repeat(5_000)}`, '{"amount_msat":1e400}')), weight: 1 },
      );
      const headers = fc.record(
        {
          'content-type': fc.oneof(
            { arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8'), weight: 9 },
            { arbitrary: fc.constantFrom('text/plain', 'application/xml'), weight: 1 },
          ),
          'idempotency-key': fc.oneof(fc.constantFrom('fuzz-a', 'fuzz-b'), fc.string({ minLength: 1, maxLength: 20 }).filter((key) => /^[\x20-\x7e]+$/.test(key) && key.trim() === key)),
        },
        { requiredKeys: [] },
      );
      const key = fc.oneof({ arbitrary: fc.constant(shop.secret_key), weight: 9 }, { arbitrary: fc.constant(shop.invoice_key), weight: 1 });

      const before = await listAll<{ id: string }>(path);
      const createdIds = new Set<string>();
      let withdrawnMsat = 0;
      await fc.assert(
        fc.asyncProperty(body, headers, key, async (rawBody, extraHeaders, apiKey) => {
          // A Buffer, so that a missing Content-Type stays missing (fetch labels strings text/plain).
          const reply = await api.request('POST', path, { key: apiKey, rawBody: Buffer.from(rawBody), headers: extraHeaders });
          expectContractAnswer(reply, `POST ${path} ${rawBody.slice(0, 200)} ${JSON.stringify(extraHeaders)}`);
          if (reply.status < 300 && !createdIds.has(reply.body.id)) {
            createdIds.add(reply.body.id);
            if (path === '/v1/withdrawals') withdrawnMsat += reply.body.amount_msat + reply.body.fee_reserve_msat;
          }
        }),
        { numRuns: NUM_RUNS },
      );

      // Only what succeeded changed anything: the merchant's money is what it was, less what
      // successful withdrawals took; transfers only moved it between its own accounts.
      withdrawnSoFar += withdrawnMsat;
      const accounts = await listAll<{ id: string; balance_msat: number }>('/v1/accounts');
      expect(accounts.reduce((sum, account) => sum + account.balance_msat, 0)).toBe(200_000 - withdrawnSoFar);
      for (const account of accounts) expect(account.balance_msat).toBeGreaterThanOrEqual(0);
      await expectLedgerConsistent(api.table, accounts.map((account) => account.id));
      expect((await readAccount(api.table, other.default_account_id)).balance_msat).toBeGreaterThanOrEqual(0);
      const after = await listAll<{ id: string }>(path);
      expect(after.length).toBe(before.length + createdIds.size);
      for (const id of createdIds) expect(after.some((item) => item.id === id)).toBe(true);
    });
  }
});
