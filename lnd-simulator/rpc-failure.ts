import { status as GrpcStatus } from '@grpc/grpc-js';

/**
 * A refusal with the gRPC code and text LND would answer. Plain LND errors
 * reach clients as UNKNOWN, so that is the default.
 */
export class RpcFailure extends Error {
  override readonly name = 'RpcFailure';

  constructor(
    message: string,
    readonly code: GrpcStatus = GrpcStatus.UNKNOWN,
  ) {
    super(message);
  }
}
