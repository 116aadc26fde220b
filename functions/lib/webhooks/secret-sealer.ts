import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * What a sealed secret is bound to. KMS binds it to the encrypted data key (and logs it in
 * CloudTrail: never put a secret in it); we also bind it to the ciphertext as AES-GCM
 * additional data. A sealed value copied to another item opens only with that item's own
 * context, which it does not have, so it is refused.
 */
export type EncryptionContext = Readonly<Record<string, string>>;

/**
 * Envelope encryption in front of a key service: each secret gets its own AES-256 data
 * key, the secret is encrypted locally with AES-256-GCM, and only the data key, encrypted
 * by the key service, is stored beside it.
 */
export interface SecretSealer {
  seal(plaintext: string, context: EncryptionContext): Promise<string>;
  /** The plaintext; SecretRefusedError when the value was tampered with or the context is not its own. */
  open(sealed: string, context: EncryptionContext): Promise<string>;
}

/** What the delivery worker gets: it may open, never seal. */
export type SecretOpener = Pick<SecretSealer, 'open'>;

/** Makes and unwraps data keys: KMS in AWS (kms-sealer.ts), a master key in a file locally. */
export interface DataKeyService {
  generateDataKey(context: EncryptionContext): Promise<{ plaintextKey: Buffer; encryptedKey: Buffer }>;
  decryptDataKey(encryptedKey: Buffer, context: EncryptionContext): Promise<Buffer>;
}

/** A sealed value that does not open: tampered with, truncated, or bound to another item. */
export class SecretRefusedError extends Error {
  constructor(message = 'sealed secret refused: tampered with, or bound to another item', options?: ErrorOptions) {
    super(message, options);
    this.name = 'SecretRefusedError';
  }
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const B64URL = '[A-Za-z0-9_-]+';
/** `v1.<encrypted data key>.<iv>.<ciphertext>.<tag>`, each part base64url. */
const SEALED_SHAPE = new RegExp(`^${VERSION}\\.(${B64URL})\\.(${B64URL})\\.(${B64URL}|)\\.(${B64URL})$`);

/** The context as bytes, the same whatever the key order. */
function additionalData(context: EncryptionContext): Buffer {
  return Buffer.from(JSON.stringify(Object.keys(context).sort().map((name) => [name, context[name]])));
}

function gcmEncrypt(key: Buffer, plaintext: Buffer, aad: Buffer): { iv: Buffer; ciphertext: Buffer; tag: Buffer } {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

function gcmDecrypt(key: Buffer, parts: { iv: Buffer; ciphertext: Buffer; tag: Buffer }, aad: Buffer): Buffer {
  if (parts.iv.length !== IV_BYTES || parts.tag.length !== TAG_BYTES) throw new SecretRefusedError();
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, parts.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(parts.tag);
    return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]);
  } catch (error) {
    throw new SecretRefusedError(undefined, { cause: error });
  }
}

/** The envelope, whatever service keeps the master key. */
export function envelopeSealer(keys: DataKeyService): SecretSealer {
  return {
    async seal(plaintext, context) {
      const { plaintextKey, encryptedKey } = await keys.generateDataKey(context);
      try {
        const { iv, ciphertext, tag } = gcmEncrypt(plaintextKey, Buffer.from(plaintext, 'utf8'), additionalData(context));
        return [VERSION, encryptedKey, iv, ciphertext, tag].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
      } finally {
        plaintextKey.fill(0);
      }
    },
    async open(sealed, context) {
      const match = SEALED_SHAPE.exec(sealed);
      if (!match) throw new SecretRefusedError('sealed secret refused: not a sealed value');
      const [encryptedKey, iv, ciphertext, tag] = match.slice(1).map((part) => Buffer.from(part!, 'base64url')) as [Buffer, Buffer, Buffer, Buffer];
      const key = await keys.decryptDataKey(encryptedKey, context);
      try {
        return gcmDecrypt(key, { iv, ciphertext, tag }, additionalData(context)).toString('utf8');
      } finally {
        key.fill(0);
      }
    },
  };
}

/**
 * The local stack's key service: data keys wrapped with AES-256-GCM under a 32-byte master
 * key, the context as additional data, so a wrong context is refused as KMS refuses it.
 */
export function localDataKeyService(masterKey: Buffer): DataKeyService {
  if (masterKey.length !== KEY_BYTES) throw new Error(`the local master key must be ${KEY_BYTES} bytes, got ${masterKey.length}`);
  return {
    async generateDataKey(context) {
      const plaintextKey = randomBytes(KEY_BYTES);
      const { iv, ciphertext, tag } = gcmEncrypt(masterKey, plaintextKey, additionalData(context));
      return { plaintextKey, encryptedKey: Buffer.concat([iv, ciphertext, tag]) };
    },
    async decryptDataKey(encryptedKey, context) {
      if (encryptedKey.length !== IV_BYTES + KEY_BYTES + TAG_BYTES) throw new SecretRefusedError();
      const iv = encryptedKey.subarray(0, IV_BYTES);
      const ciphertext = encryptedKey.subarray(IV_BYTES, IV_BYTES + KEY_BYTES);
      const tag = encryptedKey.subarray(IV_BYTES + KEY_BYTES);
      return gcmDecrypt(masterKey, { iv, ciphertext, tag }, additionalData(context));
    },
  };
}

/** The local sealer: the same envelope as in AWS, the master key given (a file under DATA_DIR, or a test's). */
export function localSecretSealer(masterKey: Buffer): SecretSealer {
  return envelopeSealer(localDataKeyService(masterKey));
}

export interface OpenCacheOptions {
  /** @default 300000 (5 minutes) */
  ttlMs?: number;
  /** @default 1000 */
  maxEntries?: number;
  /** @default Date.now */
  nowMs?: () => number;
}

/**
 * Opens through a small in-memory cache. Why: every delivery attempt signs, and without
 * the cache each would be one KMS Decrypt (a few ms, billed, and under an account-wide
 * request quota a fan-out burst could exhaust). Five minutes bounds how long a plaintext
 * stays in a warm Lambda's memory; the key is the sealed value itself, so a replaced
 * secret is never confused with the old one, and a deleted endpoint is never signed for
 * (the worker reads the endpoint item first).
 */
export function cachedOpener(opener: SecretOpener, options: OpenCacheOptions = {}): SecretOpener {
  const ttlMs = options.ttlMs ?? 300_000;
  const maxEntries = options.maxEntries ?? 1_000;
  const nowMs = options.nowMs ?? Date.now;
  const entries = new Map<string, { plaintext: string; expiresAtMs: number }>();
  return {
    async open(sealed, context) {
      const cacheKey = `${sealed}\n${additionalData(context).toString('utf8')}`;
      const hit = entries.get(cacheKey);
      if (hit && hit.expiresAtMs > nowMs()) return hit.plaintext;
      entries.delete(cacheKey);
      const plaintext = await opener.open(sealed, context);
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(cacheKey, { plaintext, expiresAtMs: nowMs() + ttlMs });
      return plaintext;
    },
  };
}
