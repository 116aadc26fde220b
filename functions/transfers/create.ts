import * as z from 'zod';
import { IdPrefix } from '../lib/ids';
import { transfer } from '../lib/ledger/transfer';
import { findObject } from '../lib/table/find';
import { keys } from '../lib/table/keys';
import { toTransfer, type TransferItem } from '../lib/transfers/transfer';
import { AuthMode } from '../http/authenticate';
import { route } from '../http/pipeline';
import { created } from '../http/responses';
import { idOf, msat, text } from '../http/schemas/common';
import { transferSchema } from '../http/schemas/resources';

export const createTransferBody = z
  .strictObject({
    from_account_id: idOf(IdPrefix.account, 'account'),
    to_account_id: idOf(IdPrefix.account, 'account'),
    amount_msat: msat({ min: 1 }),
    memo: text(500).nullable().optional(),
  })
  .meta({ id: 'CreateTransferRequest' });

export const createTransferRoute = route({
  method: 'POST',
  path: '/v1/transfers',
  operationId: 'createTransfer',
  summary: 'Move money between two of your accounts, atomically',
  tag: 'Transfers',
  auth: AuthMode.secret,
  body: createTransferBody,
  response: { status: 201, description: 'The transfer, already completed', schema: transferSchema },
  errors: [404, 422],
  async handler({ auth, body, newId, now, resumed }, { table }) {
    const id = newId(IdPrefix.transfer);
    if (resumed) {
      // An earlier attempt with this Idempotency-Key may have moved the money already.
      const existing = await findObject<TransferItem>(table, keys.transfer(id));
      if (existing?.merchant_id === auth.merchantId) return created(toTransfer(existing));
    }
    const item = await transfer(table, {
      id,
      merchantId: auth.merchantId,
      fromAccountId: body.from_account_id,
      toAccountId: body.to_account_id,
      amountMsat: body.amount_msat,
      memo: body.memo ?? null,
      createdAt: now.toISOString(),
    });
    return created(toTransfer(item));
  },
});

export const handler = createTransferRoute.lambda();
