import { grpcStatusName } from './grpc-status';

/**
 * A unary call that did not answer OK. Shaped like grpc-js's ServiceError (`code`,
 * `details`), so code that reads those fields reads these the same way.
 */
export class GrpcCallError extends Error {
  override readonly name: string = 'GrpcCallError';
  /** The gRPC status (grpc-status.ts). */
  readonly code: number;
  /** The server's grpc-message, or what went wrong locally. */
  readonly details: string;
  /** `/package.Service/Method` */
  readonly path: string;

  constructor(code: number, details: string, path: string, options?: ErrorOptions) {
    super(`${path} failed: ${code} ${grpcStatusName(code)}: ${details}`, options);
    this.code = code;
    this.details = details;
    this.path = path;
  }
}
