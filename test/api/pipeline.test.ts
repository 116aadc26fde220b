import { describe, expect, it } from 'vitest';
import { createAccountRoute } from '../../functions/accounts/create';
import type { HttpEvent } from '../../functions/http/types';
import { routes } from '../../functions/routes';
import { startApiHarness, useApiHarness, type ApiReply } from '../support/api-harness';
import { testRoutes } from '../support/api-test-routes';

const LIMIT = 64 * 1024;

function expectError(reply: ApiReply, status: number, type: string, code: string, param?: string) {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(reply.body)).toEqual(['error']);
  expect(reply.body.error.type).toBe(type);
  expect(reply.body.error.code).toBe(code);
  expect(typeof reply.body.error.message).toBe('string');
  if (param !== undefined) expect(reply.body.error.param).toBe(param);
}

/** A JSON body of exactly `bytes` bytes: {"label":"xxx…"}. */
const bodyOfBytes = (bytes: number, char = 'x') => `{"label":"${char.repeat(bytes - '{"label":""}'.length)}"}`;

describe('HTTP pipeline', () => {
  const test = testRoutes();
  const api = useApiHarness({ routes: [...routes, ...test.routes] });

  describe('body size', () => {
    it('refuses a body one byte over 64 KiB with 413 and takes one of exactly 64 KiB', async () => {
      const shop = await api.newMerchant();
      const over = await api.request('POST', '/v1/accounts', { key: shop.secret_key, rawBody: bodyOfBytes(LIMIT + 1), headers: { 'content-type': 'application/json' } });
      expectError(over, 413, 'invalid_request', 'payload_too_large');
      const exact = await api.request('POST', '/v1/accounts', { key: shop.secret_key, rawBody: bodyOfBytes(LIMIT), headers: { 'content-type': 'application/json' } });
      // Not too large: refused for what it says (a label over 128 characters).
      expectError(exact, 400, 'invalid_request', 'validation_failed', 'label');
    });

    it('counts bytes, not characters', async () => {
      const shop = await api.newMerchant();
      // 21,846 euro signs: 21,858 characters, 65,550 bytes.
      const body = `{"label":"${'€'.repeat(21_846)}"}`;
      expect(body.length).toBeLessThan(LIMIT);
      const reply = await api.request('POST', '/v1/accounts', { key: shop.secret_key, rawBody: body, headers: { 'content-type': 'application/json' } });
      expectError(reply, 413, 'invalid_request', 'payload_too_large');
    });

    it('measures a base64-encoded event body by its decoded bytes', async () => {
      const shop = await api.newMerchant();
      const handler = createAccountRoute.createHandler(api.deps);
      const eventWith = (bytes: Buffer): HttpEvent => ({
        version: '2.0',
        routeKey: 'POST /v1/accounts',
        rawPath: '/v1/accounts',
        rawQueryString: '',
        headers: { authorization: `Bearer ${shop.secret_key}`, 'content-type': 'application/json' },
        body: bytes.toString('base64'),
        isBase64Encoded: true,
        requestContext: { http: { method: 'POST', path: '/v1/accounts' }, requestId: 'r1' } as HttpEvent['requestContext'],
      });
      // 60,000 bytes arrive as 80,000 base64 characters: still within the limit.
      const within = await handler(eventWith(Buffer.from(bodyOfBytes(60_000))));
      expect(within.statusCode).toBe(400);
      expect(JSON.parse(within.body!).error.param).toBe('label');
      const over = await handler(eventWith(Buffer.from(bodyOfBytes(LIMIT + 1))));
      expect(over.statusCode).toBe(413);
      const created = await handler(eventWith(Buffer.from('{"label":"from base64"}')));
      expect(created.statusCode).toBe(201);
      expect(JSON.parse(created.body!).label).toBe('from base64');
    });
  });

  describe('media type and JSON', () => {
    it('refuses a body that is not application/json with 415', async () => {
      const shop = await api.newMerchant();
      for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonx', 'multipart/form-data; boundary=x']) {
        const reply = await api.request('POST', '/v1/accounts', { key: shop.secret_key, rawBody: '{}', headers: { 'content-type': contentType } });
        expectError(reply, 415, 'invalid_request', 'unsupported_media_type');
      }
    });

    it('takes application/json with parameters, in any case, and a body without Content-Type as JSON', async () => {
      const shop = await api.newMerchant();
      for (const headers of [{ 'content-type': 'application/json; charset=utf-8' }, { 'content-type': 'Application/JSON' }, {}] as Array<Record<string, string>>) {
        const reply = await api.request('POST', '/v1/accounts', { key: shop.secret_key, rawBody: Buffer.from('{"label":"ok"}'), headers });
        expect(reply.status, reply.text).toBe(201);
      }
    });

    it('refuses malformed JSON and bytes that are not UTF-8 with invalid_json', async () => {
      const shop = await api.newMerchant();
      for (const rawBody of ['{"label":', '{label: 1}', 'nul', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])]) {
        const reply = await api.request('POST', '/v1/accounts', { key: shop.secret_key, rawBody, headers: { 'content-type': 'application/json' } });
        expectError(reply, 400, 'invalid_request', 'invalid_json');
      }
    });

    it('refuses unknown fields, wrong types and __proto__ keys, naming the field', async () => {
      const shop = await api.newMerchant();
      const unknown = await api.request('POST', '/v1/accounts', { key: shop.secret_key, body: { label: 'a', nickname: 'b' } });
      expectError(unknown, 400, 'invalid_request', 'validation_failed', 'nickname');
      const wrongType = await api.request('POST', '/v1/accounts', { key: shop.secret_key, body: { label: 5 } });
      expectError(wrongType, 400, 'invalid_request', 'validation_failed', 'label');
      const proto = await api.request('POST', '/v1/invoices', {
        key: shop.secret_key,
        rawBody: '{"amount_msat":5000,"metadata":{"__proto__":{"admin":"1"}}}',
        headers: { 'content-type': 'application/json' },
      });
      expectError(proto, 400, 'invalid_request', 'validation_failed', 'metadata.__proto__');
      const notObject = await api.request('POST', '/v1/accounts', { key: shop.secret_key, body: [1, 2] });
      expectError(notObject, 400, 'invalid_request', 'validation_failed');
    });

    it('takes an empty POST body as {}', async () => {
      const shop = await api.newMerchant();
      const reply = await api.request('POST', '/v1/accounts', { key: shop.secret_key });
      expect(reply.status).toBe(201);
    });
  });

  describe('authentication', () => {
    it('answers 401 authentication_failed without a key, with a malformed one, or an unknown one', async () => {
      const shop = await api.newMerchant();
      const unknownKey = `sk_${'A'.repeat(43)}`;
      const attempts: Array<Record<string, string>> = [
        {},
        { authorization: '' },
        { authorization: 'Bearer' },
        { authorization: 'Bearer nope' },
        { authorization: `Basic ${Buffer.from(`${shop.secret_key}:`).toString('base64')}` },
        { authorization: `Bearer ${unknownKey}` },
        { authorization: `Bearer ${shop.secret_key}x` },
        { authorization: `Bearer ${shop.secret_key.replace('sk_', 'ik_')}` },
      ];
      for (const headers of attempts) {
        const reply = await api.request('GET', `/v1/accounts/${shop.default_account_id}`, { headers });
        expectError(reply, 401, 'authentication', 'authentication_failed');
      }
      const ok = await api.request('GET', `/v1/accounts/${shop.default_account_id}`, { headers: { authorization: `bearer ${shop.secret_key}` } });
      expect(ok.status).toBe(200);
    });

    it('authenticates before it reads the body', async () => {
      const reply = await api.request('POST', '/v1/accounts', { rawBody: '{not json', headers: { 'content-type': 'text/plain' } });
      expectError(reply, 401, 'authentication', 'authentication_failed');
    });

    it('answers 403 permission_denied when the invoice key tries what only the secret key may', async () => {
      const shop = await api.newMerchant();
      const reply = await api.request('POST', '/v1/accounts', { key: shop.invoice_key, body: {} });
      expectError(reply, 403, 'permission', 'permission_denied');
    });
  });

  describe('routing', () => {
    it('answers 404 not_found in the error shape for an unknown route', async () => {
      const reply = await api.request('GET', '/v1/nothing-here');
      expectError(reply, 404, 'not_found', 'not_found');
      const root = await api.request('GET', '/');
      expectError(root, 404, 'not_found', 'not_found');
    });

    it('answers 405 with Allow for a known path and the wrong method', async () => {
      const reply = await api.request('DELETE', '/v1/accounts');
      expect(reply.status).toBe(405);
      expect(reply.body.error.code).toBe('method_not_allowed');
      expect(reply.headers.get('allow')).toBe('POST, GET');
    });
  });

  describe('errors', () => {
    it('turns an unexpected failure into a bare 500 internal_error and logs what it was', async () => {
      const shop = await api.newMerchant();
      api.loggedErrors.length = 0;
      const reply = await api.request('POST', '/v1/test/leak', { key: shop.secret_key, body: {} });
      expect(reply.status).toBe(500);
      expect(reply.body).toEqual({ error: { type: 'internal', code: 'internal_error', message: 'Something went wrong on our side' } });
      for (const secret of ['arn:aws', '123456789012', 'macaroon', '0201036c6e64', '/var/task', 'stack', 'DynamoDB']) expect(reply.text).not.toContain(secret);
      expect(JSON.stringify(api.loggedErrors)).toContain('DynamoDB said');
    });
  });

  describe('rate limiting (local stand-in for API Gateway throttling)', () => {
    it('answers 429 rate_limited once a key has spent its burst', async () => {
      const limited = await startApiHarness({ rateLimit: { requestsPerSecond: 0.001, burst: 3 } });
      try {
        const shop = await limited.newMerchant();
        const statuses: number[] = [];
        let last: ApiReply | undefined;
        for (let i = 0; i < 5; i++) {
          last = await limited.request('GET', '/v1/accounts', { key: shop.invoice_key });
          statuses.push(last.status);
        }
        expect(statuses).toEqual([200, 200, 200, 429, 429]);
        expectError(last!, 429, 'rate_limited', 'rate_limited');
        expect(last!.headers.get('retry-after')).toBe('1');
      } finally {
        await limited.stop();
      }
    });
  });
});
