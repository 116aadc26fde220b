import * as z from 'zod';
import { EVENT_TYPES } from '../events/event';
import { FailureReason } from '../withdrawals/withdrawal';

/**
 * Everything that travels on the event bus, with the schema its consumer validates.
 * `source` says who speaks; `detailType` what happened.
 */
export const BusSource = {
  /** node-bridge: what the Lightning node reported. */
  node: 'lightning-payments.node',
  /** the outbox: domain events written with ledger changes, on their way to webhooks. */
  ledger: 'lightning-payments.ledger',
} as const;

export const NodeDetailType = {
  invoiceSettled: 'InvoiceSettled',
  paymentSucceeded: 'PaymentSucceeded',
  paymentFailed: 'PaymentFailed',
  liquidityLow: 'LiquidityLow',
} as const;

export const LedgerDetailType = {
  domainEvent: 'DomainEvent',
} as const;

const hash = z.string().regex(/^[0-9a-f]{64}$/);
const msat = z.number().int().nonnegative().refine(Number.isSafeInteger, 'must be a safe integer');
const isoTime = z.iso.datetime();

/** A node settled one of our invoices (from its paid-invoice stream or the invoice list catch-up). */
export const invoiceSettledSchema = z.object({
  payment_hash: hash,
  amount_paid_msat: msat.refine((value) => value > 0, 'must be positive'),
  settled_at: isoTime,
  /** The node's own order of settlements: comparable only between events of the same node. */
  settle_index: z.string().regex(/^\d+$/),
  /**
   * The id of the node that settled it (LIGHTNING_NODES, or `default`), as the bridge names
   * it. Optional: events of a bridge from before several nodes have none.
   */
  node_id: z.string().regex(/^[a-z0-9-]{1,32}$/).optional(),
});
export type InvoiceSettled = z.infer<typeof invoiceSettledSchema>;

export const paymentSucceededSchema = z.object({
  withdrawal_id: z.string().startsWith('wd_'),
  payment_hash: hash,
  fee_msat: msat,
  preimage: hash,
  settled_at: isoTime,
});
export type PaymentSucceeded = z.infer<typeof paymentSucceededSchema>;

/** Only ever sent after the node reported the payment FAILED (invariant 4). */
export const paymentFailedSchema = z.object({
  withdrawal_id: z.string().startsWith('wd_'),
  payment_hash: hash,
  failure_reason: z.enum(Object.values(FailureReason) as [FailureReason, ...FailureReason[]]),
  failed_at: isoTime,
});
export type PaymentFailed = z.infer<typeof paymentFailedSchema>;

export const liquidityLowSchema = z.object({
  direction: z.enum(['outbound', 'inbound']),
  available_msat: msat,
  threshold_msat: msat,
  observed_at: isoTime,
});
export type LiquidityLow = z.infer<typeof liquidityLowSchema>;

/** A domain event from the outbox, with its merchant so the webhook fan-out can route it. */
export const domainEventDetailSchema = z.object({
  merchant_id: z.string().startsWith('mch_'),
  event: z.object({
    id: z.string().startsWith('evt_'),
    type: z.enum(EVENT_TYPES as [string, ...string[]]),
    created_at: isoTime,
    data: z.object({ object: z.record(z.string(), z.unknown()) }),
  }),
});
export type DomainEventDetail = z.infer<typeof domainEventDetailSchema>;

/** A payout queue message: the outbox writes one for every new, non-internal withdrawal. */
export const payoutMessageSchema = z.object({
  withdrawal_id: z.string().startsWith('wd_'),
  payment_hash: hash,
  bolt11: z.string().min(1),
  amount_msat: msat.refine((value) => value > 0, 'must be positive'),
  /** The fee reserve: handed to the node as the fee limit, so fees never exceed it. */
  fee_limit_msat: msat,
});
export type PayoutMessage = z.infer<typeof payoutMessageSchema>;

/** A request to cancel an invoice of ours on the node, after it was paid internally. */
export const invoiceCancelMessageSchema = z.object({
  payment_hash: hash,
  invoice_id: z.string().startsWith('inv_'),
});
export type InvoiceCancelMessage = z.infer<typeof invoiceCancelMessageSchema>;
