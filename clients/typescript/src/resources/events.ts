import { unwrap } from '../answers.js';
import { paginate } from '../pagination.js';
import type { Event, ListDeliveriesQuery, ListEventsQuery, Page, RedeliverEventRequest, Redelivery, WebhookDelivery } from '../types.js';
import { fetchInit, idempotency, withCursor, type CallOptions, type PostOptions, type ResourceContext } from './context.js';

export function events(context: ResourceContext) {
  const { raw } = context;
  const list = (query: ListEventsQuery = {}, options: CallOptions = {}): Promise<Page<Event>> =>
    unwrap(raw.GET('/v1/events', { params: { query }, ...fetchInit(options) }));
  const listDeliveries = (id: string, query: ListDeliveriesQuery = {}, options: CallOptions = {}): Promise<Page<WebhookDelivery>> =>
    unwrap(raw.GET('/v1/events/{id}/deliveries', { params: { path: { id }, query }, ...fetchInit(options) }));
  return {
    get: (id: string, options: CallOptions = {}): Promise<Event> =>
      unwrap(raw.GET('/v1/events/{id}', { params: { path: { id } }, ...fetchInit(options) })),
    list,
    listAll: (query: Omit<ListEventsQuery, 'cursor'> = {}, options: CallOptions = {}) =>
      paginate((cursor) => list(withCursor(query, cursor), options)),
    /** The delivery log of one event: every attempt to every endpoint. */
    listDeliveries,
    listAllDeliveries: (id: string, query: Omit<ListDeliveriesQuery, 'cursor'> = {}, options: CallOptions = {}) =>
      paginate((cursor) => listDeliveries(id, withCursor(query, cursor), options)),
    /** Starts a new series of attempts (to one endpoint, or to every subscribed one). 202. */
    redeliver(id: string, body: RedeliverEventRequest = {}, options: PostOptions = {}): Promise<Redelivery> {
      const { key, header } = idempotency(context, options);
      return unwrap(raw.POST('/v1/events/{id}/redeliver', { params: { path: { id }, header }, body, ...fetchInit(options) }), key);
    },
  };
}
