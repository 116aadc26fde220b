import createOpenApiClient, { type Client } from 'openapi-fetch';
import { accounts } from './resources/accounts.js';
import { unwrap } from './answers.js';
import { fetchInit, type CallOptions, type ResourceContext } from './resources/context.js';
import { events } from './resources/events.js';
import { invoices } from './resources/invoices.js';
import { transfers } from './resources/transfers.js';
import { webhookEndpoints } from './resources/webhook-endpoints.js';
import { withdrawals } from './resources/withdrawals.js';
import type { paths } from './schema.js';
import type { OpenApiDocument } from './types.js';
import { transportFetch, type FetchLike, type RetryOptions } from './transport.js';

export interface ClientOptions {
  /** The API's root, e.g. `https://abc123.execute-api.us-east-1.amazonaws.com` or `http://localhost:3000`. */
  baseUrl: string;
  /** The secret key (`sk_...`) or the invoice key (`ik_...`), sent as a bearer token. */
  apiKey: string;
  /** @default globalThis.fetch */
  fetch?: FetchLike;
  /** Makes the Idempotency-Key of a POST that has none of its own. @default crypto.randomUUID */
  idempotencyKey?: () => string;
  /** Retries of answers that mean "not done, try again" (429, 502–504) and of lost connections. */
  retry?: RetryOptions;
}

export interface LightningPaymentsClient {
  accounts: ReturnType<typeof accounts>;
  invoices: ReturnType<typeof invoices>;
  withdrawals: ReturnType<typeof withdrawals>;
  transfers: ReturnType<typeof transfers>;
  webhookEndpoints: ReturnType<typeof webhookEndpoints>;
  events: ReturnType<typeof events>;
  /** The API's own OpenAPI document (public: no key needed). */
  openApiDocument(options?: CallOptions): Promise<OpenApiDocument>;
  /**
   * The typed openapi-fetch client underneath (`raw.GET('/v1/invoices/{id}', ...)`), with the
   * same key, Idempotency-Key default and retries, for anything the methods above leave out.
   */
  raw: Client<paths>;
}

export function createClient(options: ClientOptions): LightningPaymentsClient {
  const newIdempotencyKey = options.idempotencyKey ?? (() => crypto.randomUUID());
  const raw = createOpenApiClient<paths>({
    baseUrl: options.baseUrl,
    headers: { Authorization: `Bearer ${options.apiKey}` },
    fetch: transportFetch({
      // Looked up per call, so a fetch replaced after the client was made (a test's stub) is the one used.
      fetch: options.fetch ?? ((request) => globalThis.fetch(request)),
      idempotencyKey: newIdempotencyKey,
      retry: { maxRetries: 2, baseDelayMs: 500, maxDelayMs: 10_000, ...options.retry },
    }),
  });
  const context: ResourceContext = { raw, newIdempotencyKey };
  return {
    accounts: accounts(context),
    invoices: invoices(context),
    withdrawals: withdrawals(context),
    transfers: transfers(context),
    webhookEndpoints: webhookEndpoints(context),
    events: events(context),
    openApiDocument: (callOptions: CallOptions = {}) => unwrap(raw.GET('/v1/openapi.json', fetchInit(callOptions))),
    raw,
  };
}
