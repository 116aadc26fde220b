import { unwrap } from '../answers.js';
import { paginate } from '../pagination.js';
import type { CreateInvoiceRequest, Invoice, ListInvoicesQuery, Page, PublicInvoice } from '../types.js';
import { fetchInit, idempotency, withCursor, type CallOptions, type PostOptions, type ResourceContext } from './context.js';

export function invoices(context: ResourceContext) {
  const { raw } = context;
  const list = (query: ListInvoicesQuery = {}, options: CallOptions = {}): Promise<Page<Invoice>> =>
    unwrap(raw.GET('/v1/invoices', { params: { query }, ...fetchInit(options) }));
  return {
    /** A deposit: a BOLT11 invoice for `amount_msat`, credited to its account once paid. 201. */
    create(body: CreateInvoiceRequest, options: PostOptions = {}): Promise<Invoice> {
      const { key, header } = idempotency(context, options);
      return unwrap(raw.POST('/v1/invoices', { params: { header }, body, ...fetchInit(options) }), key);
    },
    get: (id: string, options: CallOptions = {}): Promise<Invoice> =>
      unwrap(raw.GET('/v1/invoices/{id}', { params: { path: { id } }, ...fetchInit(options) })),
    list,
    /** Every invoice that matches, newest first, page after page. */
    listAll: (query: Omit<ListInvoicesQuery, 'cursor'> = {}, options: CallOptions = {}) =>
      paginate((cursor) => list(withCursor(query, cursor), options)),
    /** What the checkout page shows; needs no key (none is sent). */
    getPublic: (id: string, options: CallOptions = {}): Promise<PublicInvoice> =>
      unwrap(raw.GET('/v1/public/invoices/{id}', { params: { path: { id } }, headers: { Authorization: null }, ...fetchInit(options) })),
  };
}
