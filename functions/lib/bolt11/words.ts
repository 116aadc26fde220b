/** Bech32 data arrives as 5-bit words; BOLT11 packs bytes and integers into them, most significant bit first. */

/**
 * Packs words into bytes. `padToByte` keeps a last partial byte, filled with zero bits (how
 * the signed message is formed); otherwise the leftover bits, a field's padding, are dropped.
 */
export function wordsToBytes(words: readonly number[], padToByte: boolean): Uint8Array {
  const bytes = new Uint8Array(padToByte ? Math.ceil((words.length * 5) / 8) : Math.floor((words.length * 5) / 8));
  let accumulator = 0;
  let bits = 0;
  let index = 0;
  for (const word of words) {
    accumulator = ((accumulator << 5) | word) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes[index++] = (accumulator >> bits) & 0xff;
    }
  }
  if (padToByte && bits > 0) bytes[index] = (accumulator << (8 - bits)) & 0xff;
  return bytes;
}

/** A big-endian unsigned integer of any width (a bigint: a field may be longer than 53 bits). */
export function wordsToBigInt(words: readonly number[]): bigint {
  let value = 0n;
  for (const word of words) value = (value << 5n) | BigInt(word);
  return value;
}

export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
