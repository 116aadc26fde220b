import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverApiRoutes } from '../../infra/api-routes';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PASSES_NODE = /\.lambda\(\{\s*node:\s*invoiceNodeFromConfig\s*\}\)/;

describe('which functions reach the node', () => {
  it('is decided by the route list alone: the routes granted node credentials pass a node, the others none', async () => {
    const routes = await discoverApiRoutes();
    expect(routes.filter((route) => route.usesNode).map((route) => route.routeKey).sort()).toEqual(['POST /v1/invoices', 'POST /v1/withdrawals']);
    for (const route of routes) {
      const source = readFileSync(path.join(ROOT, route.entry), 'utf8');
      // A route without the node builds none (its bundle has no gRPC client); one with it must pass it, or its calls fail.
      expect(PASSES_NODE.test(source), route.routeKey).toBe(route.usesNode);
      expect(source.includes("from '../http/invoice-node'"), route.routeKey).toBe(route.usesNode);
    }
  });
});
