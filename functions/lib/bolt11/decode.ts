import { bech32 } from '@scure/base';
import { InvalidBolt11Error } from '../errors';
import { parseAmountMsat } from './amount';
import { payeeOf, SIGNATURE_WORDS } from './signature';
import type { FallbackAddress, RouteHop } from './tagged-fields';
import { parseTaggedFields } from './tagged-fields';
import { wordsToBigInt } from './words';

export type { FallbackAddress, RouteHop } from './tagged-fields';

/** BOLT11's defaults for the fields an invoice may leave out. */
export const DEFAULT_EXPIRY_SEC = 3_600;
export const DEFAULT_MIN_FINAL_CLTV_EXPIRY = 18;

/** The BIP-0173 currency prefixes understood (BOLT11: fail on any other). Longest first. */
const CURRENCY_PREFIXES = ['bcrt', 'bc', 'tbs', 'tb', 'sb'] as const;
const HRP_SHAPE = /^ln([a-z]+?)(?:(\d+)([a-z])?)?$/;
const TIMESTAMP_WORDS = 7;
/**
 * BOLT11 lifts bech32's 90-character limit; this bound (what a QR code can hold) only keeps a
 * hostile string from costing more than a real invoice could.
 */
const MAX_INVOICE_CHARS = 7_089;

export interface Bolt11Invoice {
  /** The currency part of the prefix: "bc", "tb", "tbs", "bcrt" or "sb". */
  currency: string;
  /** null when the invoice names no amount. */
  amountMsat: bigint | null;
  timestampSec: number;
  paymentHash: string;
  paymentSecret: string | null;
  description: string | null;
  descriptionHash: string | null;
  /** The invoice's `x`, or BOLT11's default. */
  expirySec: number;
  /** The invoice's `c`, or BOLT11's default. */
  minFinalCltvExpiry: number;
  /** The node that signed it: the `n` field's key, verified, or the key recovered from the signature. */
  payee: string;
  featureBits: number[];
  fallbacks: FallbackAddress[];
  routes: RouteHop[][];
}

/** Decodes a BOLT11 payment request and checks its signature; anything malformed is an InvalidBolt11Error. */
export function decodeBolt11(paymentRequest: string): Bolt11Invoice {
  const decoded = bech32.decodeUnsafe(paymentRequest, MAX_INVOICE_CHARS);
  if (!decoded) throw new InvalidBolt11Error('bolt11 is not bech32 (or its checksum is wrong)');
  const { prefix: hrp, words } = decoded;
  const hrpParts = HRP_SHAPE.exec(hrp);
  const currency = CURRENCY_PREFIXES.find((known) => known === hrpParts?.[1]);
  if (!hrpParts || !currency) throw new InvalidBolt11Error('bolt11 prefix is not a known ln currency');
  const amountMsat = parseAmountMsat(hrpParts[2], hrpParts[3]);

  if (words.length < TIMESTAMP_WORDS + SIGNATURE_WORDS) throw new InvalidBolt11Error('bolt11 is too short');
  const signedWords = words.slice(0, -SIGNATURE_WORDS);
  const fields = parseTaggedFields(signedWords.slice(TIMESTAMP_WORDS));
  if (fields.paymentHash === null) throw new InvalidBolt11Error('bolt11 has no payment hash');
  const payee = payeeOf(hrp, signedWords, words.slice(-SIGNATURE_WORDS), fields.payee);

  return {
    currency,
    amountMsat,
    timestampSec: Number(wordsToBigInt(signedWords.slice(0, TIMESTAMP_WORDS))),
    paymentHash: fields.paymentHash,
    paymentSecret: fields.paymentSecret,
    description: fields.description,
    descriptionHash: fields.descriptionHash,
    expirySec: fields.expirySec ?? DEFAULT_EXPIRY_SEC,
    minFinalCltvExpiry: fields.minFinalCltvExpiry ?? DEFAULT_MIN_FINAL_CLTV_EXPIRY,
    payee,
    featureBits: fields.featureBits ?? [],
    fallbacks: fields.fallbacks,
    routes: fields.routes,
  };
}
