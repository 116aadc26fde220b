import { X509Certificate, createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSelfSignedCertificate } from '../../lnd-simulator/tls/self-signed-certificate';

describe('createSelfSignedCertificate', () => {
  const now = new Date('2026-11-21T10:00:00.000Z');
  const { certPem, keyPem } = createSelfSignedCertificate(
    { commonName: 'lnd-simulator', hosts: ['localhost', '127.0.0.1', '::1'], validForMs: 86_400_000 },
    now,
  );
  const cert = new X509Certificate(certPem);

  it('is an ECDSA P-256 certificate signed by its own key, usable as its own CA', () => {
    const key = createPrivateKey(keyPem);

    expect(key.asymmetricKeyType).toBe('ec');
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(key)).toBe(true);
    expect(cert.ca).toBe(true);
  });

  it('names localhost and the loopback addresses', () => {
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkIP('::1')).toBe('::1');
    expect(cert.checkHost('example.com')).toBeUndefined();
  });

  it('is valid from shortly before now for the requested time', () => {
    expect(Date.parse(cert.validFrom)).toBeLessThanOrEqual(now.getTime());
    expect(Date.parse(cert.validTo)).toBe(now.getTime() + 86_400_000);
  });

  it('encodes validity dates from 2050 on as GeneralizedTime', () => {
    const late = createSelfSignedCertificate(
      { commonName: 'x', hosts: ['localhost'], validForMs: 30 * 365 * 86_400_000 },
      now,
    );

    expect(new X509Certificate(late.certPem).validTo).toMatch(/205\d/);
  });
});
