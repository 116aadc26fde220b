import { accountLedgerRoute } from './accounts/ledger';
import { createAccountRoute } from './accounts/create';
import { getAccountRoute } from './accounts/get';
import { listAccountsRoute } from './accounts/list';
import type { AnyRoute } from './http/pipeline';
import { createInvoiceRoute } from './invoices/create';
import { createTransferRoute } from './transfers/create';
import { getTransferRoute } from './transfers/get';
import { listTransfersRoute } from './transfers/list';

/**
 * Every API route, once. The local HTTP adapter, the OpenAPI generator and the CDK stack
 * all read this list; a route missing here does not exist anywhere.
 */
export const routes: AnyRoute[] = [
  createAccountRoute,
  listAccountsRoute,
  getAccountRoute,
  accountLedgerRoute,
  createInvoiceRoute,
  createTransferRoute,
  listTransfersRoute,
  getTransferRoute,
];
