import * as z from 'zod';
import { EVENT_TYPES } from '../lib/events/event';
import { EndpointStatus } from '../lib/webhooks/endpoint';
import { isoTimestamp } from '../http/schemas/common';

export const eventTypeSchema = z.enum(EVENT_TYPES as [string, ...string[]]);

export const webhookEndpointSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(eventTypeSchema),
    status: z.enum(Object.values(EndpointStatus) as [string, ...string[]]).meta({ description: 'disabled after the receiver answered 410 Gone' }),
    created_at: isoTimestamp,
  })
  .meta({ id: 'WebhookEndpoint' });

export const createdWebhookEndpointSchema = webhookEndpointSchema
  .extend({ secret: z.string().meta({ description: 'whsec_...: shown only here, keep it to verify signatures' }) })
  .meta({ id: 'CreatedWebhookEndpoint' });

export const deletedWebhookEndpointSchema = z.object({ id: z.string(), deleted: z.literal(true) }).meta({ id: 'DeletedWebhookEndpoint' });
