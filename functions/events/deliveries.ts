import * as z from 'zod';
import { ValidationError } from '../lib/errors';
import { getEvent } from '../lib/events/repository';
import { IdPrefix, isIdOf } from '../lib/ids';
import { encodeCursor } from '../lib/table/page';
import { toWebhookDelivery } from '../lib/webhooks/delivery';
import { allDeliveriesOf } from '../lib/webhooks/delivery-repository';
import { AuthMode } from '../http/authenticate';
import { DEFAULT_LIMIT } from '../http/lists';
import { route } from '../http/pipeline';
import { ok } from '../http/responses';
import { idPath, listOf, listQueryShape } from '../http/schemas/common';
import { webhookDeliverySchema } from './schemas';

const CURSOR_KIND = 'DELIVERIES';

export const listEventDeliveriesRoute = route({
  method: 'GET',
  path: '/v1/events/{id}/deliveries',
  operationId: 'listEventDeliveries',
  summary: "List every webhook delivery attempt of an event, newest first",
  tag: 'Events',
  auth: AuthMode.secret,
  params: idPath(IdPrefix.event, 'event'),
  query: z.strictObject(listQueryShape),
  response: { status: 200, description: 'A page of delivery attempts', schema: listOf(webhookDeliverySchema) },
  async handler({ auth, path, query }, { table }) {
    await getEvent(table, auth.merchantId, path.id);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const limit = query.limit ?? DEFAULT_LIMIT;
    // An event's attempts sit in its partition sorted by endpoint and attempt number; the
    // list is by time, so they are read whole (endpoints × attempts: a few hundred at most)
    // and ordered by their time-sortable dlv_ ids.
    const attempts = (await allDeliveriesOf(table, path.id))
      .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .filter((item) => after === undefined || item.id < after);
    const shown = attempts.slice(0, limit);
    const hasMore = attempts.length > limit;
    const last = shown[shown.length - 1];
    return ok({
      data: shown.map(toWebhookDelivery),
      has_more: hasMore,
      next_cursor: hasMore && last ? encodeCursor(CURSOR_KIND, last.id) : null,
    });
  },
});

function decodeCursor(cursor: string): string {
  const refused = new ValidationError('cursor is not a next_cursor of this list', { param: 'cursor' });
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(cursor)) throw refused;
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = decoded.startsWith(`${CURSOR_KIND}:`) ? decoded.slice(CURSOR_KIND.length + 1) : '';
  if (!isIdOf(IdPrefix.delivery, id)) throw refused;
  return id;
}

export const handler = listEventDeliveriesRoute.lambda();
