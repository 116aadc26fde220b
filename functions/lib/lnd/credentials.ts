import * as grpc from '@grpc/grpc-js';

/** Macaroons are read from disk as raw bytes; env/secrets may hold them as hex. */
export function macaroonToHex(macaroon: Buffer | string): string {
  if (Buffer.isBuffer(macaroon)) return macaroon.toString('hex');
  const trimmed = macaroon.trim();
  if (!/^[0-9a-fA-F]+$/.test(trimmed) || trimmed.length % 2 !== 0) {
    throw new TypeError('macaroon string must be hex');
  }
  return trimmed.toLowerCase();
}

/**
 * TLS pinned to the node's own self-signed certificate, plus the macaroon as
 * hex in the `macaroon` metadata key of every call (LND wants exactly one).
 */
export function createLndCredentials(tlsCert: Buffer | string, macaroon: Buffer | string): grpc.ChannelCredentials {
  const macaroonHex = macaroonToHex(macaroon);
  const tls = grpc.credentials.createSsl(Buffer.isBuffer(tlsCert) ? tlsCert : Buffer.from(tlsCert));
  const macaroonCredentials = grpc.credentials.createFromMetadataGenerator((_params, callback) => {
    const metadata = new grpc.Metadata();
    metadata.set('macaroon', macaroonHex);
    callback(null, metadata);
  });
  return grpc.credentials.combineChannelCredentials(tls, macaroonCredentials);
}
