import type {
  ChannelBalance,
  CreatedInvoice,
  CreateInvoiceRequest,
  DecodedInvoice,
  InvoicePage,
  NodeInfo,
  NodeInvoice,
  OnchainBalance,
  PayRequest,
  PaymentUpdate,
} from './node-types';

/**
 * A server stream from the node. Iterate it once; iteration ends when the node closes the
 * stream normally or after cancel(), and any other end throws a NodeError (node-errors.ts)
 * from the iterator. Leaving the loop early cancels it.
 */
export interface NodeStream<T> extends AsyncIterable<T> {
  cancel(): void;
}

/**
 * The only way the API, the consumers and the bridge reach a Lightning node. LND
 * (node/lnd/) and Core Lightning are adapters behind it. Every method fails with the
 * NodeError classes of node-errors.ts for the node's own failures; NodeUnreachableError is
 * the transient one, worth retrying.
 *
 * What callers rely on, and every implementation must honour:
 * - a settled invoice is reported by subscribeSettlements or listInvoices, never lost;
 * - a payment is `in_flight` until the node knows it is final: `failed` means nothing was
 *   paid and nothing can still be paid by that attempt, because a failed payment is refunded;
 * - pay never starts a second payment of a hash the node already paid or is paying.
 */
export interface LightningNode {
  /** The node's identity, chain and sync state, as of now (implementations do not cache it). */
  getNodeInfo(): Promise<NodeInfo>;

  /**
   * A new invoice. `label` is our invoice id and unique; an implementation whose node keeps
   * labels must store it. The API may ask again with the same label when an earlier attempt
   * made the invoice but failed before storing it (an idempotent retry): such a node answers
   * with the unpaid invoice it has for the label when amount and description agree, and
   * DuplicateInvoiceError otherwise (or when another invoice has the same hash).
   */
  createInvoice(request: CreateInvoiceRequest): Promise<CreatedInvoice>;

  /** The invoice with this payment hash; undefined when the node does not have it. */
  lookupInvoice(paymentHash: string): Promise<NodeInvoice | undefined>;

  /**
   * Makes an unpaid invoice unpayable (LND cancels it; Core Lightning deletes or expires it).
   * Succeeds for an open or already canceled invoice; InvoiceAlreadySettledError for a paid
   * one, UnknownInvoiceError for one the node does not have.
   */
  cancelInvoice(paymentHash: string): Promise<void>;

  /**
   * The paid-invoice stream: first every invoice settled with a settleIndex above
   * `afterSettleIndex`, in settleIndex order, then each invoice as it is settled. It yields
   * settled invoices only. With 0 the node may replay nothing (LND does not): a caller that
   * starts from 0 catches up with listInvoices. The caller persists the highest settleIndex it
   * has handled and resumes from it, so the stream must never yield a settlement with a
   * settleIndex below one it yielded before in the same stream. Core Lightning: WaitAnyInvoice
   * with lastpay_index, called again after each answer.
   */
  subscribeSettlements(afterSettleIndex: number): NodeStream<NodeInvoice>;

  /**
   * Up to `limit` (at least 1) invoices with an addIndex above `afterAddIndex`, in addIndex
   * order, whatever their state: the catch-up that finds settlements a stream missed. Fewer
   * than `limit` means there are no more. Core Lightning: ListInvoices with index=created,
   * start=afterAddIndex + 1.
   */
  listInvoices(request: { afterAddIndex: number; limit: number }): Promise<InvoicePage>;

  /**
   * Pays a BOLT11 and yields its updates until a final one (`succeeded` or `failed`), then
   * ends. Refusals arrive from the iterator: PaymentRefusedError (nothing was started),
   * PaymentAlreadySucceededError or PaymentInFlightError (track the existing payment instead).
   * A stream that ends or breaks before a final update says nothing about the payment: the
   * caller asks trackPayment, and never pays again blind.
   */
  pay(request: PayRequest): NodeStream<PaymentUpdate>;

  /**
   * The latest payment attempt of this hash, followed like pay's stream until final (at once
   * for one that is final already). UnknownPaymentError from the iterator when the node never
   * tried to pay the hash. Core Lightning: ListPays (or ListSendPays) by payment_hash, polled.
   */
  trackPayment(paymentHash: string): NodeStream<PaymentUpdate>;

  /** Decodes a BOLT11 as the node reads it. */
  decode(bolt11: string): Promise<DecodedInvoice>;

  /** Spendable balances of the open channels. */
  channelBalance(): Promise<ChannelBalance>;

  /** The on-chain wallet. */
  onchainBalance(): Promise<OnchainBalance>;

  /** Releases the connection; no call may follow. */
  close(): void;
}

/**
 * What the API functions need: they create, look up and cancel invoices (with credentials that
 * allow only that) and never pay.
 */
export type InvoiceNode = Pick<LightningNode, 'getNodeInfo' | 'createInvoice' | 'lookupInvoice' | 'cancelInvoice'>;
