import { IdPrefix } from '../lib/ids';
import { deleteWebhookEndpoint } from '../lib/webhooks/endpoint-repository';
import { AuthMode } from '../http/authenticate';
import { route } from '../http/pipeline';
import { ok } from '../http/responses';
import { idPath } from '../http/schemas/common';
import { deletedWebhookEndpointSchema } from './schemas';

export const deleteWebhookEndpointRoute = route({
  method: 'DELETE',
  path: '/v1/webhook-endpoints/{id}',
  operationId: 'deleteWebhookEndpoint',
  summary: 'Delete a webhook endpoint; deliveries still scheduled for it stop',
  tag: 'Webhooks',
  auth: AuthMode.secret,
  params: idPath(IdPrefix.webhookEndpoint, 'webhook endpoint'),
  response: { status: 200, description: 'The endpoint is deleted', schema: deletedWebhookEndpointSchema },
  async handler({ auth, path }, { table }) {
    await deleteWebhookEndpoint(table, auth.merchantId, path.id);
    return ok({ id: path.id, deleted: true });
  },
});

export const handler = deleteWebhookEndpointRoute.lambda();
