import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  AmountRequiredError,
  DuplicateInvoiceError,
  InvoiceAlreadySettledError,
  InvoiceExpiredError,
  LndError,
  type LndErrorContext,
  NodeUnavailableError,
  NotFoundError,
  PaymentAlreadySucceededError,
  PaymentInTransitionError,
  PermissionDeniedError,
} from './errors';

type LndErrorClass = new (message: string, context: LndErrorContext) => LndError;

interface Rule {
  /** Any code matches when omitted; LND returns most errors as UNKNOWN. */
  codes?: readonly number[];
  /** Lowercase substrings of LND's text; newer LND versions wrap the same text. */
  substrings?: readonly string[];
  errorClass: LndErrorClass;
}

// Order matters: the first matching rule wins.
const RULES: readonly Rule[] = [
  { codes: [GrpcStatus.UNAVAILABLE, GrpcStatus.DEADLINE_EXCEEDED], errorClass: NodeUnavailableError },
  {
    substrings: ['econnrefused', 'econnreset', 'connection dropped', 'failed to connect', 'no connection established'],
    errorClass: NodeUnavailableError,
  },
  { codes: [GrpcStatus.PERMISSION_DENIED, GrpcStatus.UNAUTHENTICATED], errorClass: PermissionDeniedError },
  {
    substrings: ['permission denied', 'verification failed', 'expected 1 macaroon', 'cannot get macaroon', 'invalid macaroon'],
    errorClass: PermissionDeniedError,
  },
  { codes: [GrpcStatus.ALREADY_EXISTS], substrings: ['already paid'], errorClass: PaymentAlreadySucceededError },
  { codes: [GrpcStatus.ALREADY_EXISTS], substrings: ['in transition'], errorClass: PaymentInTransitionError },
  { substrings: ['invoice with payment hash already exists'], errorClass: DuplicateInvoiceError },
  { substrings: ['invoice already settled'], errorClass: InvoiceAlreadySettledError },
  { substrings: ['invoice expired'], errorClass: InvoiceExpiredError },
  { substrings: ['amount must be specified'], errorClass: AmountRequiredError },
  { codes: [GrpcStatus.NOT_FOUND], errorClass: NotFoundError },
  {
    substrings: ['unable to locate invoice', 'there are no existing invoices', "payment isn't initiated"],
    errorClass: NotFoundError,
  },
];

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

function matches(rule: Rule, code: number | undefined, lowerDetails: string): boolean {
  if (rule.codes && (code === undefined || !rule.codes.includes(code))) return false;
  if (rule.substrings && !rule.substrings.some((s) => lowerDetails.includes(s))) return false;
  return true;
}

/** Turns a gRPC failure into the most precise LndError subclass. */
export function toLndError(error: unknown, method: string): LndError {
  if (error instanceof LndError) return error;
  const { code, details } = describe(error);
  const lowerDetails = details.toLowerCase();
  const rule = RULES.find((r) => matches(r, code, lowerDetails));
  const ErrorClass = rule?.errorClass ?? LndError;
  const codeName = code === undefined ? 'no status' : (GrpcStatus[code] ?? String(code));
  return new ErrorClass(`LND ${method} failed (${codeName}): ${details}`, {
    method,
    grpcCode: code,
    details,
    cause: error,
  });
}
