import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../functions/lib/events/event';
import { EXAMPLE_WEBHOOK_SECRET, REQUEST_EXAMPLES, RESPONSE_EXAMPLES } from '../../functions/openapi/examples';
import { routes } from '../../functions/routes';
import { OPENAPI_PATH, renderOpenApi } from '../../scripts/openapi';
import { useApiHarness, type ApiReply } from '../support/api-harness';

type Json = Record<string, any>;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

const generated = (): Json => JSON.parse(renderOpenApi());

/** Follows a local `$ref` (`#/components/...`) once; anything else is returned as it is. */
function resolve(document: Json, value: Json): Json {
  if (typeof value?.$ref !== 'string') return value;
  return value.$ref
    .slice(2)
    .split('/')
    .map((part: string) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((node: Json, part: string) => node[part], document);
}

function operationsOf(document: Json): { where: string; operation: Json }[] {
  const all: { where: string; operation: Json }[] = [];
  for (const [section, items] of [['paths', document.paths], ['webhooks', document.webhooks]] as const) {
    for (const [name, item] of Object.entries(items as Record<string, Json>)) {
      for (const method of METHODS) if (item[method]) all.push({ where: `${section} ${method.toUpperCase()} ${name}`, operation: item[method] });
    }
  }
  return all;
}

interface ExampleSite {
  where: string;
  pointer: string;
  value: unknown;
}

/** Every example of the document (media types, parameters, headers) with the JSON pointer of its schema. */
function examplesOf(document: Json): ExampleSite[] {
  const sites: ExampleSite[] = [];
  const pointer = (...parts: string[]) => `#/${parts.map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
  const fromMediaType = (where: string, base: string[], media: Json) => {
    if ('example' in media) sites.push({ where, pointer: pointer(...base, 'schema'), value: media.example });
    for (const [name, example] of Object.entries((media.examples ?? {}) as Record<string, Json>)) {
      sites.push({ where: `${where} (${name})`, pointer: pointer(...base, 'schema'), value: resolve(document, example).value });
    }
  };
  for (const section of ['paths', 'webhooks']) {
    for (const [name, item] of Object.entries(document[section] as Record<string, Json>)) {
      for (const method of METHODS.filter((method) => item[method])) {
        const operation = item[method];
        const base = [section, name, method];
        (operation.parameters ?? []).forEach((parameter: Json, index: number) => {
          const resolved = resolve(document, parameter);
          if (!('example' in resolved)) return;
          const at = parameter.$ref ? parameter.$ref.slice(2).split('/') : [...base, 'parameters', String(index)];
          sites.push({ where: `${method} ${name} parameter ${resolved.name}`, pointer: pointer(...at, 'schema'), value: resolved.example });
        });
        for (const [type, media] of Object.entries((operation.requestBody?.content ?? {}) as Record<string, Json>)) {
          fromMediaType(`${method} ${name} request`, [...base, 'requestBody', 'content', type], media);
        }
        for (const [status, response] of Object.entries(operation.responses as Record<string, Json>)) {
          for (const [type, media] of Object.entries((response.content ?? {}) as Record<string, Json>)) {
            fromMediaType(`${method} ${name} ${status}`, [...base, 'responses', status, 'content', type], media);
          }
        }
      }
    }
  }
  for (const [name, header] of Object.entries(document.components.headers as Record<string, Json>)) {
    if ('example' in header) sites.push({ where: `header ${name}`, pointer: pointer('components', 'headers', name, 'schema'), value: header.example });
  }
  return sites;
}

describe('OpenAPI document', () => {
  const api = useApiHarness();

  it('is committed as docs/openapi.json exactly as the code generates it (run `npm run openapi` after changing a route)', () => {
    expect(readFileSync(OPENAPI_PATH, 'utf8')).toBe(renderOpenApi());
  });

  it('describes every route of the registry once, with resolvable references', () => {
    const document = generated();
    expect(document.openapi).toBe('3.1.0');
    const operations = Object.entries(document.paths as Record<string, Record<string, { operationId: string }>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ routeKey: `${method.toUpperCase()} ${path}`, operationId: operation.operationId })),
    );
    expect(operations.map((operation) => operation.routeKey).sort()).toEqual(routes.map((route) => route.routeKey).sort());
    const text = JSON.stringify(document);
    for (const [, kind, name] of text.matchAll(/"\$ref":"#\/components\/([^/"]+)\/([^"]+)"/g)) expect(document.components[kind!], `${kind}/${name}`).toHaveProperty(name!);
    expect(text).not.toContain('#/$defs/');
  });

  it('has a real Error component: the contract’s error shape, not a reference', () => {
    const error = generated().components.schemas.Error;
    expect(error.$ref).toBeUndefined();
    expect(error).toMatchObject({ type: 'object', required: ['error'] });
    expect(error.properties.error.required).toEqual(['type', 'code', 'message']);
    expect(Object.keys(error.properties.error.properties)).toEqual(['type', 'code', 'message', 'param']);
    expect(error.properties.error.properties.type.enum).toEqual(expect.arrayContaining(['invalid_request', 'not_found', 'rate_limited', 'unavailable']));
    for (const [name, schema] of Object.entries(generated().components.schemas as Record<string, Json>)) {
      expect(schema.$ref, `component ${name} is only a reference`).toBeUndefined();
    }
  });

  it('names every operation and webhook with a unique camelCase operationId', () => {
    const ids = operationsOf(generated()).map(({ operation }) => operation.operationId);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-zA-Z0-9]*$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['createInvoice', 'listWithdrawals', 'invoicePaidWebhook']));
  });

  it('shows the contract’s request rules: strict bodies, amounts as integers, Idempotency-Key on POSTs', () => {
    const document = generated();
    const invoice = document.components.schemas.CreateInvoiceRequest;
    expect(invoice.additionalProperties).toBe(false);
    expect(invoice.required).toEqual(['amount_msat']);
    expect(invoice.properties.amount_msat).toMatchObject({ type: 'integer', minimum: 1_000 });
    for (const route of routes.filter((candidate) => candidate.method === 'POST')) {
      const post = document.paths[route.path].post;
      const parameters = post.parameters.map((parameter: Json) => resolve(document, parameter));
      expect(parameters, route.routeKey).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false })]));
      expect(Object.keys(post.responses[String(route.response.status)].headers), route.routeKey).toContain('Idempotent-Replayed');
    }
    const transfer = document.paths['/v1/transfers'].post;
    expect(Object.keys(transfer.responses)).toEqual(['201', '400', '401', '403', '404', '409', '413', '415', '422', '429', '500']);
    expect(document.paths['/v1/public/invoices/{id}'].get.security).toEqual([]);
  });

  it('answers every documented error with the Error schema and an example of a real code; 429 with Retry-After', () => {
    const document = generated();
    for (const { where, operation } of operationsOf(document).filter(({ where }) => where.startsWith('paths'))) {
      const authenticated = operation.security.length > 0;
      for (const [status, response] of Object.entries(operation.responses as Record<string, Json>)) {
        if (Number(status) < 400) continue;
        const media = response.content['application/json'];
        expect(media.schema, `${where} ${status}`).toEqual({ $ref: '#/components/schemas/Error' });
        const examples = Object.values(media.examples as Record<string, Json>).map((example) => resolve(document, example));
        expect(examples.length, `${where} ${status}`).toBeGreaterThan(0);
        for (const example of examples) expect(example.summary, `${where} ${status}`).toMatch(new RegExp(`^${status} ${example.value.error.code}$`));
        const headers = Object.keys(response.headers ?? {});
        if (authenticated && status === '429') expect(headers, where).toEqual(['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After']);
        if (!authenticated) expect(headers, where).toEqual([]);
      }
    }
    expect(Object.keys(document.paths['/v1/accounts'].get.responses)).toEqual(['200', '400', '401', '429', '500']);
  });

  it('describes one webhook per event type: its payload schema and the Standard Webhooks headers', () => {
    const document = generated();
    expect(Object.keys(document.webhooks).sort()).toEqual([...EVENT_TYPES].sort());
    for (const type of EVENT_TYPES) {
      const post = document.webhooks[type].post;
      expect(post.parameters.map((parameter: Json) => [parameter.name, parameter.in, parameter.required])).toEqual([
        ['webhook-id', 'header', true],
        ['webhook-timestamp', 'header', true],
        ['webhook-signature', 'header', true],
      ]);
      const payload = resolve(document, post.requestBody.content['application/json'].schema);
      expect(payload.properties.type).toEqual({ type: 'string', const: type });
      expect(payload.required).toEqual(['id', 'type', 'created_at', 'data']);
    }
  });

  it('has examples that validate against their schemas', () => {
    const document = generated();
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema(document, 'openapi.json');
    const sites = examplesOf(document);
    expect(sites.length).toBeGreaterThan(100);
    const failures = sites.flatMap((site) => {
      const validate = ajv.compile({ $ref: `openapi.json${site.pointer}` });
      return validate(site.value) ? [] : [`${site.where}: ${ajv.errorsText(validate.errors)}`];
    });
    expect(failures).toEqual([]);
    // Every request body and every JSON answer has one.
    for (const { where, operation } of operationsOf(document)) {
      for (const media of Object.values((operation.requestBody?.content ?? {}) as Record<string, Json>)) expect('example' in media, where).toBe(true);
      for (const response of Object.values(operation.responses as Record<string, Json>)) {
        for (const media of Object.values((response.content ?? {}) as Record<string, Json>)) expect('example' in media || 'examples' in media, where).toBe(true);
      }
    }
  });

  it('has examples that the routes’ own zod schemas accept: what the API takes and gives', () => {
    for (const route of routes) {
      if (route.body) expect(route.body.safeParse(REQUEST_EXAMPLES[route.operationId]).error, route.routeKey).toBeUndefined();
      if (route.response.schema) expect(route.response.schema.safeParse(RESPONSE_EXAMPLES[route.operationId]).error, route.routeKey).toBeUndefined();
    }
  });

  it('signs its webhook examples as a delivery would: the signature verifies with the example secret', () => {
    const document = generated();
    const key = Buffer.from(EXAMPLE_WEBHOOK_SECRET.slice('whsec_'.length), 'base64');
    for (const type of EVENT_TYPES) {
      const post = document.webhooks[type].post;
      const [id, timestamp, signature] = post.parameters.map((parameter: Json) => parameter.example as string);
      const body = JSON.stringify(post.requestBody.content['application/json'].example);
      expect(signature, type).toBe(`v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`);
    }
  });

  it('is served at GET /v1/openapi.json without a key', async () => {
    const reply = await api.request('GET', '/v1/openapi.json');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual(generated());
  });
});

describe('OpenAPI document: the headers it documents are the ones the API sends', () => {
  const LIMIT = 3;
  const frozen = new Date('2026-11-21T10:00:00.500Z');
  const api = useApiHarness({ merchantRateLimit: LIMIT, now: () => frozen });
  const CONTRACT_HEADERS = ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'retry-after', 'idempotent-replayed'];

  const documented = (path: string, method: string, status: number): string[] =>
    Object.keys(generated().paths[path][method].responses[String(status)].headers ?? {}).map((name) => name.toLowerCase());
  const sent = (reply: ApiReply): string[] => CONTRACT_HEADERS.filter((name) => reply.headers.has(name));

  it('RateLimit-* on counted answers, none before counting, Retry-After on 429, Idempotent-Replayed on a replay', async () => {
    const shop = await api.newMerchant();
    const refused = await api.request('POST', '/v1/transfers', { key: shop.invoice_key, body: {} });
    const listed = await api.request('GET', '/v1/accounts', { key: shop.secret_key });
    const created = await api.request('POST', '/v1/accounts', { key: shop.secret_key, body: { label: 'a' }, headers: { 'idempotency-key': 'openapi-headers' } });
    const replayed = await api.request('POST', '/v1/accounts', { key: shop.secret_key, body: { label: 'a' }, headers: { 'idempotency-key': 'openapi-headers' } });
    const limited = await api.request('GET', '/v1/accounts', { key: shop.secret_key });

    expect([refused.status, listed.status, created.status, replayed.status, limited.status]).toEqual([403, 200, 201, 201, 429]);
    expect(sent(refused)).toEqual(documented('/v1/transfers', 'post', 403));
    expect(sent(listed)).toEqual(documented('/v1/accounts', 'get', 200));
    expect(sent(created)).toEqual(documented('/v1/accounts', 'post', 201).filter((name) => name !== 'idempotent-replayed'));
    // A replay is counted like any answer, so it carries the RateLimit headers too.
    expect(sent(replayed)).toEqual(documented('/v1/accounts', 'post', 201));
    expect(sent(limited)).toEqual(documented('/v1/accounts', 'get', 429));
  });
});
