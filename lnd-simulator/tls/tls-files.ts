import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../state/atomic-write';
import { createSelfSignedCertificate } from './self-signed-certificate';

const DAY_MS = 86_400_000;
// LND's default certificate lifetime is 14 months.
const CERT_VALIDITY_MS = 425 * DAY_MS;
const RENEW_BEFORE_EXPIRY_MS = 7 * DAY_MS;
const CERT_HOSTS = ['localhost', '127.0.0.1', '::1'];

export interface TlsFiles {
  certPath: string;
  certPem: string;
  keyPem: string;
}

function isUsable(certPem: string, now: number): boolean {
  try {
    const validToMs = Date.parse(new X509Certificate(certPem).validTo);
    return validToMs - now > RENEW_BEFORE_EXPIRY_MS;
  } catch {
    return false;
  }
}

/** Reuses tls.cert/tls.key like LND does, regenerating them when missing or close to expiry. */
export function loadOrCreateTlsFiles(lndDir: string): TlsFiles {
  const certPath = path.join(lndDir, 'tls.cert');
  const keyPath = path.join(lndDir, 'tls.key');
  if (existsSync(certPath) && existsSync(keyPath)) {
    const certPem = readFileSync(certPath, 'utf8');
    if (isUsable(certPem, Date.now())) return { certPath, certPem, keyPem: readFileSync(keyPath, 'utf8') };
  }
  const { certPem, keyPem } = createSelfSignedCertificate({
    commonName: 'lnd-simulator',
    hosts: CERT_HOSTS,
    validForMs: CERT_VALIDITY_MS,
  });
  writeFileAtomic(keyPath, keyPem, 0o600);
  writeFileAtomic(certPath, certPem, 0o644);
  return { certPath, certPem, keyPem };
}
