import { generateKeyPairSync } from 'node:crypto';
import { EXTENDED_KEY_USAGE, issueCertificate, KEY_USAGE } from '../../../lnd-simulator/tls/issue-certificate';

/**
 * A CA of its own and a client certificate it signed, named like the simulator's: the right
 * shape with the wrong issuer, which a node checking mutual TLS must refuse.
 */
export function foreignPki(): { caPem: string; clientCertPem: string; clientKeyPem: string } {
  const ca = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const caName = { organization: 'elsewhere', commonName: 'cln Root CA' };
  const common = { issuer: caName, issuerPrivateKey: ca.privateKey, validForMs: 86_400_000 };
  const caPem = issueCertificate({ ...common, subject: caName, subjectPublicKey: ca.publicKey, isCa: true, keyUsage: [KEY_USAGE.keyCertSign], extendedKeyUsage: [], hosts: [] });
  const clientCertPem = issueCertificate({
    ...common,
    subject: { organization: 'elsewhere', commonName: 'cln grpc Client' },
    subjectPublicKey: key.publicKey,
    isCa: false,
    keyUsage: [KEY_USAGE.digitalSignature],
    extendedKeyUsage: [EXTENDED_KEY_USAGE.clientAuth],
    hosts: [],
  });
  return { caPem, clientCertPem, clientKeyPem: key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}
