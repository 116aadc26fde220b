import { NotFoundError } from '../errors';
import { IdPrefix } from '../ids';
import type { Table } from '../table/client';
import { findObject } from '../table/find';
import { keys, ListKind } from '../table/keys';
import { listMerchantObjects } from '../table/merchant-lists';
import type { Page } from '../table/page';
import type { EventItem, EventType } from './event';

export async function findEvent(table: Table, eventId: string): Promise<EventItem | undefined> {
  return findObject<EventItem>(table, keys.event(eventId));
}

/** The merchant's event, or 404, identically for a missing id and another merchant's. */
export async function getEvent(table: Table, merchantId: string, eventId: string): Promise<EventItem> {
  const event = await findEvent(table, eventId);
  if (!event || event.merchant_id !== merchantId) throw new NotFoundError(`No such event: ${eventId}`);
  return event;
}

/** The merchant's events, newest first, optionally of one type. */
export async function listEvents(
  table: Table,
  request: { merchantId: string; type: EventType | undefined; limit: number; cursor: string | undefined },
): Promise<Page<EventItem>> {
  return listMerchantObjects<EventItem>(table, {
    merchantId: request.merchantId,
    kind: ListKind.events,
    idPrefix: IdPrefix.event,
    keyOf: keys.event,
    limit: request.limit,
    cursor: request.cursor,
    where: { type: request.type },
  });
}
