import * as z from 'zod';
import { toWebhookEndpoint } from '../lib/webhooks/endpoint';
import { listWebhookEndpoints } from '../lib/webhooks/endpoint-repository';
import { AuthMode } from '../http/authenticate';
import { DEFAULT_LIMIT, listResponse } from '../http/lists';
import { route } from '../http/pipeline';
import { ok } from '../http/responses';
import { listOf, listQueryShape } from '../http/schemas/common';
import { webhookEndpointSchema } from './schemas';

export const listWebhookEndpointsRoute = route({
  method: 'GET',
  path: '/v1/webhook-endpoints',
  operationId: 'listWebhookEndpoints',
  summary: 'List webhook endpoints, newest first (without their secrets)',
  tag: 'Webhooks',
  auth: AuthMode.secret,
  query: z.strictObject(listQueryShape),
  response: { status: 200, description: 'A page of webhook endpoints', schema: listOf(webhookEndpointSchema) },
  async handler({ auth, query }, { table }) {
    const page = await listWebhookEndpoints(table, {
      merchantId: auth.merchantId,
      limit: query.limit ?? DEFAULT_LIMIT,
      cursor: query.cursor,
    });
    return ok(listResponse(page, toWebhookEndpoint));
  },
});

export const handler = listWebhookEndpointsRoute.lambda();
