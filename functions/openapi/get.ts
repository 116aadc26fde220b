import * as z from 'zod';
import { AuthMode } from '../http/authenticate';
import { route } from '../http/pipeline';
import { ok } from '../http/responses';
// The committed document (test/api/openapi.test.ts keeps it equal to what the route registry
// generates), bundled into the function as JSON: serving it needs neither the registry
// (which imports this route) nor the generator.
import document from '../../docs/openapi.json';

/** The answer's shape as far as a client relies on it; the OpenAPI 3.1 specification says the rest. */
const openApiDocumentSchema = z
  .object({
    openapi: z.string().meta({ examples: ['3.1.0'] }),
    info: z.object({ title: z.string(), version: z.string() }),
    paths: z.record(z.string(), z.record(z.string(), z.unknown())),
  })
  .meta({ id: 'OpenApiDocument', description: 'An OpenAPI 3.1 document: this one' });

export const getOpenApiRoute = route({
  method: 'GET',
  path: '/v1/openapi.json',
  operationId: 'getOpenApiDocument',
  summary: 'This API as an OpenAPI 3.1 document',
  tag: 'Meta',
  auth: AuthMode.public,
  response: { status: 200, description: 'The OpenAPI document', schema: openApiDocumentSchema },
  async handler() {
    return ok(document);
  },
});

export const handler = getOpenApiRoute.lambda();
