import { toDomainEvent } from '../lib/events/event';
import { getEvent } from '../lib/events/repository';
import { IdPrefix } from '../lib/ids';
import { AuthMode } from '../http/authenticate';
import { route } from '../http/pipeline';
import { ok } from '../http/responses';
import { idPath } from '../http/schemas/common';
import { eventSchema } from './schemas';

export const getEventRoute = route({
  method: 'GET',
  path: '/v1/events/{id}',
  operationId: 'getEvent',
  summary: 'Retrieve an event',
  tag: 'Events',
  auth: AuthMode.secret,
  params: idPath(IdPrefix.event, 'event'),
  response: { status: 200, description: 'The event', schema: eventSchema },
  async handler({ auth, path }, { table }) {
    return ok(toDomainEvent(await getEvent(table, auth.merchantId, path.id)));
  },
});

export const handler = getEventRoute.lambda();
