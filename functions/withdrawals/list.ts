import * as z from 'zod';
import { IdPrefix } from '../lib/ids';
import { keys, ListKind } from '../lib/table/keys';
import { listMerchantObjects } from '../lib/table/merchant-lists';
import { toWithdrawal, WithdrawalStatus, type WithdrawalItem } from '../lib/withdrawals/withdrawal';
import { AuthMode } from '../http/authenticate';
import { DEFAULT_LIMIT, listResponse } from '../http/lists';
import { route } from '../http/pipeline';
import { ok } from '../http/responses';
import { listOf, listQueryShape, text } from '../http/schemas/common';
import { withdrawalSchema } from '../http/schemas/resources';

export const listWithdrawalsQuery = z.strictObject({
  ...listQueryShape,
  status: z.enum(Object.values(WithdrawalStatus) as [WithdrawalStatus, ...WithdrawalStatus[]]).optional(),
  account_id: text(64, 1).optional(),
});

export const listWithdrawalsRoute = route({
  method: 'GET',
  path: '/v1/withdrawals',
  operationId: 'listWithdrawals',
  summary: 'List withdrawals, newest first, optionally filtered',
  tag: 'Withdrawals',
  auth: AuthMode.secret,
  query: listWithdrawalsQuery,
  response: { status: 200, description: 'A page of withdrawals', schema: listOf(withdrawalSchema) },
  async handler({ auth, query }, { table }) {
    const page = await listMerchantObjects<WithdrawalItem>(table, {
      merchantId: auth.merchantId,
      kind: ListKind.withdrawals,
      idPrefix: IdPrefix.withdrawal,
      keyOf: keys.withdrawal,
      limit: query.limit ?? DEFAULT_LIMIT,
      cursor: query.cursor,
      where: { status: query.status, account_id: query.account_id },
    });
    return ok(listResponse(page, toWithdrawal));
  },
});

export const handler = listWithdrawalsRoute.lambda();
