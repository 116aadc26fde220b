import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  AlreadyPaidError,
  ClnError,
  type ClnErrorContext,
  ClnInvalidParamsError,
  ClnPermissionDeniedError,
  ClnUnavailableError,
  DuplicateLabelError,
  DuplicatePreimageError,
  InvoiceNotFoundError,
  InvoiceStatusMismatchError,
  InvoiceWaitTimeoutError,
  PaymentFailedError,
  PaymentFailureReason,
  PaymentOutcomeUnknownError,
  PaymentPendingError,
} from './errors';
import { ClnRpcErrorCode as Code } from './rpc-error-codes';
import { parseRpcErrorDetails, readsAsTransportFailure } from './rpc-error-details';

type ClnErrorClass = new (message: string, context: ClnErrorContext) => ClnError;

/** Refusals by lightningd with a class of their own, and our wording for each. */
const BY_RPC_CODE: ReadonlyMap<number, { errorClass: ClnErrorClass; says: string }> = new Map([
  [Code.InvalidParams, { errorClass: ClnInvalidParamsError, says: 'refused a parameter' }],
  [Code.InvoiceLabelAlreadyExists, { errorClass: DuplicateLabelError, says: 'already has an invoice with this label' }],
  [Code.InvoicePreimageAlreadyExists, { errorClass: DuplicatePreimageError, says: 'already has an invoice with this preimage' }],
  [Code.InvoiceWaitTimedOut, { errorClass: InvoiceWaitTimeoutError, says: 'saw no invoice paid before the timeout' }],
  [Code.InvoiceNotFound, { errorClass: InvoiceNotFoundError, says: 'has no such invoice' }],
  [Code.PayAlreadyPaid, { errorClass: AlreadyPaidError, says: 'already paid this invoice' }],
  [Code.PayInProgress, { errorClass: PaymentPendingError, says: 'has a payment of this invoice in flight' }],
]);

const FAILURE_REASONS: ReadonlyMap<number, PaymentFailureReason> = new Map([
  [Code.PayDestinationPermFail, PaymentFailureReason.DestinationRejected],
  [Code.PayTryOtherRoute, PaymentFailureReason.NoRoute],
  [Code.PayRouteNotFound, PaymentFailureReason.NoRoute],
  [Code.PayRouteTooExpensive, PaymentFailureReason.FeeLimitTooLow],
  [Code.PayInvoiceExpired, PaymentFailureReason.InvoiceExpired],
  [Code.PayUnspecifiedError, PaymentFailureReason.Failed],
  [Code.PayStoppedRetrying, PaymentFailureReason.Failed],
  [Code.PayInsufficientFunds, PaymentFailureReason.InsufficientBalance],
  [Code.PayUnreachable, PaymentFailureReason.Unreachable],
  [Code.PayDestinationInsufficientCapacity, PaymentFailureReason.Unreachable],
]);

interface GrpcLikeError {
  code?: unknown;
  details?: unknown;
  message?: unknown;
}

function describe(error: unknown): { code: number | undefined; details: string } {
  if (typeof error === 'object' && error !== null) {
    const { code, details, message } = error as GrpcLikeError;
    const text = typeof details === 'string' && details !== '' ? details : typeof message === 'string' ? message : '';
    return { code: typeof code === 'number' ? code : undefined, details: text };
  }
  return { code: undefined, details: String(error) };
}

const statusName = (code: number | undefined): string => (code === undefined ? 'no status' : (GrpcStatus[code] ?? String(code)));

/** Turns a cln-grpc failure into the most precise ClnError subclass. */
export function toClnError(error: unknown, method: string): ClnError {
  if (error instanceof ClnError) return error;
  const { code: grpcCode, details } = describe(error);
  const context = { method, grpcCode, cause: error };
  const rpc = parseRpcErrorDetails(details);

  const unreachable =
    grpcCode === GrpcStatus.UNAVAILABLE ||
    grpcCode === GrpcStatus.DEADLINE_EXCEEDED ||
    (rpc === null && readsAsTransportFailure(details));
  if (unreachable) {
    const text = `Core Lightning ${method} got no answer (${statusName(grpcCode)})`;
    return method === 'Xpay' ? new PaymentOutcomeUnknownError(`${text}: the payment may still be in flight`, context) : new ClnUnavailableError(text, context);
  }
  if (grpcCode === GrpcStatus.PERMISSION_DENIED || grpcCode === GrpcStatus.UNAUTHENTICATED) {
    return new ClnPermissionDeniedError(`Core Lightning refused ${method} (${statusName(grpcCode)})`, context);
  }

  const rpcCode = rpc?.code ?? undefined;
  if (rpcCode === undefined) {
    // Without lightningd's code nothing says xpay gave up, so the payment may be out there.
    if (method === 'Xpay') return new PaymentOutcomeUnknownError(`Core Lightning Xpay failed (${statusName(grpcCode)}): the payment may still be in flight`, context);
    return new ClnError(`Core Lightning ${method} failed (${statusName(grpcCode)})`, context);
  }
  const withRpc = { ...context, rpcCode };

  const reason = FAILURE_REASONS.get(rpcCode);
  if (reason) return new PaymentFailedError(`Core Lightning ${method}: payment failed (${reason}, code ${rpcCode})`, { ...withRpc, reason, rpcCode });
  if (rpcCode === Code.InvoiceStatusUnexpected) {
    const currentStatus = rpc?.currentStatus ?? null;
    return new InvoiceStatusMismatchError(`Core Lightning ${method}: the invoice is ${currentStatus ?? 'in another status'}`, { ...withRpc, currentStatus });
  }
  const known = BY_RPC_CODE.get(rpcCode);
  if (known) return new known.errorClass(`Core Lightning ${method}: the node ${known.says} (code ${rpcCode})`, withRpc);
  if (method === 'Xpay') return new PaymentOutcomeUnknownError(`Core Lightning Xpay failed (code ${rpcCode}): the payment may still be in flight`, withRpc);
  return new ClnError(`Core Lightning ${method} failed (code ${rpcCode})`, withRpc);
}
