import { GrpcCallError } from '../../grpc-unary/grpc-call-error';
import { GrpcStatus, grpcStatusName } from '../../grpc-unary/grpc-status';
import { ClnRpcErrorCode } from '../../cln/rpc-error-codes';
import { parseRpcErrorDetails, readsAsTransportFailure } from '../../cln/rpc-error-details';
import {
  DuplicateInvoiceError,
  NodeAccessDeniedError,
  NodeError,
  type NodeErrorContext,
  NodeUnreachableError,
  UnknownInvoiceError,
} from '../node-errors';

/** What a failed cln-grpc call says: its gRPC status and, for lightningd's refusals, the JSON-RPC code inside the details. */
export interface ClnCallFailure {
  grpcCode: number;
  rpcCode: number | null;
  /** `current_status` of a 906 (the invoice is not in the status DelInvoice named). */
  currentStatus: string | null;
  details: string;
}

/** The failure of a cln-grpc call; undefined for anything that is not one. */
export function clnCallFailure(error: unknown): ClnCallFailure | undefined {
  if (!(error instanceof GrpcCallError)) return undefined;
  const rpc = parseRpcErrorDetails(error.details);
  return { grpcCode: error.code, rpcCode: rpc?.code ?? null, currentStatus: rpc?.currentStatus ?? null, details: error.details };
}

/**
 * A failed cln-grpc call as the port's outcome for `operation`, as the full adapter decides it
 * for the invoice calls; anything that is not a gRPC failure passes unchanged. The message is
 * ours; lightningd's text is only in `details` and `cause`.
 */
export function nodeErrorFromClnCall(error: unknown, method: string, operation: string): unknown {
  const failure = clnCallFailure(error);
  if (!failure) return error;
  const context: NodeErrorContext = { operation, details: failure.details, cause: error };
  const status = grpcStatusName(failure.grpcCode);
  const unreachable =
    failure.grpcCode === GrpcStatus.UNAVAILABLE ||
    failure.grpcCode === GrpcStatus.DEADLINE_EXCEEDED ||
    (failure.rpcCode === null && readsAsTransportFailure(failure.details));
  if (unreachable) return new NodeUnreachableError(`Core Lightning ${method} got no answer (${status})`, context);
  if (failure.grpcCode === GrpcStatus.PERMISSION_DENIED || failure.grpcCode === GrpcStatus.UNAUTHENTICATED) {
    return new NodeAccessDeniedError(`Core Lightning refused ${method} (${status})`, context);
  }
  switch (failure.rpcCode) {
    case ClnRpcErrorCode.InvoiceLabelAlreadyExists:
      return new DuplicateInvoiceError(`Core Lightning ${method}: the node already has an invoice with this label`, context);
    case ClnRpcErrorCode.InvoicePreimageAlreadyExists:
      return new DuplicateInvoiceError(`Core Lightning ${method}: the node already has an invoice with this preimage`, context);
    case ClnRpcErrorCode.InvoiceNotFound:
      return new UnknownInvoiceError(`Core Lightning ${method}: the node has no such invoice`, context);
    default:
      return new NodeError(`Core Lightning ${method} failed (${failure.rpcCode === null ? status : `code ${failure.rpcCode}`})`, context);
  }
}
