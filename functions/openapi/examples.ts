import { createHash } from 'node:crypto';
import { EventType } from '../lib/events/event';
import { idFrom, IdPrefix } from '../lib/ids';
import { SECRET_PREFIX, signWebhook, type SignedHeaders } from '../lib/webhooks/signing';

// Examples for the OpenAPI document: one request body per operation that takes one, one
// answer per operation that returns JSON, one payload per webhook event type. They tell one
// story (a shop's invoice paid, a payout, a tip between accounts) with ids of the real shape.
// test/api/openapi.test.ts checks each against its JSON Schema and the route's zod schemas.

const CREATED = '2026-11-21T10:00:00.000Z';
const LATER = '2026-11-21T10:02:13.000Z';
const at = Date.parse(CREATED);
const id = (prefix: IdPrefix, n: number) => idFrom(prefix, at + n, Buffer.alloc(16, n));

const ids = {
  account: id(IdPrefix.account, 1),
  otherAccount: id(IdPrefix.account, 2),
  invoice: id(IdPrefix.invoice, 3),
  withdrawal: id(IdPrefix.withdrawal, 4),
  transfer: id(IdPrefix.transfer, 5),
  endpoint: id(IdPrefix.webhookEndpoint, 6),
  event: id(IdPrefix.event, 7),
  ledgerEntry: id(IdPrefix.ledgerEntry, 8),
  delivery: id(IdPrefix.delivery, 9),
};

// Real BOLT11 invoices (mainnet, signed by made-up nodes) and the hashes they carry.
const INVOICE_BOLT11 =
  'lnbc1500n1p4sz6aqpp5d63z25gyq8yf6d9v4mef3mlhv3jrd7ugtz2q2cxzn40tj55gvgeqsp5j4rrtvfqem2vvqxeql5vet6yz5y5g7kn6myn03hlcy8jmldqtvqsdqsw3jhxapqwpshjet9xqrrss9qypscqac5y62pv5kslxfyngsffj9l8jqks56d03r7aqutazg96zczsag5rwm5kqxrea8jjh5qkqsgg6kaeq8g6d6ptu06tqps7g72vyw87qcgpue7v63';
const INVOICE_PAYMENT_HASH = '6ea225510401c89d34acaef298eff7646436fb8858940560c29d5eb952886232';
const PAYOUT_BOLT11 =
  'lnbc1u1p4sz6aqpp594wnsm3v4l5emqke3p8ap3gry5ltpvuuwv5fmkwnkcawlcqf3gpssp53e4h4c0w0jq0yc7gmsly6csqxpvupcz4fy6z3xreu4dfge8zj2pqdqsw3jhxapqwpshjet9xqrrss9qypscqmcy6p9suqknjjqwhd2g22uq5ar3czmgcm5lc6mngapth4952ed8jgra4afdsfjkyxuudh6v8whx28fas6v34ka6ej9phyf6lwmv09eqqdm95r2';
const PAYOUT_PAYMENT_HASH = '2d5d386e2cafe99d82d9884fd0c503253eb0b39c73289dd9d3b63aefe0098a03';
const PAYOUT_PREIMAGE = '94ae2b8223151471ac83d63d8add55e9be4d1d246026d4d0a3bdeb4f97af96eb';

/** The endpoint's signing secret in these examples: the webhook examples' signatures verify with it. */
export const EXAMPLE_WEBHOOK_SECRET = SECRET_PREFIX + createHash('sha256').update('example webhook secret').digest('base64');

const account = { id: ids.account, external_id: 'tg:12345', label: 'Alice', balance_msat: 150_000, created_at: CREATED };

const pendingInvoice = {
  id: ids.invoice,
  account_id: ids.account,
  status: 'pending',
  amount_msat: 150_000,
  amount_paid_msat: null,
  bolt11: INVOICE_BOLT11,
  payment_hash: INVOICE_PAYMENT_HASH,
  memo: 'Order 42',
  description_hash: null,
  reference: 'order-42',
  metadata: { order: '42' },
  expires_at: '2026-11-21T11:00:00.000Z',
  paid_at: null,
  checkout_url: `https://pay.shop.test/checkout/${ids.invoice}`,
  created_at: CREATED,
};
const paidInvoice = { ...pendingInvoice, status: 'paid', amount_paid_msat: 150_000, paid_at: LATER };
const expiredInvoice = { ...pendingInvoice, status: 'expired' };

const pendingWithdrawal = {
  id: ids.withdrawal,
  account_id: ids.account,
  status: 'pending',
  amount_msat: 100_000,
  fee_reserve_msat: 10_000,
  fee_msat: null,
  payment_hash: PAYOUT_PAYMENT_HASH,
  preimage: null,
  failure_reason: null,
  internal: false,
  created_at: CREATED,
  completed_at: null,
};
const succeededWithdrawal = { ...pendingWithdrawal, status: 'succeeded', fee_msat: 1_000, preimage: PAYOUT_PREIMAGE, completed_at: LATER };
const failedWithdrawal = { ...pendingWithdrawal, status: 'failed', failure_reason: 'no_route', completed_at: LATER };

const transfer = { id: ids.transfer, from_account_id: ids.account, to_account_id: ids.otherAccount, amount_msat: 50_000, memo: 'Tip', created_at: CREATED };

const endpoint = {
  id: ids.endpoint,
  url: 'https://shop.test/webhooks/lightning',
  events: [EventType.invoicePaid, EventType.withdrawalSucceeded],
  status: 'enabled',
  created_at: CREATED,
};

const event = (type: EventType, object: object) => ({ id: ids.event, type, created_at: LATER, data: { object } });

const page = (item: unknown) => ({ data: [item], has_more: false, next_cursor: null });

/** The answer of each operation that returns JSON, by operationId. */
export const RESPONSE_EXAMPLES: Record<string, unknown> = {
  createAccount: { ...account, balance_msat: 0 },
  // The start of this very document.
  getOpenApiDocument: { openapi: '3.1.0', info: { title: 'Lightning payments API', version: '1.0.0' }, paths: {} },
  listAccounts: page(account),
  getAccount: account,
  listAccountLedger: page({
    id: ids.ledgerEntry,
    account_id: ids.account,
    type: 'deposit',
    amount_msat: 150_000,
    reference_id: ids.invoice,
    created_at: LATER,
  }),
  createInvoice: pendingInvoice,
  listInvoices: page(paidInvoice),
  getInvoice: paidInvoice,
  getPublicInvoice: {
    id: ids.invoice,
    status: 'pending',
    amount_msat: 150_000,
    bolt11: INVOICE_BOLT11,
    memo: 'Order 42',
    expires_at: pendingInvoice.expires_at,
    paid_at: null,
  },
  createWithdrawal: pendingWithdrawal,
  listWithdrawals: page(succeededWithdrawal),
  getWithdrawal: succeededWithdrawal,
  createTransfer: transfer,
  listTransfers: page(transfer),
  getTransfer: transfer,
  createWebhookEndpoint: { ...endpoint, secret: EXAMPLE_WEBHOOK_SECRET },
  listWebhookEndpoints: page(endpoint),
  deleteWebhookEndpoint: { id: ids.endpoint, deleted: true },
  listEvents: page(event(EventType.invoicePaid, paidInvoice)),
  getEvent: event(EventType.invoicePaid, paidInvoice),
  listEventDeliveries: page({
    id: ids.delivery,
    endpoint_id: ids.endpoint,
    attempt: 1,
    attempted_at: LATER,
    status: 'succeeded',
    response_status: 200,
    duration_ms: 84,
    error: null,
  }),
  redeliverEvent: { event_id: ids.event, endpoint_ids: [ids.endpoint] },
};

/** The request body of each operation that takes one, by operationId. */
export const REQUEST_EXAMPLES: Record<string, unknown> = {
  createAccount: { external_id: 'tg:12345', label: 'Alice' },
  createInvoice: { amount_msat: 150_000, memo: 'Order 42', expiry_seconds: 3_600, reference: 'order-42', metadata: { order: '42' } },
  createWithdrawal: { bolt11: PAYOUT_BOLT11, max_fee_msat: 10_000 },
  createTransfer: { from_account_id: ids.account, to_account_id: ids.otherAccount, amount_msat: 50_000, memo: 'Tip' },
  createWebhookEndpoint: { url: endpoint.url, events: endpoint.events },
  redeliverEvent: { endpoint_id: ids.endpoint },
};

/** The payload of each webhook event type. */
export const WEBHOOK_EXAMPLES: Record<EventType, unknown> = {
  [EventType.invoicePaid]: event(EventType.invoicePaid, paidInvoice),
  [EventType.invoiceExpired]: event(EventType.invoiceExpired, expiredInvoice),
  [EventType.withdrawalSucceeded]: event(EventType.withdrawalSucceeded, succeededWithdrawal),
  [EventType.withdrawalFailed]: event(EventType.withdrawalFailed, failedWithdrawal),
  [EventType.transferCompleted]: event(EventType.transferCompleted, transfer),
};

/** The Standard Webhooks headers of one delivery attempt of that payload (the body sent is its JSON). */
export function webhookHeaderExamples(type: EventType): SignedHeaders {
  return signWebhook(EXAMPLE_WEBHOOK_SECRET, ids.event, new Date(LATER), JSON.stringify(WEBHOOK_EXAMPLES[type]));
}
