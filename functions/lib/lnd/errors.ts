export interface LndErrorContext {
  /** The RPC that failed, e.g. "AddInvoice". */
  method: string;
  /** gRPC status code, when the error came from a gRPC status. */
  grpcCode?: number | undefined;
  /** LND's own error text; never contains credentials. */
  details?: string | undefined;
  cause?: unknown;
}

/** Base class: any failure talking to LND that has no more precise class. */
export class LndError extends Error {
  override readonly name: string = 'LndError';
  readonly method: string;
  readonly grpcCode: number | undefined;
  readonly details: string;

  constructor(message: string, context: LndErrorContext) {
    super(message, { cause: context.cause });
    this.method = context.method;
    this.grpcCode = context.grpcCode;
    this.details = context.details ?? '';
  }
}

/** The node could not be reached or did not answer in time (UNAVAILABLE, DEADLINE_EXCEEDED). */
export class NodeUnavailableError extends LndError {
  override readonly name: string = 'NodeUnavailableError';
}

/** The macaroon is missing, invalid, or lacks the permission for this RPC. */
export class PermissionDeniedError extends LndError {
  override readonly name: string = 'PermissionDeniedError';
}

/** Unknown invoice or payment hash. */
export class NotFoundError extends LndError {
  override readonly name: string = 'NotFoundError';
}

/** SendPaymentV2 for a hash this node already paid ("invoice is already paid"). */
export class PaymentAlreadySucceededError extends LndError {
  override readonly name: string = 'PaymentAlreadySucceededError';
}

/** SendPaymentV2 for a hash whose payment is still in flight ("payment is in transition"). */
export class PaymentInTransitionError extends LndError {
  override readonly name: string = 'PaymentInTransitionError';
}

/** The BOLT11 has expired ("invoice expired. Valid until ..."). */
export class InvoiceExpiredError extends LndError {
  override readonly name: string = 'InvoiceExpiredError';
}

/** An amountless BOLT11 was paid without an amount. */
export class AmountRequiredError extends LndError {
  override readonly name: string = 'AmountRequiredError';
}

/** AddInvoice with a preimage whose hash already has an invoice. */
export class DuplicateInvoiceError extends LndError {
  override readonly name: string = 'DuplicateInvoiceError';
}

/** CancelInvoice on an invoice that is already settled. */
export class InvoiceAlreadySettledError extends LndError {
  override readonly name: string = 'InvoiceAlreadySettledError';
}

/** An int64 from LND does not fit a JS number exactly; we refuse to round money. */
export class UnsafeIntegerError extends Error {
  override readonly name: string = 'UnsafeIntegerError';
  readonly field: string;

  constructor(field: string, value: string) {
    super(`${field} is not a safe integer: ${value}`);
    this.field = field;
  }
}
