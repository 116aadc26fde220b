import * as z from 'zod';
import { EVENT_TYPES } from '../lib/events/event';
import { AttemptStatus } from '../lib/webhooks/delivery';
import { isoTimestamp } from '../http/schemas/common';

export const eventSchema = z
  .object({
    id: z.string(),
    type: z.enum(EVENT_TYPES as [string, ...string[]]),
    created_at: isoTimestamp,
    data: z.object({ object: z.record(z.string(), z.unknown()).meta({ description: 'The resource as the API showed it when the event happened' }) }),
  })
  .meta({ id: 'Event' });

export const webhookDeliverySchema = z
  .object({
    id: z.string(),
    endpoint_id: z.string(),
    attempt: z.number().int().meta({ description: '1, 2, ... per endpoint, counting on across redeliveries' }),
    attempted_at: isoTimestamp,
    status: z.enum(Object.values(AttemptStatus) as [string, ...string[]]),
    response_status: z.number().int().nullable(),
    duration_ms: z.number().int(),
    error: z.string().nullable(),
  })
  .meta({ id: 'WebhookDelivery' });

export const redeliverySchema = z
  .object({
    event_id: z.string(),
    endpoint_ids: z.array(z.string()).meta({ description: 'The endpoints a new series of attempts was started for' }),
  })
  .meta({ id: 'Redelivery' });
