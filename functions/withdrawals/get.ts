import { IdPrefix } from '../lib/ids';
import { getWithdrawal } from '../lib/withdrawals/repository';
import { toWithdrawal } from '../lib/withdrawals/withdrawal';
import { AuthMode } from '../http/authenticate';
import { route } from '../http/pipeline';
import { ok } from '../http/responses';
import { idPath } from '../http/schemas/common';
import { withdrawalSchema } from '../http/schemas/resources';

export const getWithdrawalRoute = route({
  method: 'GET',
  path: '/v1/withdrawals/{id}',
  operationId: 'getWithdrawal',
  summary: 'Retrieve a withdrawal',
  tag: 'Withdrawals',
  auth: AuthMode.secret,
  params: idPath(IdPrefix.withdrawal, 'withdrawal'),
  response: { status: 200, description: 'The withdrawal', schema: withdrawalSchema },
  async handler({ auth, path }, { table }) {
    return ok(toWithdrawal(await getWithdrawal(table, auth.merchantId, path.id)));
  },
});

export const handler = getWithdrawalRoute.lambda();
