/**
 * The outcomes a node port call can fail with, the same for every implementation. Adapters
 * turn their client's errors into these; errors that are not the node's (a bug, a RangeError
 * on our own input) pass through unchanged. `details` holds the node's own text for logs; it
 * never carries credentials and never reaches an API response.
 */
export interface NodeErrorContext {
  /** The port operation that failed, e.g. "pay". */
  operation: string;
  details?: string | undefined;
  cause?: unknown;
}

/** Base class: the node answered with a failure that has no more precise outcome below. */
export class NodeError extends Error {
  override readonly name: string = 'NodeError';
  readonly operation: string;
  readonly details: string;

  constructor(message: string, context: NodeErrorContext) {
    super(message, { cause: context.cause });
    this.operation = context.operation;
    this.details = context.details ?? '';
  }
}

/** The node could not be reached or did not answer in time. Transient: the same call may work later. */
export class NodeUnreachableError extends NodeError {
  override readonly name: string = 'NodeUnreachableError';
}

/** The node refused our credentials (macaroon, client certificate) for this call. Ours to fix. */
export class NodeAccessDeniedError extends NodeError {
  override readonly name: string = 'NodeAccessDeniedError';
}

/** Cancel or look-up of an invoice the node does not have. */
export class UnknownInvoiceError extends NodeError {
  override readonly name: string = 'UnknownInvoiceError';
}

/** Cancel of an invoice that is already paid: the payment stands. */
export class InvoiceAlreadySettledError extends NodeError {
  override readonly name: string = 'InvoiceAlreadySettledError';
}

/** The node already has an invoice with this label or payment hash. */
export class DuplicateInvoiceError extends NodeError {
  override readonly name: string = 'DuplicateInvoiceError';
}

/**
 * A request this implementation of the node cannot honour as asked (Core Lightning cannot
 * commit an invoice to a bare description hash). Asking again changes nothing; the caller
 * can ask differently. Raised by the adapter before it calls the node: no node text in it.
 */
export class UnsupportedRequestError extends NodeError {
  override readonly name: string = 'UnsupportedRequestError';
  /** The request field that cannot be honoured, by the port's name (e.g. "descriptionHash"). */
  readonly field: string;
  /** The implementation, for people: "Core Lightning". */
  readonly backend: string;

  constructor(message: string, context: NodeErrorContext & { field: string; backend: string }) {
    super(message, context);
    this.field = context.field;
    this.backend = context.backend;
  }
}

/** trackPayment for a hash the node has never tried to pay. */
export class UnknownPaymentError extends NodeError {
  override readonly name: string = 'UnknownPaymentError';
}

export const PaymentRefusal = {
  invoiceExpired: 'invoice_expired',
  amountRequired: 'amount_required',
  /** An amount given for an invoice that has one. */
  amountNotAllowed: 'amount_not_allowed',
  invalidInvoice: 'invalid_invoice',
  wrongNetwork: 'wrong_network',
} as const;
export type PaymentRefusal = (typeof PaymentRefusal)[keyof typeof PaymentRefusal];

/**
 * The node refused to start the payment: it registered no attempt, nothing left the node,
 * and asking again changes nothing. Only for refusals the node makes before any HTLC.
 */
export class PaymentRefusedError extends NodeError {
  override readonly name: string = 'PaymentRefusedError';
  readonly refusal: PaymentRefusal;

  constructor(message: string, context: NodeErrorContext & { refusal: PaymentRefusal }) {
    super(message, context);
    this.refusal = context.refusal;
  }
}

/** pay for a hash the node has already paid: track it instead, never pay again. */
export class PaymentAlreadySucceededError extends NodeError {
  override readonly name: string = 'PaymentAlreadySucceededError';
}

/** pay for a hash whose payment is still in flight on the node: track it instead. */
export class PaymentInFlightError extends NodeError {
  override readonly name: string = 'PaymentInFlightError';
}
