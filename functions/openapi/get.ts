import { AuthMode } from '../http/authenticate';
import { route } from '../http/pipeline';
import { ok } from '../http/responses';
// The committed document (test/api/openapi.test.ts keeps it equal to what the route registry
// generates), bundled into the function as JSON: serving it needs neither the registry
// (which imports this route) nor the generator.
import document from '../../docs/openapi.json';

export const getOpenApiRoute = route({
  method: 'GET',
  path: '/v1/openapi.json',
  operationId: 'getOpenApiDocument',
  summary: 'This API as an OpenAPI 3.1 document',
  tag: 'Meta',
  auth: AuthMode.public,
  response: { status: 200, description: 'The OpenAPI document' },
  async handler() {
    return ok(document);
  },
});

export const handler = getOpenApiRoute.lambda();
