import path from 'node:path';
import * as grpc from '@grpc/grpc-js';

/** The PEM files cln-grpc writes into `<lightning-dir>/<network>/` on first start. */
export const CLN_CERTIFICATE_FILES = { caCert: 'ca.pem', clientCert: 'client.pem', clientKey: 'client-key.pem' } as const;

export function clnCertificatePaths(directory: string): { caCertPath: string; clientCertPath: string; clientKeyPath: string } {
  return {
    caCertPath: path.join(directory, CLN_CERTIFICATE_FILES.caCert),
    clientCertPath: path.join(directory, CLN_CERTIFICATE_FILES.clientCert),
    clientKeyPath: path.join(directory, CLN_CERTIFICATE_FILES.clientKey),
  };
}

function pem(value: Buffer | string, field: string): Buffer {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value);
  if (!bytes.toString('latin1').includes('-----BEGIN ')) throw new TypeError(`${field} must be a PEM`);
  return bytes;
}

/**
 * Mutual TLS as cln-grpc wants it: trust only the node's own CA, and present the client
 * certificate it signed. There is no macaroon or rune: the certificate is the credential.
 */
export function createClnCredentials(caCert: Buffer | string, clientCert: Buffer | string, clientKey: Buffer | string): grpc.ChannelCredentials {
  return grpc.credentials.createSsl(pem(caCert, 'caCert'), pem(clientKey, 'clientKey'), pem(clientCert, 'clientCert'));
}
