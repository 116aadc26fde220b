import { AuthMode } from '../http/authenticate';
import type { AnyRoute } from '../http/pipeline';
import { ERROR_DESCRIPTIONS, errorBodySchema, errorExampleComponents, errorExamplesFor, errorStatuses, honoursIdempotencyKey } from './errors';
import { REQUEST_EXAMPLES, RESPONSE_EXAMPLES } from './examples';
import { headerComponents, IDEMPOTENCY_KEY_REF, idempotencyKeyParameter, rateLimitHeaders, replayedHeader } from './headers';
import { info, securitySchemes, servers, tags } from './metadata';
import { SchemaRegistry, type JsonSchema } from './schema-registry';
import { buildWebhooks } from './webhooks';

/**
 * The OpenAPI 3.1 document, generated from the route registry's zod schemas. `npm run openapi`
 * writes it to docs/openapi.json; test/api/openapi.test.ts fails when that file and this drift
 * apart, test/api/openapi-lint.test.ts runs Redocly and Spectral on it.
 */
export function buildOpenApiDocument(routes: AnyRoute[]): Record<string, unknown> {
  const registry = new SchemaRegistry();
  const errorRef = registry.output(errorBodySchema);
  const sorted = [...routes].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));

  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of sorted) {
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = operation(route, registry, errorRef);
  }
  const webhooks = buildWebhooks(registry);

  return {
    openapi: '3.1.0',
    info,
    servers,
    tags: tags([...routes.map((route) => route.tag), 'Webhooks']),
    paths,
    webhooks,
    components: {
      schemas: registry.schemas(),
      parameters: { IdempotencyKey: idempotencyKeyParameter },
      headers: headerComponents,
      examples: errorExampleComponents(new Set(routes.map((route) => route.operationId))),
      securitySchemes,
    },
  };
}

function operation(route: AnyRoute, registry: SchemaRegistry, errorRef: JsonSchema): Record<string, unknown> {
  const authenticated = route.auth !== AuthMode.public;
  const idempotent = honoursIdempotencyKey(route);
  const parameters = [...pathAndQueryParameters(route, registry), ...(idempotent ? [IDEMPOTENCY_KEY_REF] : [])];

  const responses: Record<string, unknown> = {
    [String(route.response.status)]: {
      description: route.response.description,
      ...headersPart({ ...(authenticated ? rateLimitHeaders({ status: route.response.status }) : {}), ...(idempotent ? replayedHeader({ status: route.response.status }) : {}) }),
      ...(route.response.schema
        ? { content: { 'application/json': { schema: registry.output(route.response.schema), example: exampleOf(RESPONSE_EXAMPLES, route, 'answer') } } }
        : {}),
    },
  };
  for (const status of errorStatuses(route)) {
    responses[String(status)] = {
      description: ERROR_DESCRIPTIONS[status] ?? 'Error',
      ...headersPart({ ...(authenticated ? rateLimitHeaders({ status }) : {}), ...(idempotent ? replayedHeader({ status }) : {}) }),
      content: {
        'application/json': {
          schema: errorRef,
          examples: Object.fromEntries(errorExamplesFor(route, status).map((name) => [name, { $ref: `#/components/examples/${name}` }])),
        },
      },
    };
  }

  return {
    operationId: route.operationId,
    summary: route.summary,
    description: describeAccess(route),
    tags: [route.tag],
    security: route.auth === AuthMode.public ? [] : route.auth === AuthMode.secret ? [{ secretKey: [] }] : [{ secretKey: [] }, { invoiceKey: [] }],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            // An empty body counts as `{}`.
            required: false,
            content: { 'application/json': { schema: registry.input(route.body), example: exampleOf(REQUEST_EXAMPLES, route, 'request body') } },
          },
        }
      : {}),
    responses,
  };
}

function pathAndQueryParameters(route: AnyRoute, registry: SchemaRegistry): unknown[] {
  const parameters: unknown[] = [];
  for (const [location, schema] of [['path', route.params], ['query', route.query]] as const) {
    if (!schema) continue;
    const json = registry.input(schema);
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
  return parameters;
}

/** Who may call the route, and whether a retry is safe: what a client needs beyond the summary. */
function describeAccess(route: AnyRoute): string {
  const who =
    route.auth === AuthMode.public
      ? 'No API key needed.'
      : route.auth === AuthMode.secret
        ? 'Needs the secret key (`sk_...`).'
        : 'The secret key (`sk_...`) or the invoice key (`ik_...`).';
  const retry = honoursIdempotencyKey(route) ? ' Send an `Idempotency-Key` to make retries safe.' : '';
  return `${who}${retry}`;
}

function headersPart(headers: Record<string, unknown>): { headers?: Record<string, unknown> } {
  return Object.keys(headers).length > 0 ? { headers } : {};
}

function exampleOf(examples: Record<string, unknown>, route: AnyRoute, what: string): unknown {
  const example = examples[route.operationId];
  if (example === undefined) throw new Error(`${route.operationId} has no example ${what} in functions/openapi/examples.ts`);
  return example;
}
