import { accountLedgerRoute } from './accounts/ledger';
import { createAccountRoute } from './accounts/create';
import { getAccountRoute } from './accounts/get';
import { listAccountsRoute } from './accounts/list';
import type { AnyRoute } from './http/pipeline';
import { createInvoiceRoute } from './invoices/create';
import { getInvoiceRoute } from './invoices/get';
import { listInvoicesRoute } from './invoices/list';
import { getOpenApiRoute } from './openapi/get';
import { getPublicInvoiceRoute } from './public-invoices/get';
import { createTransferRoute } from './transfers/create';
import { getTransferRoute } from './transfers/get';
import { listTransfersRoute } from './transfers/list';
import { deleteWebhookEndpointRoute } from './webhook-endpoints/delete';
import { createWebhookEndpointRoute } from './webhook-endpoints/create';
import { listWebhookEndpointsRoute } from './webhook-endpoints/list';
import { listEventDeliveriesRoute } from './events/deliveries';
import { getEventRoute } from './events/get';
import { listEventsRoute } from './events/list';
import { redeliverEventRoute } from './events/redeliver';
import { createWithdrawalRoute } from './withdrawals/create';
import { getWithdrawalRoute } from './withdrawals/get';
import { listWithdrawalsRoute } from './withdrawals/list';

/**
 * Every API route, once. The local HTTP adapter, the OpenAPI generator and the CDK stack
 * all read this list; a route missing here does not exist anywhere. Each route's file also
 * exports `handler`, its Lambda entry point.
 */
export const routes: AnyRoute[] = [
  createAccountRoute,
  listAccountsRoute,
  getAccountRoute,
  accountLedgerRoute,
  createInvoiceRoute,
  listInvoicesRoute,
  getInvoiceRoute,
  getPublicInvoiceRoute,
  createWithdrawalRoute,
  listWithdrawalsRoute,
  getWithdrawalRoute,
  createTransferRoute,
  listTransfersRoute,
  getTransferRoute,
  getOpenApiRoute,
  // Webhooks and events (issue 6).
  createWebhookEndpointRoute,
  listWebhookEndpointsRoute,
  deleteWebhookEndpointRoute,
  listEventsRoute,
  getEventRoute,
  listEventDeliveriesRoute,
  redeliverEventRoute,
];

