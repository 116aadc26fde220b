import {
  AlreadyPaidError,
  ClnError,
  ClnInvalidParamsError,
  ClnPermissionDeniedError,
  ClnUnavailableError,
  DuplicateLabelError,
  DuplicatePreimageError,
  InvoiceNotFoundError,
  PaymentFailedError,
  PaymentFailureReason,
  PaymentPendingError,
} from '../../cln';
import { FailureReason } from '../../withdrawals/withdrawal';
import {
  DuplicateInvoiceError,
  NodeAccessDeniedError,
  NodeError,
  type NodeErrorContext,
  NodeUnreachableError,
  PaymentAlreadySucceededError,
  PaymentInFlightError,
  PaymentRefusal,
  PaymentRefusedError,
  UnknownInvoiceError,
} from '../node-errors';

/**
 * The text lightningd (or cln-grpc) answered with, for `details`: the client keeps it in the
 * gRPC error it wraps as `cause`.
 */
export function clnDetails(error: ClnError): string {
  const cause = error.cause as { details?: unknown; message?: unknown } | undefined;
  if (typeof cause?.details === 'string' && cause.details !== '') return cause.details;
  if (typeof cause?.message === 'string') return cause.message;
  return '';
}

/**
 * xpay's refusals of the invoice itself (-32602), known only by their text: they come before
 * any HTLC, so nothing was started. Order matters: a wrong network is also an invalid bolt11.
 */
const REFUSAL_TEXTS: ReadonlyArray<{ pattern: RegExp; refusal: PaymentRefusal }> = [
  { pattern: /another network|wrong network/i, refusal: PaymentRefusal.wrongNetwork },
  { pattern: /amount_msat required|amount required/i, refusal: PaymentRefusal.amountRequired },
  { pattern: /amount_msat unnecessary|cannot override amount/i, refusal: PaymentRefusal.amountNotAllowed },
];

/** A -32602 answer to Xpay as the refusal it stands for; anything unrecognised is an invoice xpay could not use. */
export function refusalFromXpayText(details: string): PaymentRefusal {
  return REFUSAL_TEXTS.find(({ pattern }) => pattern.test(details))?.refusal ?? PaymentRefusal.invalidInvoice;
}

/**
 * Why xpay gave up, in the port's words. 209/210 ("failed after N attempts", "timed out")
 * carry the cause only in their text, so that is read for the common ones.
 */
export function failureReasonFromCln(error: PaymentFailedError): FailureReason {
  switch (error.reason) {
    case PaymentFailureReason.DestinationRejected:
      return FailureReason.incorrectPaymentDetails;
    case PaymentFailureReason.NoRoute:
    case PaymentFailureReason.FeeLimitTooLow:
    case PaymentFailureReason.Unreachable:
      return FailureReason.noRoute;
    case PaymentFailureReason.InsufficientBalance:
      return FailureReason.insufficientBalance;
    case PaymentFailureReason.InvoiceExpired:
      return FailureReason.error;
    default: {
      const details = clnDetails(error);
      if (/timed out|retry_for/i.test(details)) return FailureReason.timeout;
      if (/sufficient funds|insufficient/i.test(details)) return FailureReason.insufficientBalance;
      if (/no connection|no route|route not found|ran out of routes/i.test(details)) return FailureReason.noRoute;
      return FailureReason.error;
    }
  }
}

/**
 * A ClnError as the port's outcome for `operation`; anything else (a bug, a RangeError on
 * our own input, an amount beyond 2^53) is returned unchanged. Xpay's own outcomes (a
 * failure, an expired invoice) are decided by the pay stream, which knows whether an attempt
 * was registered; here they become a plain NodeError.
 */
export function nodeErrorFromCln(error: unknown, operation: string): unknown {
  if (!(error instanceof ClnError)) return error;
  const context: NodeErrorContext = { operation, details: clnDetails(error), cause: error };
  const message = error.message;
  // PaymentOutcomeUnknownError is one of these: a lost answer says nothing about the payment.
  if (error instanceof ClnUnavailableError) return new NodeUnreachableError(message, context);
  if (error instanceof ClnPermissionDeniedError) return new NodeAccessDeniedError(message, context);
  if (error instanceof DuplicateLabelError || error instanceof DuplicatePreimageError) return new DuplicateInvoiceError(message, context);
  if (error instanceof InvoiceNotFoundError) return new UnknownInvoiceError(message, context);
  if (error instanceof AlreadyPaidError) return new PaymentAlreadySucceededError(message, context);
  if (error instanceof PaymentPendingError) return new PaymentInFlightError(message, context);
  if (operation === 'pay' && error instanceof ClnInvalidParamsError) {
    return new PaymentRefusedError(message, { ...context, refusal: refusalFromXpayText(context.details ?? '') });
  }
  return new NodeError(message, context);
}
