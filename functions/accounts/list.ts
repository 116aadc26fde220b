import * as z from 'zod';
import { toAccount, type AccountItem } from '../lib/accounts/account';
import { findAccountIdByExternalId } from '../lib/accounts/repository';
import { IdPrefix } from '../lib/ids';
import { findObject } from '../lib/table/find';
import { keys, ListKind } from '../lib/table/keys';
import { listMerchantObjects } from '../lib/table/merchant-lists';
import { AuthMode } from '../http/authenticate';
import { DEFAULT_LIMIT, listResponse } from '../http/lists';
import { route } from '../http/pipeline';
import { ok } from '../http/responses';
import { listOf, listQueryShape, text } from '../http/schemas/common';
import { accountSchema } from '../http/schemas/resources';

export const listAccountsQuery = z.strictObject({
  ...listQueryShape,
  external_id: text(128, 1).optional().meta({ description: 'Only the account with this external_id (0 or 1 results)' }),
});

export const listAccountsRoute = route({
  method: 'GET',
  path: '/v1/accounts',
  operationId: 'listAccounts',
  summary: 'List accounts, newest first',
  tag: 'Accounts',
  auth: AuthMode.invoice,
  query: listAccountsQuery,
  response: { status: 200, description: 'A page of accounts', schema: listOf(accountSchema) },
  async handler({ auth, query }, { table }) {
    if (query.external_id !== undefined) {
      // external_id is unique per merchant and has its own item: a direct look-up, one page.
      const accountId = await findAccountIdByExternalId(table, auth.merchantId, query.external_id);
      const account = accountId ? await findObject<AccountItem>(table, keys.account(accountId)) : undefined;
      const data = account && account.merchant_id === auth.merchantId ? [toAccount(account)] : [];
      return ok({ data, has_more: false, next_cursor: null });
    }
    const page = await listMerchantObjects<AccountItem>(table, {
      merchantId: auth.merchantId,
      kind: ListKind.accounts,
      idPrefix: IdPrefix.account,
      keyOf: keys.account,
      limit: query.limit ?? DEFAULT_LIMIT,
      cursor: query.cursor,
    });
    return ok(listResponse(page, toAccount));
  },
});

export const handler = listAccountsRoute.lambda();
