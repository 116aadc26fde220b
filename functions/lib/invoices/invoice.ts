import { Entity, keys, ListKind, merchantListKey, openInvoiceWorkKey } from '../table/keys';

export const InvoiceStatus = {
  pending: 'pending',
  paid: 'paid',
  expired: 'expired',
} as const;
export type InvoiceStatus = (typeof InvoiceStatus)[keyof typeof InvoiceStatus];

export interface InvoiceItem {
  pk: string;
  sk: string;
  entity: typeof Entity.invoice;
  id: string;
  merchant_id: string;
  account_id: string;
  status: InvoiceStatus;
  amount_msat: number;
  amount_paid_msat: number | null;
  bolt11: string;
  payment_hash: string;
  memo: string | null;
  description_hash: string | null;
  reference: string | null;
  metadata: Record<string, string>;
  expires_at: string;
  paid_at: string | null;
  checkout_url: string;
  created_at: string;
  /** True when another account of this service paid it without a Lightning payment. */
  paid_internally: boolean;
  /**
   * The node that issued it (its LIGHTNING_NODES id): written only when the deployment runs
   * several nodes. Absent: the deployment's one node, whatever its id.
   */
  node_id?: string;
  /** An internally paid invoice that the node settled anyway: credited as a separate deposit. */
  late_settlement_msat?: number;
  late_settled_at?: string;
  gsi1pk: string;
  gsi1sk: string;
  gsi2pk?: string;
  gsi2sk?: string;
}

export interface Invoice {
  id: string;
  account_id: string;
  status: InvoiceStatus;
  amount_msat: number;
  amount_paid_msat: number | null;
  bolt11: string;
  payment_hash: string;
  memo: string | null;
  description_hash: string | null;
  reference: string | null;
  metadata: Record<string, string>;
  expires_at: string;
  paid_at: string | null;
  checkout_url: string;
  created_at: string;
  /** Only on an invoice paid internally that the node settled anyway: that second, separate deposit. */
  late_settlement_msat?: number;
  late_settled_at?: string;
}

export interface NewInvoice {
  id: string;
  merchantId: string;
  accountId: string;
  amountMsat: number;
  bolt11: string;
  paymentHash: string;
  memo?: string | null;
  descriptionHash?: string | null;
  reference?: string | null;
  metadata?: Record<string, string>;
  expiresAt: string;
  checkoutUrl: string;
  createdAt: string;
  /** The issuing node, when there are several (see InvoiceItem.node_id). */
  nodeId?: string;
}

export function newInvoiceItem(input: NewInvoice): InvoiceItem {
  return {
    ...keys.invoice(input.id),
    entity: Entity.invoice,
    id: input.id,
    merchant_id: input.merchantId,
    account_id: input.accountId,
    status: InvoiceStatus.pending,
    amount_msat: input.amountMsat,
    amount_paid_msat: null,
    bolt11: input.bolt11,
    payment_hash: input.paymentHash,
    memo: input.memo ?? null,
    description_hash: input.descriptionHash ?? null,
    reference: input.reference ?? null,
    metadata: input.metadata ?? {},
    expires_at: input.expiresAt,
    paid_at: null,
    checkout_url: input.checkoutUrl,
    created_at: input.createdAt,
    paid_internally: false,
    ...(input.nodeId !== undefined ? { node_id: input.nodeId } : {}),
    ...merchantListKey(input.merchantId, ListKind.invoices, input.id),
    ...openInvoiceWorkKey(input.id, input.expiresAt),
  };
}

export function toInvoice(item: InvoiceItem): Invoice {
  return {
    id: item.id,
    account_id: item.account_id,
    status: item.status,
    amount_msat: item.amount_msat,
    amount_paid_msat: item.amount_paid_msat,
    bolt11: item.bolt11,
    payment_hash: item.payment_hash,
    memo: item.memo,
    description_hash: item.description_hash,
    reference: item.reference,
    metadata: item.metadata,
    expires_at: item.expires_at,
    paid_at: item.paid_at,
    checkout_url: item.checkout_url,
    created_at: item.created_at,
    ...(item.late_settled_at !== undefined ? { late_settlement_msat: item.late_settlement_msat, late_settled_at: item.late_settled_at } : {}),
  };
}
