import { IdPrefix } from '../lib/ids';
import { getTransfer } from '../lib/transfers/repository';
import { toTransfer } from '../lib/transfers/transfer';
import { AuthMode } from '../http/authenticate';
import { route } from '../http/pipeline';
import { ok } from '../http/responses';
import { idPath } from '../http/schemas/common';
import { transferSchema } from '../http/schemas/resources';

export const getTransferRoute = route({
  method: 'GET',
  path: '/v1/transfers/{id}',
  operationId: 'getTransfer',
  summary: 'Retrieve a transfer',
  tag: 'Transfers',
  auth: AuthMode.secret,
  params: idPath(IdPrefix.transfer, 'transfer'),
  response: { status: 200, description: 'The transfer', schema: transferSchema },
  async handler({ auth, path }, { table }) {
    return ok(toTransfer(await getTransfer(table, auth.merchantId, path.id)));
  },
});

export const handler = getTransferRoute.lambda();
