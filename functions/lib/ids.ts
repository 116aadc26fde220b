import { randomBytes } from 'node:crypto';

export const IdPrefix = {
  merchant: 'mch',
  account: 'acct',
  invoice: 'inv',
  withdrawal: 'wd',
  transfer: 'tr',
  webhookEndpoint: 'we',
  event: 'evt',
  ledgerEntry: 'led',
  delivery: 'dlv',
} as const;
export type IdPrefix = (typeof IdPrefix)[keyof typeof IdPrefix];

// Crockford base32 in lower case: its characters sort in the same order as their values,
// so ids sort by creation time.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const RANDOM_BYTES = 16;

/**
 * `<prefix>_` + 48 bits of milliseconds + 128 random bits, base32: sortable by creation
 * time (lists come out newest first straight from the index) and unguessable.
 */
export function newId(prefix: IdPrefix, nowMs: number = Date.now()): string {
  return idFrom(prefix, nowMs, randomBytes(RANDOM_BYTES));
}

/**
 * Like newId, with the 128 "random" bits supplied by the caller: an idempotent request
 * derives them from a secret seed kept with its Idempotency-Key, so a retry of an
 * interrupted request writes the very same object ids and the tables' `attribute_not_exists`
 * conditions make the second write a no-op instead of a second transfer or payout.
 */
export function idFrom(prefix: IdPrefix, nowMs: number, random: Uint8Array): string {
  if (random.length < RANDOM_BYTES) throw new RangeError(`an id needs ${RANDOM_BYTES} random bytes`);
  const bytes = Buffer.alloc(6 + RANDOM_BYTES);
  bytes.writeUIntBE(nowMs, 0, 6);
  Buffer.from(random.subarray(0, RANDOM_BYTES)).copy(bytes, 6);
  return `${prefix}_${base32(bytes)}`;
}

/** `<prefix>_` + 36 base32 characters (22 bytes): the shape every id of newId has. */
export function isIdOf(prefix: IdPrefix, value: string): boolean {
  return new RegExp(`^${prefix}_[${ALPHABET}]{36}$`).test(value);
}

export function hasPrefix(id: string, prefix: IdPrefix): boolean {
  return id.startsWith(`${prefix}_`);
}

function base32(bytes: Buffer): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}
