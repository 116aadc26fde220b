import { unwrap } from '../answers.js';
import { paginate } from '../pagination.js';
import type { CreateTransferRequest, ListTransfersQuery, Page, Transfer } from '../types.js';
import { fetchInit, idempotency, withCursor, type CallOptions, type PostOptions, type ResourceContext } from './context.js';

export function transfers(context: ResourceContext) {
  const { raw } = context;
  const list = (query: ListTransfersQuery = {}, options: CallOptions = {}): Promise<Page<Transfer>> =>
    unwrap(raw.GET('/v1/transfers', { params: { query }, ...fetchInit(options) }));
  return {
    /** Moves money between two of the merchant's accounts, atomically. 201. */
    create(body: CreateTransferRequest, options: PostOptions = {}): Promise<Transfer> {
      const { key, header } = idempotency(context, options);
      return unwrap(raw.POST('/v1/transfers', { params: { header }, body, ...fetchInit(options) }), key);
    },
    get: (id: string, options: CallOptions = {}): Promise<Transfer> =>
      unwrap(raw.GET('/v1/transfers/{id}', { params: { path: { id } }, ...fetchInit(options) })),
    list,
    listAll: (query: Omit<ListTransfersQuery, 'cursor'> = {}, options: CallOptions = {}) =>
      paginate((cursor) => list(withCursor(query, cursor), options)),
  };
}
