import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { bindRoutes, startHttpServer, type FallbackHandler, type HttpServer, type StartHttpServerOptions } from '../../infra/local/http-server';
import type { Dependencies, RouteConfig } from '../../functions/http/dependencies';
import { IdempotencyStore, type IdempotencyOptions } from '../../functions/http/idempotency';
import type { AnyRoute } from '../../functions/http/pipeline';
import type { InvoiceItem } from '../../functions/lib/invoices/invoice';
import { findInvoice } from '../../functions/lib/invoices/repository';
import { creditInvoiceSettlement } from '../../functions/lib/ledger/credit-invoice-settlement';
import { createMerchant, type CreatedMerchant } from '../../functions/lib/merchants/create-merchant';
import { MerchantRateLimiter } from '../../functions/lib/merchants/rate-limit';
import { DEFAULT_MAX_INVOICE_MSAT } from '../../functions/lib/money';
import { ApiNode } from '../../functions/lib/node/api-node';
import { connectInvoiceNode } from '../../functions/lib/node/light/connect-invoice-node';
import type { InvoiceNode, LightningNode } from '../../functions/lib/node/lightning-node';
import type { Table } from '../../functions/lib/table/client';
import { localSecretSealer, type SecretSealer } from '../../functions/lib/webhooks/secret-sealer';
import { routes as registeredRoutes } from '../../functions/routes';
import { startSimulatedNode, type SimulatedNode } from './simulated-node';
import { createTestTable } from './table';

/**
 * The whole API over real HTTP, for tests: a fresh table in the run's DynamoDB Local, the
 * node simulator of TEST_LIGHTNING_BACKEND (temp dir, free ports) reached through the node
 * port with the API's credentials (LND: the invoice macaroon), and the local HTTP adapter
 * on a free port serving the route registry.
 *
 *   const api = useApiHarness();
 *   it('...', async () => {
 *     const shop = await api.newMerchant();
 *     const reply = await api.request('POST', '/v1/invoices', { key: shop.secret_key, body: { amount_msat: 5000 } });
 *   });
 */
export interface ApiHarnessOptions {
  /** @default the registry (functions/routes.ts) */
  routes?: AnyRoute[];
  config?: Partial<RouteConfig>;
  idempotency?: IdempotencyOptions;
  rateLimit?: StartHttpServerOptions['rateLimit'];
  fallback?: FallbackHandler;
  /** The API's clock (deps.now). @default the real one */
  now?: () => Date;
  /** Replace the node the API talks to (e.g. one that fails); the simulator still runs, and the function may connect to it. */
  node?: (simulatorNode: InvoiceNode, simulator: SimulatedNode) => InvoiceNode | Promise<InvoiceNode>;
  /** The per-merchant limit (requests per second, shared through the table). @default none */
  merchantRateLimit?: number;
  /** Seals webhook secrets and the answers that carry them. @default the local sealer with a fresh key */
  secrets?: SecretSealer;
}

export interface ApiReply<T = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined when the body is not JSON. */
  body: T;
  text: string;
}

export interface RequestOptions {
  /** Sent as `Authorization: Bearer <key>`. */
  key?: string;
  /** JSON-encoded unless `rawBody` is given. */
  body?: unknown;
  rawBody?: string | Uint8Array;
  headers?: Record<string, string>;
  idempotencyKey?: string;
}

export interface ApiHarness {
  url: string;
  table: Table;
  deps: Dependencies;
  /** The node simulator of TEST_LIGHTNING_BACKEND (LND by default). */
  simulator: SimulatedNode;
  /** The node as the API sees it (with the API's credentials). */
  node: InvoiceNode;
  /** What the API logged as errors, for tests that check nothing internal leaked elsewhere. */
  loggedErrors: Array<{ message: string; details?: Record<string, unknown> }>;
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiReply<T>>;
  newMerchant(name?: string): Promise<CreatedMerchant>;
  /** An outside payer pays one of our invoices on the simulator (optionally more than asked). */
  payOnNode(bolt11: string, amountMsat?: number): void;
  /**
   * Pays our invoice on the node and credits it as the settlement consumer does (node-bridge
   * → settle Lambda → creditInvoiceSettlement), so the account's balance reflects it.
   */
  settleInvoice(invoiceId: string, amountMsat?: number): Promise<InvoiceItem>;
  /** Gives an account money the way money really arrives: an invoice, paid and settled. */
  fund(secretKey: string, accountId: string, amountMsat: number): Promise<InvoiceItem>;
}

export interface RunningApiHarness extends ApiHarness {
  stop(): Promise<void>;
}

export async function startApiHarness(options: ApiHarnessOptions = {}): Promise<RunningApiHarness> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'api-harness-'));
  const cleanups: Array<() => Promise<void> | void> = [() => rmSync(dataDir, { recursive: true, force: true })];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const table = await createTestTable();
    cleanups.push(() => table.drop());
    const simulator = await startSimulatedNode({ dataDir });
    cleanups.push(() => simulator.stop());
    // The test's own look-ups go through the full adapter; the API through the light client it ships with.
    const portNode: LightningNode = await simulator.connect('invoices');
    cleanups.push(() => portNode.close());
    const apiNode = await connectInvoiceNode(simulator.connection('invoices'));
    cleanups.push(() => apiNode.close());
    const simulatorNode = new ApiNode(apiNode);
    const node = options.node ? await options.node(simulatorNode, simulator) : simulatorNode;

    const loggedErrors: ApiHarness['loggedErrors'] = [];
    const log: Dependencies['log'] = {
      error: (message, details) => void loggedErrors.push({ message, ...(details ? { details } : {}) }),
      warn: () => undefined,
    };
    const secrets = options.secrets ?? localSecretSealer(randomBytes(32));
    const deps: Dependencies = {
      table,
      node,
      config: { publicBaseUrl: 'http://127.0.0.1:3000', maxInvoiceMsat: DEFAULT_MAX_INVOICE_MSAT, ...options.config },
      idempotency: new IdempotencyStore(table, { sealer: secrets, ...options.idempotency }),
      secrets,
      ...(options.merchantRateLimit ? { rateLimiter: new MerchantRateLimiter(table, { defaultLimit: options.merchantRateLimit }) } : {}),
      log,
      now: options.now ?? (() => new Date()),
    };
    const server: HttpServer = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      routes: bindRoutes(options.routes ?? registeredRoutes, deps),
      ...(options.fallback ? { fallback: options.fallback } : {}),
      ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
    });
    cleanups.push(() => server.close());

    const request = async <T>(method: string, urlPath: string, requestOptions: RequestOptions = {}): Promise<ApiReply<T>> => {
      const headers: Record<string, string> = { ...requestOptions.headers };
      if (requestOptions.key !== undefined) headers.authorization = `Bearer ${requestOptions.key}`;
      if (requestOptions.idempotencyKey !== undefined) headers['idempotency-key'] = requestOptions.idempotencyKey;
      let body: string | Uint8Array | undefined = requestOptions.rawBody;
      if (body === undefined && requestOptions.body !== undefined) {
        body = JSON.stringify(requestOptions.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(server.url + urlPath, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: response.status, headers: response.headers, body: parsed as T, text };
    };

    const payOnNode = (bolt11: string, amountMsat?: number) => {
      const result = simulator.payInvoice(bolt11, amountMsat);
      if (result.status !== 'settled') throw new Error(`the simulator did not settle the payment: ${result.error ?? result.status}`);
    };

    const settleInvoice = async (invoiceId: string, amountMsat?: number): Promise<InvoiceItem> => {
      const invoice = await findInvoice(table, invoiceId);
      if (!invoice) throw new Error(`no invoice ${invoiceId}`);
      payOnNode(invoice.bolt11, amountMsat);
      const onNode = await portNode.lookupInvoice(invoice.payment_hash);
      if (!onNode) throw new Error(`the node does not have invoice ${invoiceId}`);
      const outcome = await creditInvoiceSettlement(table, {
        invoiceId,
        amountPaidMsat: onNode.amountPaidMsat,
        settledAt: new Date((onNode.settledAtSec ?? Math.floor(Date.now() / 1000)) * 1000),
      });
      return outcome.invoice;
    };

    const fund = async (secretKey: string, accountId: string, amountMsat: number): Promise<InvoiceItem> => {
      const created = await request<{ id: string }>('POST', '/v1/invoices', { key: secretKey, body: { amount_msat: amountMsat, account_id: accountId } });
      if (created.status !== 201) throw new Error(`could not create a funding invoice: ${created.status} ${created.text}`);
      return settleInvoice(created.body.id);
    };

    return {
      url: server.url,
      table,
      deps,
      simulator,
      node,
      loggedErrors,
      request,
      newMerchant: (name = 'Test shop') => createMerchant(table, { name }),
      payOnNode,
      settleInvoice,
      fund,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** One harness for the whole test file: started in beforeAll, stopped in afterAll. */
export function useApiHarness(options: ApiHarnessOptions = {}): ApiHarness {
  let running: RunningApiHarness | undefined;
  const handle = {} as ApiHarness;
  beforeAll(async () => {
    running = await startApiHarness(options);
    Object.assign(handle, running);
  });
  afterAll(async () => {
    await running?.stop();
  });
  return handle;
}
