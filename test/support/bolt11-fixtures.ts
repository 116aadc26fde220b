import bolt11 from 'bolt11';
import { randomBytes } from 'node:crypto';

const NETWORKS = {
  mainnet: { bech32: 'bc', pubKeyHash: 0x00, scriptHash: 0x05, validWitnessVersions: [0, 1] },
  testnet: { bech32: 'tb', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] },
  regtest: { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] },
} as const;

export interface SignedInvoiceOptions {
  network?: keyof typeof NETWORKS;
  /** Omit for an amountless invoice. */
  amountMsat?: number;
  paymentHash?: string;
  timestampSec?: number;
  /** null leaves the expiry field out (BOLT11's default, 3,600 s, applies). */
  expirySec?: number | null;
  /** A random node's key unless given. */
  privateKey?: Buffer;
}

/** A BOLT11 signed by a node of our choosing (not the simulator's): an outside payee. */
export function signInvoice(options: SignedInvoiceOptions = {}): { bolt11: string; paymentHash: string } {
  const paymentHash = options.paymentHash ?? randomBytes(32).toString('hex');
  const unsigned = bolt11.encode(
    {
      network: { ...NETWORKS[options.network ?? 'regtest'], validWitnessVersions: [0, 1] },
      timestamp: options.timestampSec ?? Math.floor(Date.now() / 1000),
      ...(options.amountMsat === undefined ? {} : { millisatoshis: String(options.amountMsat) }),
      tags: [
        { tagName: 'payment_hash', data: paymentHash },
        { tagName: 'payment_secret', data: randomBytes(32).toString('hex') },
        { tagName: 'description', data: 'test payee' },
        ...(options.expirySec === null ? [] : [{ tagName: 'expire_time', data: options.expirySec ?? 3600 }]),
        {
          tagName: 'feature_bits',
          data: { word_length: 4, var_onion_optin: { required: true, supported: true }, payment_secret: { required: true, supported: true } },
        },
      ] as never,
    },
    false,
  );
  const signed = bolt11.sign(unsigned, options.privateKey ?? randomPrivateKey());
  if (!signed.paymentRequest) throw new Error('signing produced no payment request');
  return { bolt11: signed.paymentRequest, paymentHash };
}

function randomPrivateKey(): Buffer {
  // Any 32 bytes below the curve order; a random value is (all but certainly) one.
  return randomBytes(32);
}
