import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ApiRouteSpec } from './constructs/http-api';
import { IndexKey, LeadingKey, type TableAccess } from './constructs/table-access';
import { ListKind } from '../functions/lib/table/keys';
import { REPO_ROOT } from './constructs/service-function';

/** Routes that create, look up or cancel invoices on the node, and so get the invoice macaroon. */
const ROUTES_USING_NODE = new Set(['POST /v1/invoices', 'POST /v1/withdrawals']);

/**
 * What each route's role may do on the table: the calls its code makes (recorded by the
 * suites, checked by test/infra/roles.test.ts), and nothing else.
 */
export const ROUTE_TABLE_ACCESS: Record<string, TableAccess> = {
  'DELETE /v1/webhook-endpoints/{id}': { items: [{ actions: ['DeleteItem'], keys: [LeadingKey.webhookEndpoint] }, { actions: ['GetItem'], keys: [LeadingKey.apiKey] }] },
  'GET /checkout/{id}': { items: [{ actions: ['GetItem'], keys: [LeadingKey.invoice] }] },
  'GET /v1/accounts': { items: [{ actions: ['GetItem'], keys: [LeadingKey.account, LeadingKey.apiKey, LeadingKey.accountExternalId] }], indexQueries: [{ index: 'gsi1', keys: [IndexKey.merchantList(ListKind.accounts)] }] },
  'GET /v1/accounts/{id}': { items: [{ actions: ['GetItem'], keys: [LeadingKey.account, LeadingKey.apiKey] }] },
  'GET /v1/accounts/{id}/ledger': { items: [{ actions: ['GetItem'], keys: [LeadingKey.apiKey] }, { actions: ['GetItem', 'Query'], keys: [LeadingKey.account] }] },
  'GET /v1/events': { items: [{ actions: ['GetItem'], keys: [LeadingKey.apiKey] }], indexQueries: [{ index: 'gsi1', keys: [IndexKey.merchantList(ListKind.events)] }] },
  'GET /v1/events/{id}': { items: [{ actions: ['GetItem'], keys: [LeadingKey.apiKey, LeadingKey.event] }] },
  'GET /v1/events/{id}/deliveries': { items: [{ actions: ['GetItem'], keys: [LeadingKey.apiKey] }, { actions: ['GetItem', 'Query'], keys: [LeadingKey.event] }] },
  'GET /v1/invoices': { items: [{ actions: ['GetItem'], keys: [LeadingKey.apiKey] }], indexQueries: [{ index: 'gsi1', keys: [IndexKey.merchantList(ListKind.invoices)] }] },
  'GET /v1/invoices/{id}': { items: [{ actions: ['GetItem'], keys: [LeadingKey.apiKey, LeadingKey.invoice] }] },
  'GET /v1/openapi.json': {},
  'GET /v1/public/invoices/{id}': { items: [{ actions: ['GetItem'], keys: [LeadingKey.invoice] }] },
  'GET /v1/transfers': { items: [{ actions: ['GetItem'], keys: [LeadingKey.apiKey] }], indexQueries: [{ index: 'gsi1', keys: [IndexKey.merchantList(ListKind.transfers)] }] },
  'GET /v1/transfers/{id}': { items: [{ actions: ['GetItem'], keys: [LeadingKey.apiKey, LeadingKey.transfer] }] },
  'GET /v1/webhook-endpoints': { items: [{ actions: ['GetItem'], keys: [LeadingKey.apiKey] }], indexQueries: [{ index: 'gsi1', keys: [IndexKey.merchantList(ListKind.webhookEndpoints)] }] },
  'GET /v1/withdrawals': { items: [{ actions: ['GetItem'], keys: [LeadingKey.apiKey] }], indexQueries: [{ index: 'gsi1', keys: [IndexKey.merchantList(ListKind.withdrawals)] }] },
  'GET /v1/withdrawals/{id}': { items: [{ actions: ['GetItem'], keys: [LeadingKey.apiKey, LeadingKey.withdrawal] }] },
  'POST /v1/accounts': { items: [{ actions: ['GetItem'], keys: [LeadingKey.apiKey] }, { actions: ['GetItem', 'PutItem', 'UpdateItem'], keys: [LeadingKey.idempotency] }, { actions: ['PutItem'], keys: [LeadingKey.account, LeadingKey.accountExternalId] }] },
  'POST /v1/events/{id}/redeliver': { items: [{ actions: ['GetItem'], keys: [LeadingKey.apiKey, LeadingKey.webhookEndpoint] }, { actions: ['GetItem', 'PutItem', 'UpdateItem'], keys: [LeadingKey.idempotency] }, { actions: ['GetItem', 'UpdateItem'], keys: [LeadingKey.event] }], indexQueries: [{ index: 'gsi1', keys: [IndexKey.merchantList(ListKind.webhookEndpoints)] }] },
  'POST /v1/invoices': { items: [{ actions: ['GetItem'], keys: [LeadingKey.account, LeadingKey.apiKey, LeadingKey.merchant] }, { actions: ['GetItem', 'PutItem', 'UpdateItem'], keys: [LeadingKey.idempotency] }, { actions: ['PutItem'], keys: [LeadingKey.invoice, LeadingKey.paymentHash] }, { actions: ['Query'], keys: [LeadingKey.nodeStatus] }] },
  'POST /v1/transfers': { items: [{ actions: ['GetItem'], keys: [LeadingKey.apiKey] }, { actions: ['GetItem', 'PutItem', 'UpdateItem'], keys: [LeadingKey.idempotency] }, { actions: ['PutItem'], keys: [LeadingKey.event, LeadingKey.transfer] }, { actions: ['PutItem', 'UpdateItem'], keys: [LeadingKey.account] }] },
  'POST /v1/webhook-endpoints': { items: [{ actions: ['GetItem'], keys: [LeadingKey.apiKey] }, { actions: ['GetItem', 'PutItem', 'UpdateItem'], keys: [LeadingKey.idempotency] }, { actions: ['GetItem', 'PutItem'], keys: [LeadingKey.webhookEndpoint] }], indexQueries: [{ index: 'gsi1', keys: [IndexKey.merchantList(ListKind.webhookEndpoints)] }] },
  'POST /v1/withdrawals': { items: [{ actions: ['GetItem'], keys: [LeadingKey.apiKey, LeadingKey.merchant] }, { actions: ['GetItem', 'PutItem'], keys: [LeadingKey.paymentHash] }, { actions: ['GetItem', 'PutItem', 'UpdateItem'], keys: [LeadingKey.idempotency] }, { actions: ['GetItem', 'UpdateItem'], keys: [LeadingKey.invoice] }, { actions: ['PutItem'], keys: [LeadingKey.event, LeadingKey.withdrawal] }, { actions: ['PutItem', 'UpdateItem'], keys: [LeadingKey.account] }, { actions: ['Query'], keys: [LeadingKey.nodeStatus] }] },
};

/** Every route that authenticates (reads an API key) also counts the merchant's requests: the pipeline's rate limit. */
function withRateLimit(access: TableAccess): TableAccess {
  const authenticates = access.items?.some((item) => item.keys.includes(LeadingKey.apiKey)) ?? false;
  return authenticates ? { ...access, items: [...(access.items ?? []), { actions: ['UpdateItem'], keys: [LeadingKey.rateLimit] }] } : access;
}

interface RouteLike {
  routeKey: string;
  lambda: () => unknown;
}
const isRoute = (value: unknown): value is RouteLike =>
  typeof value === 'object' && value !== null && typeof (value as RouteLike).routeKey === 'string' && typeof (value as RouteLike).lambda === 'function';

/**
 * Finds the file of every route in the registry (`functions/routes.ts`): each route file
 * exports its route and `handler`, the Lambda entry point. A registered route with no file
 * that exports it fails the synth.
 */
export async function discoverApiRoutes(): Promise<ApiRouteSpec[]> {
  const { routes } = (await import(pathToFileURL(path.join(REPO_ROOT, 'functions/routes.ts')).href)) as { routes: RouteLike[] };
  const wanted = new Set(routes.map((route) => route.routeKey));
  const found = new Map<string, string>();
  for (const file of routeFiles(path.join(REPO_ROOT, 'functions'))) {
    const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    if (typeof module.handler !== 'function') continue;
    for (const value of Object.values(module)) {
      if (isRoute(value) && wanted.has(value.routeKey)) found.set(value.routeKey, path.relative(REPO_ROOT, file));
    }
  }
  const apiRoutes: ApiRouteSpec[] = routes.map((route) => {
    const entry = found.get(route.routeKey);
    if (!entry) throw new Error(`No file under functions/ exports both the route '${route.routeKey}' and a handler`);
    const method = route.routeKey.split(' ')[0];
    return { routeKey: route.routeKey, entry, access: method === 'GET' ? 'read' : 'write', usesNode: ROUTES_USING_NODE.has(route.routeKey), tableAccess: withRateLimit(ROUTE_TABLE_ACCESS[route.routeKey] ?? {}) };
  });
  // The hosted checkout page: HTML, outside the JSON API's registry.
  apiRoutes.push({ routeKey: 'GET /checkout/{id}', entry: 'functions/checkout/handler.ts', access: 'read', usesNode: false, tableAccess: ROUTE_TABLE_ACCESS['GET /checkout/{id}']! });
  return apiRoutes;
}

function routeFiles(dir: string): string[] {
  const skip = new Set(['lib', 'http']);
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return skip.has(entry.name) ? [] : routeFiles(full);
    // handler.ts files are the non-route Lambdas (consumers, jobs, the checkout page).
    return entry.name.endsWith('.ts') && entry.name !== 'handler.ts' ? [full] : [];
  });
}
