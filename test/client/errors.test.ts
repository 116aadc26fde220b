import { describe, expect, it } from 'vitest';
import { ApiError, ConnectionError, createClient, LightningPaymentsError, UnexpectedResponseError } from '../../clients/typescript/src/index.js';
import { apiError, stubFetch } from './stub-fetch';

const baseUrl = 'http://api.test';
const noRetries = { maxRetries: 0 };

describe('typed client: errors', () => {
  it('turns the documented error shape into an ApiError with status, type, code, message and param', async () => {
    const stub = stubFetch(() => apiError(422, 'unprocessable', 'insufficient_funds', { param: 'amount_msat' }));
    const client = createClient({ baseUrl, apiKey: 'sk_test', fetch: stub.fetch });

    const error = await client.transfers.create({ from_account_id: 'acct_a', to_account_id: 'acct_b', amount_msat: 9_000 }, { idempotencyKey: 'tr-1' }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toBeInstanceOf(LightningPaymentsError);
    expect(error).toMatchObject({
      name: 'ApiError',
      status: 422,
      type: 'unprocessable',
      code: 'insufficient_funds',
      message: 'insufficient_funds happened',
      param: 'amount_msat',
      idempotencyKey: 'tr-1',
      replayed: false,
      retryAfterSec: undefined,
    });
  });

  it('marks an error that is the replayed first answer to a key', async () => {
    const stub = stubFetch(() => apiError(400, 'invalid_request', 'validation_failed', {}, { 'Idempotent-Replayed': 'true' }));
    const error = await createClient({ baseUrl, apiKey: 'sk_test', fetch: stub.fetch }).invoices.create({ amount_msat: 1 }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'validation_failed', replayed: true, param: undefined });
  });

  it('reads Retry-After as seconds or as an HTTP date', async () => {
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    const stub = stubFetch(() => apiError(503, 'unavailable', 'node_unavailable', {}, { 'Retry-After': inTenSeconds }));
    const error = (await createClient({ baseUrl, apiKey: 'sk_test', fetch: stub.fetch, retry: noRetries }).invoices.get('inv_1').catch((caught: unknown) => caught)) as ApiError;
    expect(error.retryAfterSec).toBeGreaterThanOrEqual(9);
    expect(error.retryAfterSec).toBeLessThanOrEqual(10);
  });

  it('keeps an answer outside the documented shape as an UnexpectedResponseError, not an ApiError', async () => {
    for (const answer of [
      () => new Response('<html>Bad Gateway</html>', { status: 502 }),
      () => new Response(JSON.stringify({ message: 'Internal Server Error' }), { status: 500, headers: { 'content-type': 'application/json' } }),
      () => apiError(500, 'no_such_type', 'internal_error'),
    ]) {
      const stub = stubFetch(answer);
      const error = await createClient({ baseUrl, apiKey: 'sk_test', fetch: stub.fetch, retry: noRetries }).accounts.get('acct_1').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UnexpectedResponseError);
      expect(error).not.toBeInstanceOf(ApiError);
      expect((error as UnexpectedResponseError).status).toBeGreaterThanOrEqual(500);
    }
  });

  it('refuses a 2xx without a JSON object', async () => {
    const stub = stubFetch(() => new Response('', { status: 200 }));
    await expect(createClient({ baseUrl, apiKey: 'sk_test', fetch: stub.fetch }).accounts.get('acct_1')).rejects.toBeInstanceOf(UnexpectedResponseError);
  });

  it('reports a request that got no answer as a ConnectionError with the cause', async () => {
    const cause = new TypeError('fetch failed');
    const stub = stubFetch(() => {
      throw cause;
    });
    const error = await createClient({ baseUrl, apiKey: 'sk_test', fetch: stub.fetch, retry: noRetries }).accounts.get('acct_1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).cause).toBe(cause);
    expect((error as ConnectionError).message).toContain('GET http://api.test/v1/accounts/acct_1');
  });

  it("passes the caller's abort through as it is, without retrying", async () => {
    const controller = new AbortController();
    const stub = stubFetch(() => {
      controller.abort();
      throw new DOMException('aborted', 'AbortError');
    });
    const error = await createClient({ baseUrl, apiKey: 'sk_test', fetch: stub.fetch }).accounts.get('acct_1', { signal: controller.signal }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(stub.seen).toHaveLength(1);
  });
});
