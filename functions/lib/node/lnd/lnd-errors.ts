import {
  AmountRequiredError,
  DuplicateInvoiceError as LndDuplicateInvoiceError,
  InvoiceAlreadySettledError as LndInvoiceAlreadySettledError,
  InvoiceExpiredError,
  LndError,
  NodeUnavailableError,
  NotFoundError,
  PaymentAlreadySucceededError as LndPaymentAlreadySucceededError,
  PaymentInTransitionError,
  PermissionDeniedError,
} from '../../lnd';
import {
  DuplicateInvoiceError,
  InvoiceAlreadySettledError,
  NodeAccessDeniedError,
  NodeError,
  type NodeErrorContext,
  NodeUnreachableError,
  PaymentAlreadySucceededError,
  PaymentInFlightError,
  PaymentRefusal,
  PaymentRefusedError,
  UnknownInvoiceError,
  UnknownPaymentError,
} from '../node-errors';

/** Port operations that are about payments: LND's "not found" there is an unknown payment. */
const PAYMENT_OPERATIONS = new Set(['pay', 'trackPayment']);

/**
 * SendPaymentV2 refusals LND makes before it registers a payment, known only by their text
 * (status UNKNOWN). Older LND versions put two spaces before "amount" in the last one.
 */
const REFUSAL_TEXTS: ReadonlyArray<{ pattern: RegExp; refusal: PaymentRefusal }> = [
  { pattern: /invalid payment request/i, refusal: PaymentRefusal.invalidInvoice },
  { pattern: /not for current active network/i, refusal: PaymentRefusal.wrongNetwork },
  { pattern: /must not be specified when paying a non-zero\s+amount invoice/i, refusal: PaymentRefusal.amountNotAllowed },
];

/**
 * An LndError as the port's outcome for `operation`; anything else (a bug, a RangeError on
 * our own input, an int64 that does not fit) is returned unchanged.
 */
export function nodeErrorFromLnd(error: unknown, operation: string): unknown {
  if (!(error instanceof LndError)) return error;
  const context: NodeErrorContext = { operation, details: error.details, cause: error };
  const message = error.message;
  if (error instanceof NodeUnavailableError) return new NodeUnreachableError(message, context);
  if (error instanceof PermissionDeniedError) return new NodeAccessDeniedError(message, context);
  if (error instanceof NotFoundError) {
    return PAYMENT_OPERATIONS.has(operation) ? new UnknownPaymentError(message, context) : new UnknownInvoiceError(message, context);
  }
  if (error instanceof LndPaymentAlreadySucceededError) return new PaymentAlreadySucceededError(message, context);
  if (error instanceof PaymentInTransitionError) return new PaymentInFlightError(message, context);
  if (error instanceof LndDuplicateInvoiceError) return new DuplicateInvoiceError(message, context);
  if (error instanceof LndInvoiceAlreadySettledError) return new InvoiceAlreadySettledError(message, context);
  if (error instanceof InvoiceExpiredError) return new PaymentRefusedError(message, { ...context, refusal: PaymentRefusal.invoiceExpired });
  if (error instanceof AmountRequiredError) return new PaymentRefusedError(message, { ...context, refusal: PaymentRefusal.amountRequired });
  if (operation === 'pay') {
    const refusal = REFUSAL_TEXTS.find(({ pattern }) => pattern.test(error.details))?.refusal;
    if (refusal) return new PaymentRefusedError(message, { ...context, refusal });
  }
  return new NodeError(message, context);
}
