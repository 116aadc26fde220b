/**
 * lightningd's JSON-RPC error codes (common/jsonrpc_errors.h) that this client tells
 * apart. cln-grpc passes them on inside the gRPC details of an UNKNOWN status.
 */
export const ClnRpcErrorCode = {
  InvalidParams: -32602,
  PayInProgress: 200,
  PayDestinationPermFail: 203,
  PayTryOtherRoute: 204,
  PayRouteNotFound: 205,
  PayRouteTooExpensive: 206,
  PayInvoiceExpired: 207,
  PayUnspecifiedError: 209,
  PayStoppedRetrying: 210,
  PayInsufficientFunds: 215,
  PayUnreachable: 216,
  PayAlreadyPaid: 219,
  PayDestinationInsufficientCapacity: 220,
  InvoiceLabelAlreadyExists: 900,
  InvoicePreimageAlreadyExists: 901,
  InvoiceWaitTimedOut: 904,
  InvoiceNotFound: 905,
  InvoiceStatusUnexpected: 906,
} as const;
export type ClnRpcErrorCode = (typeof ClnRpcErrorCode)[keyof typeof ClnRpcErrorCode];
