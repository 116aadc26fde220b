// Reading a failed cln-grpc call's text. Kept free of grpc-js: the light invoice node that API
// functions bundle reads failures with it too.

/** What cln-grpc puts in the details: `... RpcError { code: Some(905), message: "...", data: ... }`. */
export interface RpcErrorDetails {
  code: number | null;
  /** `current_status` from the error's data (906), when present. */
  currentStatus: string | null;
}

export function parseRpcErrorDetails(details: string): RpcErrorDetails | null {
  const match = /RpcError \{ code: (?:Some\((-?\d+)\)|None)/.exec(details);
  if (!match) return null;
  const status = /"current_status": String\("([a-z_]+)"\)/.exec(details);
  return { code: match[1] === undefined ? null : Number(match[1]), currentStatus: status?.[1] ?? null };
}

// Transport failures grpc-js reports without UNAVAILABLE on some paths (TLS, resets).
const TRANSPORT_WORDS = ['econnrefused', 'econnreset', 'connection dropped', 'failed to connect', 'no connection established', 'handshake'];

/** True when a failure without lightningd's code reads as the connection failing, not the call. */
export function readsAsTransportFailure(details: string): boolean {
  const lower = details.toLowerCase();
  return TRANSPORT_WORDS.some((word) => lower.includes(word));
}
