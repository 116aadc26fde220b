/**
 * Every key the service writes, in one place. Objects live under their own id (spreading
 * load across partitions); per-merchant listings go through gsi1; see SINGLE-TABLE.md.
 */
export const Entity = {
  merchant: 'merchant',
  apiKey: 'api_key',
  account: 'account',
  accountExternalId: 'account_external_id',
  ledgerEntry: 'ledger_entry',
  invoice: 'invoice',
  invoicePaymentHash: 'invoice_payment_hash',
  paymentLock: 'payment_lock',
  withdrawal: 'withdrawal',
  transfer: 'transfer',
  event: 'event',
  webhookEndpoint: 'webhook_endpoint',
  webhookDelivery: 'webhook_delivery',
  idempotency: 'idempotency',
  cursor: 'cursor',
  nodeInvoiceCancel: 'node_invoice_cancel',
  rateLimit: 'rate_limit',
} as const;
export type Entity = (typeof Entity)[keyof typeof Entity];

export interface Key {
  pk: string;
  sk: string;
}

const objectKey = (type: string, id: string): Key => ({ pk: `${type}#${id}`, sk: type });

/** Number of gsi2 shards for work lists, so no single index partition runs hot. */
export const WORK_LIST_SHARDS = 8;

export const keys = {
  merchant: (merchantId: string) => objectKey('MERCHANT', merchantId),
  /** The merchant's request counter (and optional limit override): one small item, updated per request. */
  rateLimit: (merchantId: string) => objectKey('RATE_LIMIT', merchantId),
  apiKey: (keyHash: string) => objectKey('APIKEY', keyHash),
  account: (accountId: string) => objectKey('ACCOUNT', accountId),
  accountExternalId: (merchantId: string, externalId: string): Key => ({
    pk: `MERCHANT#${merchantId}#EXTERNAL_ID#${externalId}`,
    sk: 'ACCOUNT_EXTERNAL_ID',
  }),
  /** Ledger entries sit in their account's partition, sorted by id = by time. */
  ledgerEntry: (accountId: string, entryId: string): Key => ({ pk: `ACCOUNT#${accountId}`, sk: `LEDGER#${entryId}` }),
  ledgerEntryPrefix: 'LEDGER#',
  invoice: (invoiceId: string) => objectKey('INVOICE', invoiceId),
  /** Finds our invoice from a settlement, which knows only the payment hash. */
  invoicePaymentHash: (paymentHash: string): Key => ({ pk: `PAYMENT_HASH#${paymentHash}`, sk: 'INVOICE' }),
  /** Held while a withdrawal of this hash is pending, in flight or succeeded: a hash is paid at most once. */
  paymentLock: (paymentHash: string): Key => ({ pk: `PAYMENT_HASH#${paymentHash}`, sk: 'PAYMENT_LOCK' }),
  withdrawal: (withdrawalId: string) => objectKey('WITHDRAWAL', withdrawalId),
  transfer: (transferId: string) => objectKey('TRANSFER', transferId),
  event: (eventId: string) => objectKey('EVENT', eventId),
  webhookEndpoint: (endpointId: string) => objectKey('WEBHOOK_ENDPOINT', endpointId),
  webhookDelivery: (eventId: string, endpointId: string, attempt: number): Key => ({
    pk: `EVENT#${eventId}`,
    sk: `DELIVERY#${endpointId}#${String(attempt).padStart(3, '0')}`,
  }),
  idempotency: (merchantId: string, idempotencyKey: string): Key => ({
    pk: `MERCHANT#${merchantId}#IDEMPOTENCY#${idempotencyKey}`,
    sk: 'IDEMPOTENCY',
  }),
  cursor: (name: string) => objectKey('CURSOR', name),
  nodeInvoiceCancel: (paymentHash: string): Key => ({ pk: `PAYMENT_HASH#${paymentHash}`, sk: 'NODE_CANCEL' }),
};

/** gsi1: a merchant's objects of one kind, newest first by id. */
export const merchantListKey = (merchantId: string, kind: string, id: string) => ({
  gsi1pk: `MERCHANT#${merchantId}#${kind}`,
  gsi1sk: id,
});

export const ListKind = {
  accounts: 'ACCOUNTS',
  invoices: 'INVOICES',
  withdrawals: 'WITHDRAWALS',
  transfers: 'TRANSFERS',
  events: 'EVENTS',
  webhookEndpoints: 'WEBHOOK_ENDPOINTS',
} as const;
export type ListKind = (typeof ListKind)[keyof typeof ListKind];

/** Deterministic shard from an id, so a writer and a reader agree without coordination. */
export function workListShard(id: string): number {
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) >>> 0;
  return hash % WORK_LIST_SHARDS;
}

/** gsi2: open invoices by expiry time; removed when the invoice is paid or expired. */
export const openInvoiceWorkKey = (invoiceId: string, expiresAt: string) => ({
  gsi2pk: `OPEN_INVOICES#${workListShard(invoiceId)}`,
  gsi2sk: `${expiresAt}#${invoiceId}`,
});

/** gsi2: withdrawals not yet final, by creation time; removed when they succeed or fail. */
export const openWithdrawalWorkKey = (withdrawalId: string, createdAt: string) => ({
  gsi2pk: `OPEN_WITHDRAWALS#${workListShard(withdrawalId)}`,
  gsi2sk: `${createdAt}#${withdrawalId}`,
});
