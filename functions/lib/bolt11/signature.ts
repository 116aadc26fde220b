import { createHash } from 'node:crypto';
import { recoverPublicKey, verify } from '@noble/secp256k1';
import { InvalidBolt11Error } from '../errors';
import { toHex, wordsToBytes } from './words';

/** 520 bits: a 64-byte compact signature (r ‖ s), then the recovery id. */
export const SIGNATURE_WORDS = 104;

/**
 * The payee's node key, proven by the signature over sha256(hrp ‖ the data words before the
 * signature, zero-padded to a byte). With an `n` field the signature must verify against
 * that key (BOLT11: no recovery then); without one, the key is recovered from it.
 */
export function payeeOf(hrp: string, signedWords: readonly number[], signatureWords: readonly number[], claimedPayee: string | null): string {
  const signature = wordsToBytes(signatureWords, false);
  const recoveryId = signature[64]!;
  if (recoveryId > 3) throw new InvalidBolt11Error('bolt11 signature has an invalid recovery id');
  const digest = createHash('sha256').update(hrp, 'utf8').update(wordsToBytes(signedWords, true)).digest();
  // High-s signatures are accepted, as recovery accepts them: s's sign changes no signed content.
  const options = { prehash: false, lowS: false } as const;
  if (claimedPayee !== null) {
    if (!verify(signature.subarray(0, 64), digest, Buffer.from(claimedPayee, 'hex'), options)) {
      throw new InvalidBolt11Error('bolt11 signature does not match its payee');
    }
    return claimedPayee;
  }
  const recoveredFormat = new Uint8Array(65);
  recoveredFormat[0] = recoveryId;
  recoveredFormat.set(signature.subarray(0, 64), 1);
  try {
    return toHex(recoverPublicKey(recoveredFormat, digest, options));
  } catch (error) {
    throw new InvalidBolt11Error('bolt11 signature is not recoverable', { cause: error });
  }
}
