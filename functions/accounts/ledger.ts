import * as z from 'zod';
import { getAccount } from '../lib/accounts/repository';
import { IdPrefix } from '../lib/ids';
import { toLedgerEntry, type LedgerEntryItem } from '../lib/ledger/ledger-entry';
import { listLedgerEntries } from '../lib/table/merchant-lists';
import { AuthMode } from '../http/authenticate';
import { DEFAULT_LIMIT, listResponse } from '../http/lists';
import { route } from '../http/pipeline';
import { ok } from '../http/responses';
import { idPath, listOf, listQueryShape } from '../http/schemas/common';
import { ledgerEntrySchema } from '../http/schemas/resources';

export const accountLedgerRoute = route({
  method: 'GET',
  path: '/v1/accounts/{id}/ledger',
  operationId: 'listAccountLedger',
  summary: "List an account's ledger entries, newest first",
  tag: 'Accounts',
  // The ledger shows payouts and transfers, which an invoice key may not see.
  auth: AuthMode.secret,
  params: idPath(IdPrefix.account, 'account'),
  query: z.strictObject(listQueryShape),
  response: { status: 200, description: 'A page of ledger entries', schema: listOf(ledgerEntrySchema) },
  async handler({ auth, path, query }, { table }) {
    await getAccount(table, auth.merchantId, path.id);
    const page = await listLedgerEntries<LedgerEntryItem>(table, {
      accountId: path.id,
      idPrefix: IdPrefix.ledgerEntry,
      limit: query.limit ?? DEFAULT_LIMIT,
      cursor: query.cursor,
    });
    return ok(listResponse(page, toLedgerEntry));
  },
});

export const handler = accountLedgerRoute.lambda();
