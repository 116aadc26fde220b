import { IdPrefix, newId } from '../ids';
import { Entity, keys, ListKind, merchantListKey } from '../table/keys';

export const EventType = {
  invoicePaid: 'invoice.paid',
  invoiceExpired: 'invoice.expired',
  withdrawalSucceeded: 'withdrawal.succeeded',
  withdrawalFailed: 'withdrawal.failed',
  transferCompleted: 'transfer.completed',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];
export const EVENT_TYPES = Object.values(EventType);

/** A domain event: written in the same transaction as the change it reports (the outbox). */
export interface EventItem {
  pk: string;
  sk: string;
  entity: typeof Entity.event;
  id: string;
  merchant_id: string;
  type: EventType;
  created_at: string;
  data: { object: Record<string, unknown> };
  gsi1pk: string;
  gsi1sk: string;
}

export interface DomainEvent {
  id: string;
  type: EventType;
  created_at: string;
  data: { object: Record<string, unknown> };
}

export function newEventItem(input: { type: EventType; merchantId: string; object: object; createdAt: Date }): EventItem {
  const id = newId(IdPrefix.event, input.createdAt.getTime());
  return {
    ...keys.event(id),
    entity: Entity.event,
    id,
    merchant_id: input.merchantId,
    type: input.type,
    created_at: input.createdAt.toISOString(),
    data: { object: { ...input.object } },
    ...merchantListKey(input.merchantId, ListKind.events, id),
  };
}

export function toDomainEvent(item: EventItem): DomainEvent {
  return { id: item.id, type: item.type, created_at: item.created_at, data: item.data };
}
