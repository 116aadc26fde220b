import { constants } from 'node:http2';
import { GrpcStatus } from './grpc-status';

/** What a non-200 HTTP answer means in gRPC terms (gRPC's HTTP-to-status mapping, as grpc-js applies it). */
export function statusFromHttp(httpStatus: number): GrpcStatus {
  switch (httpStatus) {
    case 400:
      return GrpcStatus.INTERNAL;
    case 401:
      return GrpcStatus.UNAUTHENTICATED;
    case 403:
      return GrpcStatus.PERMISSION_DENIED;
    case 404:
      return GrpcStatus.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return GrpcStatus.UNAVAILABLE;
    default:
      return GrpcStatus.UNKNOWN;
  }
}

/** A stream the server reset before a status arrived, by its RST_STREAM code, as grpc-js reads it. */
export function statusFromResetCode(rstCode: number): GrpcStatus {
  switch (rstCode) {
    case constants.NGHTTP2_REFUSED_STREAM:
      return GrpcStatus.UNAVAILABLE;
    case constants.NGHTTP2_CANCEL:
      return GrpcStatus.CANCELLED;
    case constants.NGHTTP2_ENHANCE_YOUR_CALM:
      return GrpcStatus.RESOURCE_EXHAUSTED;
    case constants.NGHTTP2_INADEQUATE_SECURITY:
      return GrpcStatus.PERMISSION_DENIED;
    default:
      return GrpcStatus.INTERNAL;
  }
}

/** grpc-message is percent-encoded; a malformed one is shown as sent. */
export function decodeGrpcMessage(raw: string | string[] | undefined): string {
  const text = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** grpc-timeout: at most eight digits, so long deadlines go in seconds. */
export function grpcTimeoutHeader(timeoutMs: number): string {
  const ms = Math.max(1, Math.ceil(timeoutMs));
  return ms < 100_000_000 ? `${ms}m` : `${Math.ceil(ms / 1000)}S`;
}
