import { AuthMode } from '../http/authenticate';
import { route } from '../http/pipeline';
import { ok } from '../http/responses';

let document: Promise<Record<string, unknown>> | undefined;

export const getOpenApiRoute = route({
  method: 'GET',
  path: '/v1/openapi.json',
  operationId: 'getOpenApiDocument',
  summary: 'This API as an OpenAPI 3.1 document',
  tag: 'Meta',
  auth: AuthMode.public,
  response: { status: 200, description: 'The OpenAPI document' },
  async handler() {
    // Imported on first use: the registry imports this route, so a static import would be a cycle.
    document ??= Promise.all([import('./document'), import('../routes')]).then(([{ buildOpenApiDocument }, { routes }]) =>
      buildOpenApiDocument(routes),
    );
    return ok(await document);
  },
});

export const handler = getOpenApiRoute.lambda();
