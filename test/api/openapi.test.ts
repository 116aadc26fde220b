import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { routes } from '../../functions/routes';
import { OPENAPI_PATH, renderOpenApi } from '../../scripts/openapi';
import { useApiHarness } from '../support/api-harness';

describe('OpenAPI document', () => {
  const api = useApiHarness();

  it('is committed as docs/openapi.json exactly as the code generates it (run `npm run openapi` after changing a route)', () => {
    expect(readFileSync(OPENAPI_PATH, 'utf8')).toBe(renderOpenApi());
  });

  it('describes every route of the registry once, with resolvable references', () => {
    const document = JSON.parse(renderOpenApi());
    expect(document.openapi).toBe('3.1.0');
    const operations = Object.entries(document.paths as Record<string, Record<string, { operationId: string }>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ routeKey: `${method.toUpperCase()} ${path}`, operationId: operation.operationId })),
    );
    expect(operations.map((operation) => operation.routeKey).sort()).toEqual(routes.map((route) => route.routeKey).sort());
    expect(new Set(operations.map((operation) => operation.operationId)).size).toBe(operations.length);
    const text = JSON.stringify(document);
    for (const [, name] of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) expect(document.components.schemas).toHaveProperty(name!);
    expect(text).not.toContain('#/$defs/');
  });

  it('shows the contract’s request rules: strict bodies, amounts as integers, Idempotency-Key on POSTs', () => {
    const document = JSON.parse(renderOpenApi());
    const invoice = document.components.schemas.CreateInvoiceRequest;
    expect(invoice.additionalProperties).toBe(false);
    expect(invoice.required).toEqual(['amount_msat']);
    expect(invoice.properties.amount_msat).toMatchObject({ type: 'integer', minimum: 1_000 });
    const post = document.paths['/v1/transfers'].post;
    expect(post.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header' })]));
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '404', '409', '413', '415', '422', '500']));
    expect(document.paths['/v1/public/invoices/{id}'].get.security).toEqual([]);
  });

  it('is served at GET /v1/openapi.json without a key', async () => {
    const reply = await api.request('GET', '/v1/openapi.json');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual(JSON.parse(renderOpenApi()));
  });
});
