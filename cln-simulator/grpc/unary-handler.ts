import { type handleUnaryCall, type ServerErrorResponse, status as GrpcStatus } from '@grpc/grpc-js';
import { ClnRpcError, grpcDetails } from '../cln-rpc-error';
import type { OpenCalls } from './open-calls';

function serviceError(code: GrpcStatus, details: string): ServerErrorResponse {
  return Object.assign(new Error(details), { code, details });
}

/**
 * A cln.Node method: lightningd's refusals reach the client as cln-grpc sends them
 * (UNKNOWN, "Error calling method ..."). The signal aborts when the client cancels or a
 * fault cuts the call, so waits can let go of their subscriptions.
 */
export function unaryHandler<Req, Res>(
  method: string,
  openCalls: OpenCalls,
  implementation: (request: Req, signal: AbortSignal) => Res | Promise<Res>,
): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const aborter = new AbortController();
    let answered = false;
    const answer = (error: ServerErrorResponse | null, response?: Res): void => {
      if (answered) return;
      answered = true;
      forget();
      if (error) callback(error);
      else callback(null, response);
    };
    const forget = openCalls.track((details) => {
      aborter.abort();
      answer(serviceError(GrpcStatus.UNAVAILABLE, details));
    });
    call.on('cancelled', () => {
      aborter.abort();
      answered = true;
      forget();
    });
    Promise.resolve()
      .then(() => implementation(call.request, aborter.signal))
      .then(
        (response) => answer(null, response),
        (error: unknown) => {
          if (error instanceof ClnRpcError) answer(serviceError(GrpcStatus.UNKNOWN, grpcDetails(method, error)));
          else answer(serviceError(GrpcStatus.INTERNAL, error instanceof Error ? error.message : String(error)));
        },
      );
  };
}
