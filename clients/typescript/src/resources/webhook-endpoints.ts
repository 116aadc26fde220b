import { unwrap } from '../answers.js';
import { paginate } from '../pagination.js';
import type { CreatedWebhookEndpoint, CreateWebhookEndpointRequest, DeletedWebhookEndpoint, ListWebhookEndpointsQuery, Page, WebhookEndpoint } from '../types.js';
import { fetchInit, idempotency, withCursor, type CallOptions, type PostOptions, type ResourceContext } from './context.js';

export function webhookEndpoints(context: ResourceContext) {
  const { raw } = context;
  const list = (query: ListWebhookEndpointsQuery = {}, options: CallOptions = {}): Promise<Page<WebhookEndpoint>> =>
    unwrap(raw.GET('/v1/webhook-endpoints', { params: { query }, ...fetchInit(options) }));
  return {
    /** Registers a receiver; the answer carries its `whsec_` signing secret, shown only here. 201. */
    create(body: CreateWebhookEndpointRequest, options: PostOptions = {}): Promise<CreatedWebhookEndpoint> {
      const { key, header } = idempotency(context, options);
      return unwrap(raw.POST('/v1/webhook-endpoints', { params: { header }, body, ...fetchInit(options) }), key);
    },
    list,
    listAll: (query: Omit<ListWebhookEndpointsQuery, 'cursor'> = {}, options: CallOptions = {}) =>
      paginate((cursor) => list(withCursor(query, cursor), options)),
    delete: (id: string, options: CallOptions = {}): Promise<DeletedWebhookEndpoint> =>
      unwrap(raw.DELETE('/v1/webhook-endpoints/{id}', { params: { path: { id } }, ...fetchInit(options) })),
  };
}
