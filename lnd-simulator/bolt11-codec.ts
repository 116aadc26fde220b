import bolt11 from 'bolt11';
import { int64ToNumber } from '../functions/lib/lnd/int64';

export const REGTEST_NETWORK = {
  bech32: 'bcrt',
  pubKeyHash: 0x6f,
  scriptHash: 0xc4,
  validWitnessVersions: [0, 1],
};

// BOLT11's default when an invoice carries no expiry field.
const DEFAULT_BOLT11_EXPIRY_SEC = 3600;
const DEFAULT_BOLT11_MIN_FINAL_CLTV = 18;

export interface InvoiceFields {
  paymentHash: string;
  paymentSecret: string;
  /** null for an amountless invoice. */
  amountMsat: number | null;
  description?: string;
  descriptionHash?: string;
  expirySec: number;
  cltvExpiry: number;
  timestampSec: number;
}

/** Encodes a regtest BOLT11 and signs it with the node key, with LND's usual feature bits. */
export function encodeSignedInvoice(fields: InvoiceFields, privateKey: Buffer): string {
  const tags: { tagName: string; data: unknown }[] = [
    { tagName: 'payment_hash', data: fields.paymentHash },
    { tagName: 'payment_secret', data: fields.paymentSecret },
    fields.descriptionHash
      ? { tagName: 'purpose_commit_hash', data: fields.descriptionHash }
      : { tagName: 'description', data: fields.description ?? '' },
    { tagName: 'expire_time', data: fields.expirySec },
    { tagName: 'min_final_cltv_expiry', data: fields.cltvExpiry },
    {
      tagName: 'feature_bits',
      data: {
        word_length: 4,
        var_onion_optin: { required: true, supported: true },
        payment_secret: { required: true, supported: true },
        basic_mpp: { required: false, supported: true },
      },
    },
  ];
  const unsigned = bolt11.encode(
    {
      network: REGTEST_NETWORK,
      timestamp: fields.timestampSec,
      ...(fields.amountMsat === null ? {} : { millisatoshis: String(fields.amountMsat) }),
      tags: tags as never,
    },
    false,
  );
  const signed = bolt11.sign(unsigned, privateKey);
  if (!signed.paymentRequest) throw new Error('bolt11 signing produced no payment request');
  return signed.paymentRequest;
}

export interface DecodedInvoice {
  paymentRequest: string;
  /** bech32 human-readable network part, "bcrt" for regtest. */
  network: string;
  payee: string;
  paymentHash: string;
  paymentSecret: string | null;
  amountMsat: number | null;
  timestampSec: number;
  expirySec: number;
  description: string;
  descriptionHash: string | null;
  cltvExpiry: number;
}

/** Decodes and checks the signature; throws for anything that is not a valid BOLT11. */
export function decodeInvoice(paymentRequest: string): DecodedInvoice {
  const decoded = bolt11.decode(paymentRequest);
  const tags = decoded.tagsObject;
  if (!tags.payment_hash) throw new Error('payment request has no payment hash');
  if (!decoded.payeeNodeKey) throw new Error('payment request has no payee');
  return {
    paymentRequest,
    network: decoded.network?.bech32 ?? '',
    payee: decoded.payeeNodeKey,
    paymentHash: tags.payment_hash,
    paymentSecret: tags.payment_secret ?? null,
    amountMsat: decoded.millisatoshis ? int64ToNumber(decoded.millisatoshis, 'amount') : null,
    timestampSec: decoded.timestamp ?? 0,
    expirySec: tags.expire_time ?? DEFAULT_BOLT11_EXPIRY_SEC,
    description: tags.description ?? '',
    descriptionHash: tags.purpose_commit_hash ?? null,
    cltvExpiry: tags.min_final_cltv_expiry ?? DEFAULT_BOLT11_MIN_FINAL_CLTV,
  };
}
