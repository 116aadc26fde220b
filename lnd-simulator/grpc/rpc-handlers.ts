import {
  type handleServerStreamingCall,
  type handleUnaryCall,
  type Metadata,
  type ServerErrorResponse,
  type ServerWritableStream,
  status as GrpcStatus,
} from '@grpc/grpc-js';
import type { MacaroonVerifier } from '../macaroons';
import { RpcFailure } from '../rpc-failure';

export function toServiceError(error: unknown): ServerErrorResponse {
  const code = error instanceof RpcFailure ? error.code : GrpcStatus.UNKNOWN;
  const details = error instanceof Error ? error.message : String(error);
  return Object.assign(new Error(details), { code, details });
}

/**
 * Wraps RPC implementations with the macaroon check and LND-style error
 * statuses. The simulator answers PERMISSION_DENIED where LND uses UNKNOWN;
 * the client accepts both.
 */
export class RpcHandlers {
  constructor(private readonly macaroons: MacaroonVerifier) {}

  unary<Req, Res>(methodPath: string, implementation: (request: Req) => Res): handleUnaryCall<Req, Res> {
    return (call, callback) => {
      const denied = this.authorize(call.metadata, methodPath);
      if (denied) {
        callback(denied);
        return;
      }
      try {
        callback(null, implementation(call.request));
      } catch (error) {
        callback(toServiceError(error));
      }
    };
  }

  serverStream<Req, Res>(
    methodPath: string,
    implementation: (call: ServerWritableStream<Req, Res>) => void,
  ): handleServerStreamingCall<Req, Res> {
    return (call) => {
      const denied = this.authorize(call.metadata, methodPath);
      if (denied) {
        call.emit('error', denied);
        return;
      }
      try {
        implementation(call);
      } catch (error) {
        call.emit('error', toServiceError(error));
      }
    };
  }

  private authorize(metadata: Metadata, methodPath: string): ServerErrorResponse | null {
    const presented = metadata.get('macaroon').map((value) => value.toString());
    const result = this.macaroons.check(presented, methodPath);
    return result.ok ? null : toServiceError(new RpcFailure(result.message, GrpcStatus.PERMISSION_DENIED));
  }
}
