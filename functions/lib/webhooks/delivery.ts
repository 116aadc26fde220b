import * as z from 'zod';
import { IdPrefix, newId } from '../ids';
import { Entity, keys, type Key } from '../table/keys';

/** The outcome of one attempt, as GET /v1/events/{id}/deliveries shows it. */
export const AttemptStatus = { succeeded: 'succeeded', failed: 'failed' } as const;
export type AttemptStatus = (typeof AttemptStatus)[keyof typeof AttemptStatus];

/** One attempt to deliver one event to one endpoint: `EVENT#<evt>` / `DELIVERY#<we>#<attempt>`. */
export interface WebhookDeliveryItem {
  pk: string;
  sk: string;
  entity: typeof Entity.webhookDelivery;
  /** `dlv_`, sortable by attempt time. */
  id: string;
  event_id: string;
  endpoint_id: string;
  merchant_id: string;
  /** 1, 2, ... per (event, endpoint), counting on across redeliveries. */
  attempt: number;
  /** Which series of attempts (1 = the original, +1 per redelivery). */
  series: number;
  attempted_at: string;
  status: AttemptStatus;
  response_status: number | null;
  duration_ms: number;
  error: string | null;
}

export interface WebhookDelivery {
  id: string;
  endpoint_id: string;
  attempt: number;
  attempted_at: string;
  status: AttemptStatus;
  response_status: number | null;
  duration_ms: number;
  error: string | null;
}

/** Three digits in the key, so at most this many attempts per (event, endpoint), redeliveries included. */
export const MAX_ATTEMPT_NUMBER = 999;

export function newWebhookDeliveryItem(input: Omit<WebhookDeliveryItem, 'pk' | 'sk' | 'entity' | 'id'>): WebhookDeliveryItem {
  return {
    ...keys.webhookDelivery(input.event_id, input.endpoint_id, input.attempt),
    entity: Entity.webhookDelivery,
    id: newId(IdPrefix.delivery, Date.parse(input.attempted_at)),
    ...input,
  };
}

export function toWebhookDelivery(item: WebhookDeliveryItem): WebhookDelivery {
  return {
    id: item.id,
    endpoint_id: item.endpoint_id,
    attempt: item.attempt,
    attempted_at: item.attempted_at,
    status: item.status,
    response_status: item.response_status,
    duration_ms: item.duration_ms,
    error: item.error,
  };
}

export const DELIVERY_SK_PREFIX = 'DELIVERY#';

/**
 * Where a series of attempts of one event to one endpoint stands: which attempt is next and
 * when. Beside its event, like the attempts: `EVENT#<evt>` / `WEBHOOK_STATE#<we>`.
 */
export const DeliveryStateStatus = {
  /** More attempts to come (next_attempt_at). */
  pending: 'pending',
  succeeded: 'succeeded',
  /** Every attempt failed, or the receiver said 410 Gone: parked in the DLQ, may be redelivered. */
  failed: 'failed',
  /** The endpoint was deleted or disabled before the next attempt. */
  cancelled: 'cancelled',
} as const;
export type DeliveryStateStatus = (typeof DeliveryStateStatus)[keyof typeof DeliveryStateStatus];

export const DELIVERY_STATE_ENTITY = 'webhook_delivery_state';

export interface DeliveryStateItem {
  pk: string;
  sk: string;
  entity: typeof DELIVERY_STATE_ENTITY;
  event_id: string;
  endpoint_id: string;
  merchant_id: string;
  series: number;
  /** Attempts made in the current series (the schedule counts these). */
  series_attempts: number;
  /** Attempts made in every series: the next attempt's number is attempts + 1. */
  attempts: number;
  status: DeliveryStateStatus;
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string;
}

export const deliveryStateKey = (eventId: string, endpointId: string): Key => ({ pk: keys.event(eventId).pk, sk: `WEBHOOK_STATE#${endpointId}` });

/**
 * A webhook queue message: "make attempt `attempt` of series `series` at `due_at`". The
 * body is small and holds no payload or secret: the worker reads the event and endpoint.
 */
export const deliveryMessageSchema = z.strictObject({
  event_id: z.string().startsWith('evt_'),
  endpoint_id: z.string().startsWith('we_'),
  series: z.number().int().min(1),
  attempt: z.number().int().min(1).max(MAX_ATTEMPT_NUMBER),
  due_at: z.iso.datetime(),
});
export type DeliveryMessage = z.infer<typeof deliveryMessageSchema>;

/** What the worker parks in the webhook DLQ when a delivery ends failed. */
export interface DeadLetter {
  event_id: string;
  endpoint_id: string;
  merchant_id: string;
  series: number;
  attempts: number;
  failed_at: string;
  reason: string;
}
