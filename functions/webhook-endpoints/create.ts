import * as z from 'zod';
import { ValidationError } from '../lib/errors';
import { EVENT_TYPES, type EventType } from '../lib/events/event';
import { IdPrefix } from '../lib/ids';
import { readWebhookSettings } from '../lib/webhooks/config';
import {
  endpointSecretContext,
  MAX_ENDPOINTS_PER_MERCHANT,
  newWebhookEndpointItem,
  openEndpointSecret,
  toWebhookEndpoint,
  type WebhookEndpointItem,
} from '../lib/webhooks/endpoint';
import { allWebhookEndpoints, findWebhookEndpoint, insertWebhookEndpoint } from '../lib/webhooks/endpoint-repository';
import { requireSecretKeyConfigured } from '../lib/webhooks/kms-sealer';
import { newWebhookSecret } from '../lib/webhooks/signing';
import { checkWebhookUrl, systemResolver, WebhookTargetRefusedError } from '../lib/webhooks/ssrf-guard';
import { AuthMode } from '../http/authenticate';
import { route } from '../http/pipeline';
import { created } from '../http/responses';
import { createdWebhookEndpointSchema } from './schemas';

export const createWebhookEndpointBody = z
  .strictObject({
    url: z.string().min(1).max(2048).meta({ description: 'https:// URL on a public address' }),
    events: z
      .array(z.enum(EVENT_TYPES as [EventType, ...EventType[]]))
      .min(1)
      .max(50)
      .optional()
      .meta({ description: 'Event types to receive; every type (including future ones) when omitted' }),
  })
  .meta({ id: 'CreateWebhookEndpointRequest' });

// A deployment with bad webhook settings (or no secrets key) fails at cold start, not on the first request.
if (process.env.AWS_LAMBDA_FUNCTION_NAME) {
  readWebhookSettings();
  requireSecretKeyConfigured();
}

/** The creation answer: the only time the secret is shown (its idempotency record keeps it sealed). */
const withSecret = (item: WebhookEndpointItem, secret: string) => ({ ...toWebhookEndpoint(item), secret });

export const createWebhookEndpointRoute = route({
  method: 'POST',
  path: '/v1/webhook-endpoints',
  operationId: 'createWebhookEndpoint',
  summary: 'Register a webhook endpoint; its signing secret is shown only in this answer',
  tag: 'Webhooks',
  auth: AuthMode.secret,
  body: createWebhookEndpointBody,
  response: { status: 201, description: 'The endpoint, with its secret', schema: createdWebhookEndpointSchema },
  sealsStoredResponse: true,
  async handler({ auth, body, newId, now, resumed }, { table, secrets }) {
    const id = newId(IdPrefix.webhookEndpoint);
    if (resumed) {
      // The first attempt may have stored it and lost the answer: that answer is this one.
      const existing = await findWebhookEndpoint(table, id);
      if (existing?.merchant_id === auth.merchantId) return created(withSecret(existing, await openEndpointSecret(secrets, existing)));
    }
    const { policy } = readWebhookSettings();
    try {
      await checkWebhookUrl(body.url, policy, systemResolver);
    } catch (error) {
      if (error instanceof WebhookTargetRefusedError) throw new ValidationError(error.message, { param: 'url' });
      throw error;
    }
    const existing = await allWebhookEndpoints(table, auth.merchantId);
    if (existing.length >= MAX_ENDPOINTS_PER_MERCHANT) {
      throw new ValidationError(`A merchant can have at most ${MAX_ENDPOINTS_PER_MERCHANT} webhook endpoints; delete one first`);
    }
    const secret = newWebhookSecret();
    const item = newWebhookEndpointItem({
      id,
      merchantId: auth.merchantId,
      url: body.url,
      events: body.events,
      sealedSecret: await secrets.seal(secret, endpointSecretContext({ merchantId: auth.merchantId, endpointId: id })),
      createdAt: now.toISOString(),
    });
    await insertWebhookEndpoint(table, item);
    return created(withSecret(item, secret));
  },
});

export const handler = createWebhookEndpointRoute.lambda();
