import * as z from 'zod';
import { ValidationError } from '../lib/errors';
import { getEvent } from '../lib/events/repository';
import { IdPrefix } from '../lib/ids';
import { findDeliveryState } from '../lib/webhooks/delivery-repository';
import { EndpointStatus, subscribesTo, type WebhookEndpointItem } from '../lib/webhooks/endpoint';
import { allWebhookEndpoints, getWebhookEndpoint } from '../lib/webhooks/endpoint-repository';
import { powertoolsLog } from '../lib/runtime/log';
import { webhookQueues } from '../lib/webhooks/queues';
import { canRedeliver, startRedelivery } from '../lib/webhooks/series';
import { AuthMode } from '../http/authenticate';
import { route } from '../http/pipeline';
import { accepted } from '../http/responses';
import { idOf, idPath } from '../http/schemas/common';
import { redeliverySchema } from './schemas';

export const redeliverEventBody = z
  .strictObject({
    endpoint_id: idOf(IdPrefix.webhookEndpoint, 'webhook endpoint')
      .optional()
      .meta({ description: 'Only to this endpoint; by default to every enabled endpoint subscribed to the event type' }),
  })
  .meta({ id: 'RedeliverEventRequest' });

const log = powertoolsLog('lightning-payments-api');
// Without WEBHOOK_QUEUE_URL this function cannot work: fail its cold start, not a request.
if (process.env.AWS_LAMBDA_FUNCTION_NAME) webhookQueues(log);

export const redeliverEventRoute = route({
  method: 'POST',
  path: '/v1/events/{id}/redeliver',
  operationId: 'redeliverEvent',
  summary: 'Deliver an event again: a new series of attempts on the full schedule, the first at once',
  tag: 'Events',
  auth: AuthMode.secret,
  params: idPath(IdPrefix.event, 'event'),
  body: redeliverEventBody,
  response: { status: 202, description: 'Delivery started again; follow it in GET /v1/events/{id}/deliveries', schema: redeliverySchema },
  async handler({ auth, path, body, now }, { table }) {
    const event = await getEvent(table, auth.merchantId, path.id);
    let endpoints: WebhookEndpointItem[];
    if (body.endpoint_id !== undefined) {
      endpoints = [await getWebhookEndpoint(table, auth.merchantId, body.endpoint_id, 'endpoint_id')];
    } else {
      endpoints = (await allWebhookEndpoints(table, auth.merchantId)).filter((endpoint) => subscribesTo(endpoint, event.type));
    }
    // A disabled endpoint (it answered 410 Gone) receives nothing, redeliveries included.
    const targets = endpoints.filter((endpoint) => endpoint.status === EndpointStatus.enabled);
    const states = await Promise.all(targets.map((endpoint) => findDeliveryState(table, event.id, endpoint.id)));
    if (states.some((state) => !canRedeliver(state))) throw new ValidationError('This event has been redelivered too many times');
    const { deliveries } = webhookQueues(log);
    await Promise.all(
      targets.map((endpoint) => startRedelivery(table, deliveries, { eventId: event.id, endpointId: endpoint.id, merchantId: auth.merchantId, now })),
    );
    return accepted({ event_id: event.id, endpoint_ids: targets.map((endpoint) => endpoint.id) });
  },
});

export const handler = redeliverEventRoute.lambda();
