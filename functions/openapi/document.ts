import { z } from 'zod';
import { AuthMode } from '../http/authenticate';
import { MAX_BODY_BYTES } from '../http/middleware/body-limit';
import type { AnyRoute } from '../http/pipeline';
import { errorSchema, limitParameter } from '../http/schemas/common';

type JsonSchema = Record<string, unknown>;

const COMMON_ERRORS: Record<number, string> = {
  400: 'Invalid request (invalid_json, validation_failed, ...)',
  401: 'Missing or invalid API key (authentication_failed)',
  403: 'The invoice key may not do this (permission_denied)',
  404: 'No such object, or not yours (not_found)',
  409: 'Conflict (idempotency_in_progress, already_paid, already_exists)',
  413: 'Body over 64 KiB (payload_too_large)',
  415: 'Body is not application/json (unsupported_media_type)',
  422: 'Unprocessable (insufficient_funds, idempotency_key_reused, same_account)',
  429: 'Too many requests (rate_limited)',
  500: 'Internal error (internal_error); nothing internal is disclosed',
  503: 'The Lightning node is unavailable (node_unavailable)',
};

/**
 * The OpenAPI 3.1 document, generated from the route registry's zod schemas (zod's own
 * JSON Schema output, which is the dialect OpenAPI 3.1 uses). `npm run openapi` writes it
 * to docs/openapi.json; a test fails when that file and this drift apart.
 */
export function buildOpenApiDocument(routes: AnyRoute[]): Record<string, unknown> {
  const components: Record<string, JsonSchema> = {};
  const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
    const json = z.toJSONSchema(schema, {
      io,
      unrepresentable: 'any',
      target: 'draft-2020-12',
      override: (context) => {
        if (context.zodSchema !== limitParameter) return;
        for (const key of Object.keys(context.jsonSchema)) delete context.jsonSchema[key];
        Object.assign(context.jsonSchema, { type: 'integer', minimum: 1, maximum: 100, default: 20, description: 'Page size, 1–100, default 20' });
      },
    }) as JsonSchema;
    const { $schema: _ignored, $defs, ...rest } = json;
    for (const [id, definition] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) {
      components[id] = rewriteRefs(io === 'output' ? openEnded(definition) : definition) as JsonSchema;
    }
    return rewriteRefs(io === 'output' ? openEnded(rest) : rest) as JsonSchema;
  };

  const paths: Record<string, Record<string, unknown>> = {};
  const errorRef = { $ref: '#/components/schemas/Error' };
  components.Error = toSchema(errorSchema, 'output');

  for (const route of [...routes].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method))) {
    const parameters: unknown[] = [];
    for (const [location, schema] of [['path', route.params], ['query', route.query]] as const) {
      if (!schema) continue;
      const json = toSchema(schema, 'input');
      const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set((json.required ?? []) as string[]);
      for (const [name, property] of Object.entries(properties)) {
        const { description, ...propertySchema } = property;
        parameters.push({
          name,
          in: location,
          required: location === 'path' || required.has(name),
          ...(typeof description === 'string' ? { description } : {}),
          schema: propertySchema,
        });
      }
    }
    const isPost = route.method === 'POST';
    if (isPost && route.idempotent !== false) {
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description: 'Kept 24 h per merchant. Same key and body: the first response again, with `Idempotent-Replayed: true`.',
        schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7e]+$' },
      });
    }

    const statuses = new Set<number>([400, 500, ...(route.errors ?? [])]);
    if (route.auth !== AuthMode.public) [401, 429].forEach((status) => statuses.add(status));
    if (route.auth === AuthMode.secret) statuses.add(403);
    if (route.params) statuses.add(404);
    if (isPost) [409, 413, 415, 422].forEach((status) => statuses.add(status));
    const responses: Record<string, unknown> = {
      [String(route.response.status)]: {
        description: route.response.description,
        ...(route.response.schema ? { content: { 'application/json': { schema: toSchema(route.response.schema, 'output') } } } : {}),
      },
    };
    for (const status of [...statuses].sort((a, b) => a - b)) {
      responses[String(status)] = { description: COMMON_ERRORS[status] ?? 'Error', content: { 'application/json': { schema: errorRef } } };
    }

    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      security:
        route.auth === AuthMode.public ? [] : route.auth === AuthMode.secret ? [{ secretKey: [] }] : [{ secretKey: [] }, { invoiceKey: [] }],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.body
        ? { requestBody: { required: false, content: { 'application/json': { schema: toSchema(route.body, 'input') } } } }
        : {}),
      responses,
    };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Lightning payments API',
      version: '1.0.0',
      description:
        'Stripe in your own AWS account, on your own LND node. Amounts are integer millisatoshis (`*_msat`). ' +
        `Bodies are JSON, at most ${MAX_BODY_BYTES} bytes. Errors: {"error": {"type", "code", "message", "param"?}}.`,
    },
    components: {
      securitySchemes: {
        secretKey: { type: 'http', scheme: 'bearer', description: 'Secret key `sk_...`: everything.' },
        invoiceKey: { type: 'http', scheme: 'bearer', description: 'Invoice key `ik_...`: create and read invoices, read accounts.' },
      },
      schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
    },
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
  };
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === '$ref' && typeof inner === 'string' ? inner.replace('#/$defs/', '#/components/schemas/') : rewriteRefs(inner),
    ]),
  );
}

/** Responses may gain fields: do not promise `additionalProperties: false` for them. */
function openEnded(value: JsonSchema): JsonSchema {
  const walk = (inner: unknown): unknown => {
    if (Array.isArray(inner)) return inner.map(walk);
    if (inner === null || typeof inner !== 'object') return inner;
    return Object.fromEntries(
      Object.entries(inner)
        .filter(([key, property]) => !(key === 'additionalProperties' && property === false))
        .map(([key, property]) => [key, walk(property)]),
    );
  };
  return walk(value) as JsonSchema;
}
