import { type KeyObject, randomBytes, sign } from 'node:crypto';
import { isIP } from 'node:net';
import {
  bitString,
  booleanTrue,
  explicitTag,
  implicitPrimitive,
  objectIdentifier,
  octetString,
  sequence,
  set,
  smallInteger,
  unsignedInteger,
  utf8String,
  x509Time,
} from './der';

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  organization: '2.5.4.10',
  commonName: '2.5.4.3',
  keyUsage: '2.5.29.15',
  extendedKeyUsage: '2.5.29.37',
  basicConstraints: '2.5.29.19',
  subjectAltName: '2.5.29.17',
} as const;

export const EXTENDED_KEY_USAGE = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

/** X.509 keyUsage bits, numbered from the most significant bit of the first byte. */
export const KEY_USAGE = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5 } as const;

const HOUR_MS = 3_600_000;

export interface DistinguishedName {
  organization: string;
  commonName: string;
}

export interface CertificateRequest {
  subject: DistinguishedName;
  subjectPublicKey: KeyObject;
  /** The signer: the subject itself for a self-signed certificate. */
  issuer: DistinguishedName;
  issuerPrivateKey: KeyObject;
  validForMs: number;
  isCa: boolean;
  keyUsage: number[];
  extendedKeyUsage: string[];
  /** DNS names and IP addresses for subjectAltName; none: no such extension. */
  hosts: string[];
}

function ipToBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  const [head = '', tail = ''] = ip.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  const groups = ip.includes('::') ? [...headGroups, ...zeros, ...tailGroups] : head.split(':');
  return Buffer.concat(groups.map((g) => Buffer.from(g.padStart(4, '0'), 'hex')));
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? sequence(objectIdentifier(oid), booleanTrue(), octetString(value))
    : sequence(objectIdentifier(oid), octetString(value));
}

function subjectAltNames(hosts: string[]): Buffer {
  const names = hosts.map((host) =>
    isIP(host) ? implicitPrimitive(7, ipToBytes(host)) : implicitPrimitive(2, Buffer.from(host, 'ascii')),
  );
  return sequence(...names);
}

function encodeName(name: DistinguishedName): Buffer {
  return sequence(
    set(sequence(objectIdentifier(OID.organization), utf8String(name.organization))),
    set(sequence(objectIdentifier(OID.commonName), utf8String(name.commonName))),
  );
}

/** keyUsage as a DER BIT STRING: the bits in one byte, the unused low bits counted. */
function keyUsageBits(bits: number[]): Buffer {
  let byte = 0;
  for (const bit of bits) byte |= 0x80 >> bit;
  const highest = Math.max(...bits);
  return bitString(Buffer.from([byte]), 7 - highest);
}

function toPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** An X.509 v3 certificate signed with ECDSA-SHA256 by the issuer's key, as PEM. */
export function issueCertificate(request: CertificateRequest, now = new Date()): string {
  const signatureAlgorithm = sequence(objectIdentifier(OID.ecdsaWithSha256));
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const extensions = [
    extension(OID.keyUsage, true, keyUsageBits(request.keyUsage)),
    ...(request.extendedKeyUsage.length > 0
      ? [extension(OID.extendedKeyUsage, false, sequence(...request.extendedKeyUsage.map(objectIdentifier)))]
      : []),
    extension(OID.basicConstraints, true, request.isCa ? sequence(booleanTrue()) : sequence()),
    ...(request.hosts.length > 0 ? [extension(OID.subjectAltName, false, subjectAltNames(request.hosts))] : []),
  ];
  const tbsCertificate = sequence(
    explicitTag(0, smallInteger(2)),
    unsignedInteger(serial),
    signatureAlgorithm,
    encodeName(request.issuer),
    sequence(x509Time(new Date(now.getTime() - HOUR_MS)), x509Time(new Date(now.getTime() + request.validForMs))),
    encodeName(request.subject),
    request.subjectPublicKey.export({ type: 'spki', format: 'der' }),
    explicitTag(3, sequence(...extensions)),
  );
  const signature = sign('sha256', tbsCertificate, request.issuerPrivateKey);
  return toPem(sequence(tbsCertificate, signatureAlgorithm, bitString(signature)));
}
