import { InvalidBolt11Error } from '../errors';
import { toHex, wordsToBigInt, wordsToBytes } from './words';

/** An on-chain address to fall back to: its BOLT11 version (0–16 witness, 17 P2PKH, 18 P2SH) and program or hash. */
export interface FallbackAddress {
  version: number;
  program: string;
}

/** One hop of a private route hint (`r`). */
export interface RouteHop {
  pubkey: string;
  shortChannelId: string;
  feeBaseMsat: number;
  feeProportionalMillionths: number;
  cltvExpiryDelta: number;
}

export interface TaggedFields {
  paymentHash: string | null;
  paymentSecret: string | null;
  description: string | null;
  descriptionHash: string | null;
  expirySec: number | null;
  minFinalCltvExpiry: number | null;
  /** The `n` field's 33-byte key, hex. */
  payee: string | null;
  fallbacks: FallbackAddress[];
  routes: RouteHop[][];
  /** Numbers of the feature bits set in `9` (bit 0 is the least significant); null without one. */
  featureBits: number[] | null;
}

/** BOLT11's field types, by the 5-bit value of their tag letter. */
const Tag = {
  paymentHash: 1, // p
  routeHint: 3, // r
  features: 5, // 9
  expiry: 6, // x
  fallback: 9, // f
  description: 13, // d
  paymentSecret: 16, // s
  payee: 19, // n
  descriptionHash: 23, // h
  minFinalCltvExpiry: 24, // c
} as const;

/** Words a 256-bit value takes (p, h, s) and a 33-byte key takes (n): fields of other lengths are skipped. */
const HASH_WORDS = 52;
const PUBKEY_WORDS = 53;
const HOP_BYTES = 33 + 8 + 4 + 4 + 2;
/** Fallback versions 19–31 are reserved for future address kinds: skipped, as BOLT11 says. */
const LAST_KNOWN_FALLBACK_VERSION = 18;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads the tagged fields between the timestamp and the signature. Where a field appears
 * more than once, the first usable one is kept (BOLT11: the most preferred comes first).
 */
export function parseTaggedFields(words: readonly number[]): TaggedFields {
  const fields: TaggedFields = {
    paymentHash: null,
    paymentSecret: null,
    description: null,
    descriptionHash: null,
    expirySec: null,
    minFinalCltvExpiry: null,
    payee: null,
    fallbacks: [],
    routes: [],
    featureBits: null,
  };
  let position = 0;
  while (position < words.length) {
    if (position + 3 > words.length) throw new InvalidBolt11Error('bolt11 ends inside a field header');
    const tag = words[position]!;
    const length = words[position + 1]! * 32 + words[position + 2]!;
    const data = words.slice(position + 3, position + 3 + length);
    if (data.length !== length) throw new InvalidBolt11Error('bolt11 has a field longer than the invoice');
    position += 3 + length;
    readField(fields, tag, data);
  }
  return fields;
}

function readField(fields: TaggedFields, tag: number, data: number[]): void {
  switch (tag) {
    case Tag.paymentHash:
      if (data.length === HASH_WORDS) fields.paymentHash ??= toHex(wordsToBytes(data, false));
      return;
    case Tag.paymentSecret:
      if (data.length === HASH_WORDS) fields.paymentSecret ??= toHex(wordsToBytes(data, false));
      return;
    case Tag.descriptionHash:
      if (data.length === HASH_WORDS) fields.descriptionHash ??= toHex(wordsToBytes(data, false));
      return;
    case Tag.payee:
      if (data.length === PUBKEY_WORDS) fields.payee ??= toHex(wordsToBytes(data, false));
      return;
    case Tag.description:
      fields.description ??= readUtf8(data);
      return;
    case Tag.expiry:
      fields.expirySec ??= readSafeInteger(data, 'expiry');
      return;
    case Tag.minFinalCltvExpiry:
      fields.minFinalCltvExpiry ??= readSafeInteger(data, 'min_final_cltv_expiry');
      return;
    case Tag.fallback: {
      const fallback = readFallback(data);
      if (fallback) fields.fallbacks.push(fallback);
      return;
    }
    case Tag.routeHint:
      fields.routes.push(readRoute(data));
      return;
    case Tag.features:
      fields.featureBits ??= readFeatureBits(data);
      return;
    default:
    // Unknown fields are skipped: BOLT11's way of staying extensible.
  }
}

function readUtf8(data: number[]): string {
  try {
    return utf8.decode(wordsToBytes(data, false));
  } catch (error) {
    throw new InvalidBolt11Error('bolt11 description is not UTF-8', { cause: error });
  }
}

function readSafeInteger(data: number[], name: string): number {
  const value = wordsToBigInt(data);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new InvalidBolt11Error(`bolt11 ${name} is out of range`);
  return Number(value);
}

function readFallback(data: number[]): FallbackAddress | null {
  if (data.length === 0) throw new InvalidBolt11Error('bolt11 has an empty fallback address');
  const version = data[0]!;
  if (version > LAST_KNOWN_FALLBACK_VERSION) return null;
  const program = wordsToBytes(data.slice(1), false);
  const fits = version >= 17 ? program.length === 20 : version === 0 ? program.length === 20 || program.length === 32 : program.length >= 2 && program.length <= 40;
  if (!fits) throw new InvalidBolt11Error('bolt11 has a malformed fallback address');
  return { version, program: toHex(program) };
}

function readRoute(data: number[]): RouteHop[] {
  const bytes = wordsToBytes(data, false);
  if (bytes.length === 0 || bytes.length % HOP_BYTES !== 0) throw new InvalidBolt11Error('bolt11 has a malformed route hint');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hops: RouteHop[] = [];
  for (let offset = 0; offset < bytes.length; offset += HOP_BYTES) {
    hops.push({
      pubkey: toHex(bytes.subarray(offset, offset + 33)),
      shortChannelId: toHex(bytes.subarray(offset + 33, offset + 41)),
      feeBaseMsat: view.getUint32(offset + 41),
      feeProportionalMillionths: view.getUint32(offset + 45),
      cltvExpiryDelta: view.getUint16(offset + 49),
    });
  }
  return hops;
}

function readFeatureBits(data: number[]): number[] {
  const bits: number[] = [];
  data.forEach((word, index) => {
    const lowestBit = (data.length - 1 - index) * 5;
    for (let bit = 0; bit < 5; bit++) if (word & (1 << bit)) bits.push(lowestBit + bit);
  });
  return bits.sort((a, b) => a - b);
}
