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

/** Where each route's Lambda entry point lives (`export const handler`), for the CDK stack. */
export const routeEntryPoints: Record<string, string> = {
  'POST /v1/accounts': 'functions/accounts/create.ts',
  'GET /v1/accounts': 'functions/accounts/list.ts',
  'GET /v1/accounts/{id}': 'functions/accounts/get.ts',
  'GET /v1/accounts/{id}/ledger': 'functions/accounts/ledger.ts',
  'POST /v1/invoices': 'functions/invoices/create.ts',
  'GET /v1/invoices': 'functions/invoices/list.ts',
  'GET /v1/invoices/{id}': 'functions/invoices/get.ts',
  'GET /v1/public/invoices/{id}': 'functions/public-invoices/get.ts',
  'POST /v1/withdrawals': 'functions/withdrawals/create.ts',
  'GET /v1/withdrawals': 'functions/withdrawals/list.ts',
  'GET /v1/withdrawals/{id}': 'functions/withdrawals/get.ts',
  'POST /v1/transfers': 'functions/transfers/create.ts',
  'GET /v1/transfers': 'functions/transfers/list.ts',
  'GET /v1/transfers/{id}': 'functions/transfers/get.ts',
  'GET /v1/openapi.json': 'functions/openapi/get.ts',
  // Webhooks and events (issue 6).
  'POST /v1/webhook-endpoints': 'functions/webhook-endpoints/create.ts',
  'GET /v1/webhook-endpoints': 'functions/webhook-endpoints/list.ts',
  'DELETE /v1/webhook-endpoints/{id}': 'functions/webhook-endpoints/delete.ts',
  'GET /v1/events': 'functions/events/list.ts',
  'GET /v1/events/{id}': 'functions/events/get.ts',
  'GET /v1/events/{id}/deliveries': 'functions/events/deliveries.ts',
  'POST /v1/events/{id}/redeliver': 'functions/events/redeliver.ts',
};
