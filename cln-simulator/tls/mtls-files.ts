import { createPrivateKey, generateKeyPairSync, type KeyObject, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../lnd-simulator/state/atomic-write';
import { EXTENDED_KEY_USAGE, issueCertificate, KEY_USAGE } from '../../lnd-simulator/tls/issue-certificate';

const DAY_MS = 86_400_000;
const VALIDITY_MS = 10 * 365 * DAY_MS;
const RENEW_BEFORE_EXPIRY_MS = 7 * DAY_MS;
const SERVER_HOSTS = ['localhost', '127.0.0.1', '::1', 'cln'];
const ORGANIZATION = 'cln-simulator';

/** The files cln-grpc writes into the lightning dir; clients need ca.pem, client.pem and client-key.pem. */
export interface MtlsFiles {
  caPath: string;
  clientCertPath: string;
  clientKeyPath: string;
  serverCertPath: string;
  serverKeyPath: string;
  caPem: string;
  serverCertPem: string;
  serverKeyPem: string;
}

const FILE_NAMES = {
  caPath: 'ca.pem',
  caKeyPath: 'ca-key.pem',
  serverCertPath: 'server.pem',
  serverKeyPath: 'server-key.pem',
  clientCertPath: 'client.pem',
  clientKeyPath: 'client-key.pem',
} as const;

function newKey(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
}

const keyPem = (key: KeyObject): string => key.export({ type: 'pkcs8', format: 'pem' }).toString();

function stillValid(paths: Record<keyof typeof FILE_NAMES, string>): boolean {
  if (!Object.values(paths).every((file) => existsSync(file))) return false;
  try {
    const ca = new X509Certificate(readFileSync(paths.caPath));
    return [paths.caPath, paths.serverCertPath, paths.clientCertPath].every((file) => {
      const cert = new X509Certificate(readFileSync(file));
      return Date.parse(cert.validTo) - Date.now() > RENEW_BEFORE_EXPIRY_MS && cert.verify(ca.publicKey);
    });
  } catch {
    return false;
  }
}

/**
 * A CA of its own, a server certificate for loopback and a client certificate, both signed
 * by it, as cln-grpc generates on first start; kept across restarts.
 */
export function loadOrCreateMtlsFiles(clnDir: string): MtlsFiles {
  const paths = Object.fromEntries(
    Object.entries(FILE_NAMES).map(([key, name]) => [key, path.join(clnDir, name)]),
  ) as Record<keyof typeof FILE_NAMES, string>;
  if (!stillValid(paths)) {
    const ca = newKey();
    const caName = { organization: ORGANIZATION, commonName: 'cln Root CA' };
    const leaf = (commonName: string, usage: string, hosts: string[]) => {
      const key = newKey();
      const certPem = issueCertificate({
        subject: { organization: ORGANIZATION, commonName },
        subjectPublicKey: key.publicKey,
        issuer: caName,
        issuerPrivateKey: ca.privateKey,
        validForMs: VALIDITY_MS,
        isCa: false,
        keyUsage: [KEY_USAGE.digitalSignature, KEY_USAGE.keyEncipherment],
        extendedKeyUsage: [usage],
        hosts,
      });
      return { certPem, keyPem: keyPem(key.privateKey) };
    };
    const caPem = issueCertificate({
      subject: caName,
      subjectPublicKey: ca.publicKey,
      issuer: caName,
      issuerPrivateKey: ca.privateKey,
      validForMs: VALIDITY_MS,
      isCa: true,
      keyUsage: [KEY_USAGE.digitalSignature, KEY_USAGE.keyCertSign],
      extendedKeyUsage: [],
      hosts: [],
    });
    const server = leaf('cln grpc Server', EXTENDED_KEY_USAGE.serverAuth, SERVER_HOSTS);
    const client = leaf('cln grpc Client', EXTENDED_KEY_USAGE.clientAuth, []);
    writeFileAtomic(paths.caKeyPath, keyPem(ca.privateKey), 0o600);
    writeFileAtomic(paths.serverKeyPath, server.keyPem, 0o600);
    writeFileAtomic(paths.clientKeyPath, client.keyPem, 0o600);
    writeFileAtomic(paths.serverCertPath, server.certPem, 0o644);
    writeFileAtomic(paths.clientCertPath, client.certPem, 0o644);
    writeFileAtomic(paths.caPath, caPem, 0o644);
  }
  // Parsing the key checks it is still a usable private key.
  createPrivateKey(readFileSync(paths.serverKeyPath));
  return {
    caPath: paths.caPath,
    clientCertPath: paths.clientCertPath,
    clientKeyPath: paths.clientKeyPath,
    serverCertPath: paths.serverCertPath,
    serverKeyPath: paths.serverKeyPath,
    caPem: readFileSync(paths.caPath, 'utf8'),
    serverCertPem: readFileSync(paths.serverCertPath, 'utf8'),
    serverKeyPem: readFileSync(paths.serverKeyPath, 'utf8'),
  };
}
