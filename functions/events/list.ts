import * as z from 'zod';
import { EVENT_TYPES, toDomainEvent, type EventType } from '../lib/events/event';
import { listEvents } from '../lib/events/repository';
import { AuthMode } from '../http/authenticate';
import { DEFAULT_LIMIT, listResponse } from '../http/lists';
import { route } from '../http/pipeline';
import { ok } from '../http/responses';
import { listOf, listQueryShape } from '../http/schemas/common';
import { eventSchema } from './schemas';

export const listEventsQuery = z.strictObject({
  ...listQueryShape,
  type: z.enum(EVENT_TYPES as [EventType, ...EventType[]]).optional().meta({ description: 'Only events of this type' }),
});

export const listEventsRoute = route({
  method: 'GET',
  path: '/v1/events',
  operationId: 'listEvents',
  summary: 'List events, newest first, optionally of one type',
  tag: 'Events',
  auth: AuthMode.secret,
  query: listEventsQuery,
  response: { status: 200, description: 'A page of events', schema: listOf(eventSchema) },
  async handler({ auth, query }, { table }) {
    const page = await listEvents(table, { merchantId: auth.merchantId, type: query.type, limit: query.limit ?? DEFAULT_LIMIT, cursor: query.cursor });
    return ok(listResponse(page, toDomainEvent));
  },
});

export const handler = listEventsRoute.lambda();
