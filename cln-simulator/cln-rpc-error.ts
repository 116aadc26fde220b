/** Core Lightning's JSON-RPC error codes (common/jsonrpc_errors.h) that the simulator answers. */
export const ClnErrorCode = {
  InvalidParams: -32602,
  PayInProgress: 200,
  PayDestinationPermFail: 203,
  PayRouteNotFound: 205,
  PayRouteTooExpensive: 206,
  PayInvoiceExpired: 207,
  PayUnspecifiedError: 209,
  PayInsufficientFunds: 215,
  PayAlreadyPaid: 219,
  InvoiceLabelAlreadyExists: 900,
  InvoicePreimageAlreadyExists: 901,
  InvoiceWaitTimedOut: 904,
  InvoiceNotFound: 905,
  InvoiceStatusUnexpected: 906,
  InvoiceNoDescription: 908,
} as const;
export type ClnErrorCode = (typeof ClnErrorCode)[keyof typeof ClnErrorCode];

/** A refusal by lightningd or one of its plugins: the code and message its JSON-RPC returns. */
export class ClnRpcError extends Error {
  override readonly name = 'ClnRpcError';

  constructor(
    readonly code: ClnErrorCode,
    message: string,
    /** The error's `data` object, when lightningd attaches one. */
    readonly data: Record<string, string> | null = null,
  ) {
    super(message);
  }
}

/** serde_json's Debug form of a string, as cln-grpc prints it. */
const debugString = (text: string): string => JSON.stringify(text);

/**
 * The gRPC details cln-grpc sends for a failed call: Rust's Debug of cln-rpc's RpcError
 * after "Error calling method <Method>: ", with status UNKNOWN.
 */
export function grpcDetails(method: string, error: ClnRpcError): string {
  const data = error.data
    ? `Some(Object {${Object.entries(error.data)
        .map(([key, value]) => `${debugString(key)}: String(${debugString(value)})`)
        .join(', ')}})`
    : 'None';
  return `Error calling method ${method}: RpcError { code: Some(${error.code}), message: ${debugString(error.message)}, data: ${data} }`;
}
