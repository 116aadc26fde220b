import type { ClnRpcErrorCode } from './rpc-error-codes';

export interface ClnErrorContext {
  /** The cln.Node method that failed, e.g. "Xpay". */
  method: string;
  /** gRPC status code, when the failure came from a gRPC status. */
  grpcCode?: number | undefined;
  /** lightningd's JSON-RPC error code, when cln-grpc passed one on. */
  rpcCode?: number | undefined;
  /** The gRPC error as received. Core Lightning's own text stays here, never in `message`. */
  cause?: unknown;
}

/**
 * Base class: any failure talking to Core Lightning that has no more precise class.
 * `message` is ours and safe to log or show; lightningd's wording is only in `cause`.
 */
export class ClnError extends Error {
  override readonly name: string = 'ClnError';
  readonly method: string;
  readonly grpcCode: number | undefined;
  readonly rpcCode: number | undefined;

  constructor(message: string, context: ClnErrorContext) {
    super(message, { cause: context.cause });
    this.method = context.method;
    this.grpcCode = context.grpcCode;
    this.rpcCode = context.rpcCode;
  }
}

/** The node could not be reached, the TLS handshake failed, or it did not answer in time. */
export class ClnUnavailableError extends ClnError {
  override readonly name: string = 'ClnUnavailableError';
}

/**
 * Xpay lost its answer (connection cut, deadline passed): the payment may still be in
 * flight or even complete. Never treat it as failed; ask listPays for the outcome.
 */
export class PaymentOutcomeUnknownError extends ClnUnavailableError {
  override readonly name: string = 'PaymentOutcomeUnknownError';
}

/** cln-grpc refused the call itself (PERMISSION_DENIED / UNAUTHENTICATED). */
export class ClnPermissionDeniedError extends ClnError {
  override readonly name: string = 'ClnPermissionDeniedError';
}

/** A parameter lightningd or xpay refused (-32602), e.g. amount_msat given for an invoice that has one. */
export class ClnInvalidParamsError extends ClnError {
  override readonly name: string = 'ClnInvalidParamsError';
}

/** Invoice with a label the node already has (900): labels are unique per node, forever. */
export class DuplicateLabelError extends ClnError {
  override readonly name: string = 'DuplicateLabelError';
}

/** Invoice with a preimage (so a payment hash) the node already has (901). */
export class DuplicatePreimageError extends ClnError {
  override readonly name: string = 'DuplicatePreimageError';
}

/** No invoice with that label (905). */
export class InvoiceNotFoundError extends ClnError {
  override readonly name: string = 'InvoiceNotFoundError';
}

/** DelInvoice named a status the invoice no longer has (906), e.g. it was paid meanwhile. */
export class InvoiceStatusMismatchError extends ClnError {
  override readonly name: string = 'InvoiceStatusMismatchError';
  /** The invoice's status as lightningd reported it ("paid", "unpaid", "expired"), when it did. */
  readonly currentStatus: string | null;

  constructor(message: string, context: ClnErrorContext & { currentStatus: string | null }) {
    super(message, context);
    this.currentStatus = context.currentStatus;
  }
}

/** WaitAnyInvoice's `timeout` passed with no newly paid invoice (904). */
export class InvoiceWaitTimeoutError extends ClnError {
  override readonly name: string = 'InvoiceWaitTimeoutError';
}

/** Xpay of a hash this node already paid successfully (219): never pay it again. */
export class AlreadyPaidError extends ClnError {
  override readonly name: string = 'AlreadyPaidError';
}

/** Xpay of a hash whose payment is still pending (200): wait for it, never refund. */
export class PaymentPendingError extends ClnError {
  override readonly name: string = 'PaymentPendingError';
}

/** Why xpay gave up, from its JSON-RPC code. */
export const PaymentFailureReason = {
  DestinationRejected: 'destination_rejected',
  NoRoute: 'no_route',
  FeeLimitTooLow: 'fee_limit_too_low',
  InvoiceExpired: 'invoice_expired',
  InsufficientBalance: 'insufficient_balance',
  Unreachable: 'unreachable',
  Failed: 'failed',
} as const;
export type PaymentFailureReason = (typeof PaymentFailureReason)[keyof typeof PaymentFailureReason];

/** Xpay ended without paying: nothing is in flight for this attempt any more. */
export class PaymentFailedError extends ClnError {
  override readonly name: string = 'PaymentFailedError';
  readonly reason: PaymentFailureReason;
  readonly code: ClnRpcErrorCode | number;

  constructor(message: string, context: ClnErrorContext & { reason: PaymentFailureReason; rpcCode: number }) {
    super(message, context);
    this.reason = context.reason;
    this.code = context.rpcCode;
  }
}
