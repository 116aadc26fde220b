import { unwrap } from '../answers.js';
import { paginate } from '../pagination.js';
import type { CreateWithdrawalRequest, ListWithdrawalsQuery, Page, Withdrawal } from '../types.js';
import { fetchInit, idempotency, withCursor, type CallOptions, type PostOptions, type ResourceContext } from './context.js';

export function withdrawals(context: ResourceContext) {
  const { raw } = context;
  const list = (query: ListWithdrawalsQuery = {}, options: CallOptions = {}): Promise<Page<Withdrawal>> =>
    unwrap(raw.GET('/v1/withdrawals', { params: { query }, ...fetchInit(options) }));
  return {
    /**
     * A payout to a BOLT11: the amount and fee reserve are debited at once (202); the payment
     * itself finishes later (`withdrawal.succeeded` / `withdrawal.failed`). An invoice of this
     * service is settled internally and answers already `succeeded`.
     */
    create(body: CreateWithdrawalRequest, options: PostOptions = {}): Promise<Withdrawal> {
      const { key, header } = idempotency(context, options);
      return unwrap(raw.POST('/v1/withdrawals', { params: { header }, body, ...fetchInit(options) }), key);
    },
    get: (id: string, options: CallOptions = {}): Promise<Withdrawal> =>
      unwrap(raw.GET('/v1/withdrawals/{id}', { params: { path: { id } }, ...fetchInit(options) })),
    list,
    listAll: (query: Omit<ListWithdrawalsQuery, 'cursor'> = {}, options: CallOptions = {}) =>
      paginate((cursor) => list(withCursor(query, cursor), options)),
  };
}
