import * as z from 'zod';
import { toAccount, type AccountItem } from '../lib/accounts/account';
import { createAccount } from '../lib/accounts/repository';
import { IdPrefix } from '../lib/ids';
import { findObject } from '../lib/table/find';
import { keys } from '../lib/table/keys';
import { AuthMode } from '../http/authenticate';
import { route } from '../http/pipeline';
import { created } from '../http/responses';
import { text } from '../http/schemas/common';
import { accountSchema } from '../http/schemas/resources';

export const createAccountBody = z
  .strictObject({
    external_id: text(128, 1).nullable().optional().meta({ description: 'Your id for this account; unique per merchant' }),
    label: text(128).nullable().optional(),
  })
  .meta({ id: 'CreateAccountRequest' });

export const createAccountRoute = route({
  method: 'POST',
  path: '/v1/accounts',
  operationId: 'createAccount',
  summary: 'Create an account (a wallet, e.g. one per end user)',
  tag: 'Accounts',
  auth: AuthMode.secret,
  body: createAccountBody,
  response: { status: 201, description: 'The new account', schema: accountSchema },
  errors: [409],
  async handler({ auth, body, newId, now, resumed }, { table }) {
    const id = newId(IdPrefix.account);
    if (resumed) {
      const existing = await findObject<AccountItem>(table, keys.account(id));
      if (existing?.merchant_id === auth.merchantId) return created(toAccount(existing));
    }
    const account = await createAccount(table, {
      id,
      merchantId: auth.merchantId,
      externalId: body.external_id ?? null,
      label: body.label ?? null,
      now,
    });
    return created(toAccount(account));
  },
});

export const handler = createAccountRoute.lambda();
