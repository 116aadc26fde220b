import { toAccount } from '../lib/accounts/account';
import { getAccount } from '../lib/accounts/repository';
import { IdPrefix } from '../lib/ids';
import { AuthMode } from '../http/authenticate';
import { route } from '../http/pipeline';
import { ok } from '../http/responses';
import { idPath } from '../http/schemas/common';
import { accountSchema } from '../http/schemas/resources';

export const getAccountRoute = route({
  method: 'GET',
  path: '/v1/accounts/{id}',
  operationId: 'getAccount',
  summary: 'Retrieve an account and its balance',
  tag: 'Accounts',
  auth: AuthMode.invoice,
  params: idPath(IdPrefix.account, 'account'),
  response: { status: 200, description: 'The account', schema: accountSchema },
  async handler({ auth, path }, { table }) {
    return ok(toAccount(await getAccount(table, auth.merchantId, path.id)));
  },
});

export const handler = getAccountRoute.lambda();
