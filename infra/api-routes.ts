import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ApiRouteSpec } from './constructs/http-api';
import { REPO_ROOT } from './constructs/service-function';

/** Routes that create, look up or cancel invoices on the node, and so get the invoice macaroon. */
const ROUTES_USING_NODE = new Set(['POST /v1/invoices', 'POST /v1/withdrawals']);

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
    return { routeKey: route.routeKey, entry, access: method === 'GET' ? 'read' : 'write', usesNode: ROUTES_USING_NODE.has(route.routeKey) };
  });
  // The hosted checkout page: HTML, outside the JSON API's registry.
  apiRoutes.push({ routeKey: 'GET /checkout/{id}', entry: 'functions/checkout/handler.ts', access: 'read', usesNode: false });
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
