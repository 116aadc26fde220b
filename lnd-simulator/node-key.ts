import { createECDH, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from './state/atomic-write';

export interface NodeKey {
  privateKey: Buffer;
  /** Compressed secp256k1 public key, hex: the node's identity pubkey. */
  pubkey: string;
}

/** Throws for keys outside the curve order, as secp256k1 requires. */
function fromPrivateKey(privateKey: Buffer): NodeKey {
  const ecdh = createECDH('secp256k1');
  ecdh.setPrivateKey(privateKey);
  return { privateKey, pubkey: ecdh.getPublicKey('hex', 'compressed') };
}

export function generateNodeKey(): NodeKey {
  for (;;) {
    try {
      return fromPrivateKey(randomBytes(32));
    } catch {
      // Astronomically rare: the random bytes were not a valid scalar.
    }
  }
}

/** A node identity kept across restarts, so old invoices still name this node. */
export function loadOrCreateNodeKey(filePath: string): NodeKey {
  if (existsSync(filePath)) {
    const privateKey = Buffer.from(readFileSync(filePath, 'utf8').trim(), 'hex');
    if (privateKey.length !== 32) throw new Error(`${filePath} does not hold a 32-byte secp256k1 private key`);
    return fromPrivateKey(privateKey);
  }
  const key = generateNodeKey();
  writeFileAtomic(filePath, `${key.privateKey.toString('hex')}\n`, 0o600);
  return key;
}
