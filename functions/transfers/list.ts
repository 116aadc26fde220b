import * as z from 'zod';
import { IdPrefix } from '../lib/ids';
import { keys, ListKind } from '../lib/table/keys';
import { listMerchantObjects } from '../lib/table/merchant-lists';
import { toTransfer, type TransferItem } from '../lib/transfers/transfer';
import { AuthMode } from '../http/authenticate';
import { DEFAULT_LIMIT, listResponse } from '../http/lists';
import { route } from '../http/pipeline';
import { ok } from '../http/responses';
import { listOf, listQueryShape } from '../http/schemas/common';
import { transferSchema } from '../http/schemas/resources';

export const listTransfersRoute = route({
  method: 'GET',
  path: '/v1/transfers',
  operationId: 'listTransfers',
  summary: 'List transfers, newest first',
  tag: 'Transfers',
  auth: AuthMode.secret,
  query: z.strictObject(listQueryShape),
  response: { status: 200, description: 'A page of transfers', schema: listOf(transferSchema) },
  async handler({ auth, query }, { table }) {
    const page = await listMerchantObjects<TransferItem>(table, {
      merchantId: auth.merchantId,
      kind: ListKind.transfers,
      idPrefix: IdPrefix.transfer,
      keyOf: keys.transfer,
      limit: query.limit ?? DEFAULT_LIMIT,
      cursor: query.cursor,
    });
    return ok(listResponse(page, toTransfer));
  },
});

export const handler = listTransfersRoute.lambda();
