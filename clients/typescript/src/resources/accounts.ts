import { unwrap } from '../answers.js';
import { paginate } from '../pagination.js';
import type { Account, CreateAccountRequest, LedgerEntry, ListAccountsQuery, ListLedgerQuery, Page } from '../types.js';
import { fetchInit, idempotency, withCursor, type CallOptions, type PostOptions, type ResourceContext } from './context.js';

export function accounts(context: ResourceContext) {
  const { raw } = context;
  const list = (query: ListAccountsQuery = {}, options: CallOptions = {}): Promise<Page<Account>> =>
    unwrap(raw.GET('/v1/accounts', { params: { query }, ...fetchInit(options) }));
  const listLedger = (id: string, query: ListLedgerQuery = {}, options: CallOptions = {}): Promise<Page<LedgerEntry>> =>
    unwrap(raw.GET('/v1/accounts/{id}/ledger', { params: { path: { id }, query }, ...fetchInit(options) }));
  return {
    /** A wallet, e.g. one per end user (`external_id` is unique per merchant). 201. */
    create(body: CreateAccountRequest = {}, options: PostOptions = {}): Promise<Account> {
      const { key, header } = idempotency(context, options);
      return unwrap(raw.POST('/v1/accounts', { params: { header }, body, ...fetchInit(options) }), key);
    },
    get: (id: string, options: CallOptions = {}): Promise<Account> =>
      unwrap(raw.GET('/v1/accounts/{id}', { params: { path: { id } }, ...fetchInit(options) })),
    list,
    listAll: (query: Omit<ListAccountsQuery, 'cursor'> = {}, options: CallOptions = {}) =>
      paginate((cursor) => list(withCursor(query, cursor), options)),
    /** One page of the account's ledger, newest first: its entries add up to `balance_msat`. */
    listLedger,
    listAllLedger: (id: string, query: Omit<ListLedgerQuery, 'cursor'> = {}, options: CallOptions = {}) =>
      paginate((cursor) => listLedger(id, withCursor(query, cursor), options)),
  };
}
