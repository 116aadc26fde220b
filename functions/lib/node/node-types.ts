import type { FailureReason } from '../withdrawals/withdrawal';

/**
 * What the node port speaks: neutral shapes that an LND and a Core Lightning adapter both
 * produce. Amounts are msat (on-chain ones too), times are Unix seconds, hashes, keys and
 * preimages are lowercase hex.
 */

export interface NodeInfo {
  /** The node's public key (66 hex). */
  pubkey: string;
  /**
   * The chain the node runs on, by LND's names: "mainnet", "testnet", "testnet4", "signet",
   * "regtest", "simnet" (Core Lightning's "bitcoin" is "mainnet" here).
   */
  network: string;
  /** Caught up with the chain's tip: a node that is not may not see settlements or route payments. */
  synced: boolean;
  blockHeight: number;
  alias: string;
  version: string;
  activeChannels: number;
  peers: number;
}

export interface CreateInvoiceRequest {
  /** Our invoice id. Unique per invoice; a node with labels (Core Lightning) stores it as the label. */
  label: string;
  amountMsat: number;
  /** Exclusive with descriptionHash. */
  memo?: string;
  /** 64 hex: the invoice commits to this hash instead of carrying a description. */
  descriptionHash?: string;
  /**
   * The text whose SHA-256 is descriptionHash, when the caller has it (LNURL-pay metadata).
   * Only with descriptionHash. Core Lightning needs it (it hashes the text itself and puts
   * only the hash in the BOLT11); LND commits to the hash and ignores it.
   */
  description?: string;
  expirySec: number;
}

export interface CreatedInvoice {
  paymentHash: string;
  bolt11: string;
}

export const NodeInvoiceState = {
  /** Payable. */
  open: 'open',
  /** Paid: the money is ours. Final. */
  settled: 'settled',
  /** Canceled or expired: can never be paid. Final. */
  canceled: 'canceled',
  /** A hold invoice whose HTLCs are held, neither settled nor canceled yet. */
  accepted: 'accepted',
} as const;
export type NodeInvoiceState = (typeof NodeInvoiceState)[keyof typeof NodeInvoiceState];

export interface NodeInvoice {
  paymentHash: string;
  state: NodeInvoiceState;
  /** Known for invoices the node created; null when the node does not tell. */
  preimage: string | null;
  /** What arrived; may exceed the amount asked for. 0 until settled. */
  amountPaidMsat: number;
  /** null until settled. */
  settledAtSec: number | null;
  /**
   * The node's count of settlements when this one was settled: strictly increasing in the
   * order invoices are paid, the paid-invoice stream's cursor (LND settle_index, Core
   * Lightning pay_index). 0 until settled. Values may have gaps.
   */
  settleIndex: number;
  /**
   * The node's count of invoices when this one was created: strictly increasing in creation
   * order, the key the invoice list pages by (LND add_index, Core Lightning created_index).
   */
  addIndex: number;
}

export interface InvoicePage {
  /** In increasing addIndex. */
  invoices: NodeInvoice[];
  /** The addIndex of the last invoice in the page: the next page starts after it. 0 for an empty page. */
  lastAddIndex: number;
}

export interface PayRequest {
  bolt11: string;
  /** Only for an invoice without an amount, and then required; never for one that has an amount. */
  amountMsat?: number;
  /** The most the routing fees may be; 0 allows fee-free routes only. */
  feeLimitMsat: number;
  /** How long the node may keep looking for routes: whole seconds, at least 1. */
  timeoutSec: number;
}

export const NodePaymentStatus = {
  /** Not final: money may still leave. Never refund on this. */
  inFlight: 'in_flight',
  /** Final: paid; the preimage is known. */
  succeeded: 'succeeded',
  /** Final: nothing was paid and nothing is still pending for this attempt. */
  failed: 'failed',
} as const;
export type NodePaymentStatus = (typeof NodePaymentStatus)[keyof typeof NodePaymentStatus];

export interface PaymentUpdate {
  paymentHash: string;
  status: NodePaymentStatus;
  /** Why a failed payment failed; null unless failed. */
  failureReason: FailureReason | null;
  /** Routing fees paid; 0 unless succeeded. */
  feeMsat: number;
  /** Hex preimage once succeeded, else null. */
  preimage: string | null;
  /**
   * The node's number for this payment attempt: a later attempt for the same hash always has
   * a higher one (LND payment_index; Core Lightning created_index of listpays/listsendpays).
   * The payout worker records the index of an earlier failed attempt before it pays, to tell
   * that attempt from its own. 0 only when the node gives none.
   */
  paymentIndex: number;
}

export interface DecodedInvoice {
  paymentHash: string;
  /** The node the invoice pays. */
  payee: string;
  /** null for an invoice without an amount. */
  amountMsat: number | null;
  description: string;
  descriptionHash: string | null;
  createdAtSec: number;
  expirySec: number;
}

export interface ChannelBalance {
  /** Our side of the open channels: what we can pay out. */
  outboundMsat: number;
  /** The peers' side: what we can receive. */
  inboundMsat: number;
}

export interface OnchainBalance {
  confirmedMsat: number;
  unconfirmedMsat: number;
}
