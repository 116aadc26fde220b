import { GrpcCallError } from '../../grpc-unary/grpc-call-error';
import { GrpcStatus, grpcStatusName } from '../../grpc-unary/grpc-status';
import {
  DuplicateInvoiceError,
  InvoiceAlreadySettledError,
  NodeAccessDeniedError,
  NodeError,
  type NodeErrorContext,
  NodeUnreachableError,
  UnknownInvoiceError,
} from '../node-errors';

type NodeErrorClass = new (message: string, context: NodeErrorContext) => NodeError;

interface Rule {
  /** Any code when omitted: LND answers most refusals as UNKNOWN, told apart by their text. */
  codes?: readonly number[];
  /** Lowercase pieces of LND's text. */
  texts?: readonly string[];
  errorClass: NodeErrorClass;
}

// The full client's outcomes for the invoice calls (functions/lib/lnd/error-mapping.ts, then
// node/lnd/lnd-errors.ts), which cannot be imported here without bundling grpc-js. First match wins.
const RULES: readonly Rule[] = [
  { codes: [GrpcStatus.UNAVAILABLE, GrpcStatus.DEADLINE_EXCEEDED], errorClass: NodeUnreachableError },
  { texts: ['econnrefused', 'econnreset', 'connection dropped', 'failed to connect', 'no connection established'], errorClass: NodeUnreachableError },
  { codes: [GrpcStatus.PERMISSION_DENIED, GrpcStatus.UNAUTHENTICATED], errorClass: NodeAccessDeniedError },
  { texts: ['permission denied', 'verification failed', 'expected 1 macaroon', 'cannot get macaroon', 'invalid macaroon'], errorClass: NodeAccessDeniedError },
  { texts: ['invoice with payment hash already exists'], errorClass: DuplicateInvoiceError },
  { texts: ['invoice already settled'], errorClass: InvoiceAlreadySettledError },
  { codes: [GrpcStatus.NOT_FOUND], errorClass: UnknownInvoiceError },
  { texts: ['unable to locate invoice', 'there are no existing invoices'], errorClass: UnknownInvoiceError },
];

const matches = (rule: Rule, code: number, text: string): boolean =>
  (rule.codes === undefined || rule.codes.includes(code)) && (rule.texts === undefined || rule.texts.some((piece) => text.includes(piece)));

/** A failed LND call as the port's outcome for `operation`; anything that is not a gRPC failure (a bug, an int64 beyond 2^53) passes unchanged. */
export function nodeErrorFromLndCall(error: unknown, method: string, operation: string): unknown {
  if (!(error instanceof GrpcCallError)) return error;
  const text = error.details.toLowerCase();
  const ErrorClass = RULES.find((rule) => matches(rule, error.code, text))?.errorClass ?? NodeError;
  return new ErrorClass(`LND ${method} failed (${grpcStatusName(error.code)}): ${error.details}`, { operation, details: error.details, cause: error });
}
