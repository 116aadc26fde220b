import { decode } from 'bolt11';
import { AmountMismatchError, AmountOutOfRangeError, AmountRequiredError, InvalidBolt11Error, InvoiceExpiredError, WrongNetworkError } from '../errors';

/** BOLT11's default expiry when the invoice carries none. */
const DEFAULT_EXPIRY_SEC = 3_600;

/** The bech32 part of a BOLT11 prefix (`ln` + this + amount) for each of LND's network names. */
export const BOLT11_NETWORK_PREFIX: Record<string, string> = {
  mainnet: 'bc',
  testnet: 'tb',
  testnet4: 'tb',
  signet: 'tbs',
  regtest: 'bcrt',
  simnet: 'sb',
};

// Longest first: "bcrt" before "bc", "tbs" before "tb".
const PREFIX_SHAPE = /^ln(bcrt|bc|tbs|tb|sb)(\d+[munp]?)?$/;

export interface DecodedPaymentRequest {
  /** The bech32 network part of the prefix: "bc", "bcrt", ... */
  networkPrefix: string;
  paymentHash: string;
  /** null for an amountless invoice; a bigint because a BOLT11 can ask for more than a safe integer. */
  amountMsat: bigint | null;
  /** The node that issued it (signature or `n` field). */
  payee: string;
  expiresAtMs: number;
}

/** Decodes and verifies a BOLT11 (signature included); anything that is not one is `invalid_bolt11`. */
export function decodePaymentRequest(bolt11: string): DecodedPaymentRequest {
  const lower = bolt11.toLowerCase();
  const separator = lower.lastIndexOf('1');
  const prefix = separator > 0 ? PREFIX_SHAPE.exec(lower.slice(0, separator)) : null;
  if (!prefix) throw new InvalidBolt11Error();
  const networkPrefix = prefix[1]!;
  let decoded: ReturnType<typeof decode>;
  try {
    decoded = decode(bolt11, { bech32: networkPrefix, pubKeyHash: 0, scriptHash: 0, validWitnessVersions: [0, 1] });
  } catch (error) {
    throw new InvalidBolt11Error(undefined, { cause: error });
  }
  const paymentHash = decoded.tagsObject.payment_hash;
  if (typeof paymentHash !== 'string' || !/^[0-9a-f]{64}$/.test(paymentHash)) throw new InvalidBolt11Error('bolt11 has no payment hash');
  if (typeof decoded.payeeNodeKey !== 'string' || typeof decoded.timestamp !== 'number') throw new InvalidBolt11Error();
  let amountMsat: bigint | null = null;
  if (decoded.millisatoshis !== undefined && decoded.millisatoshis !== null) {
    if (!/^\d+$/.test(decoded.millisatoshis)) throw new InvalidBolt11Error();
    const value = BigInt(decoded.millisatoshis);
    // An amount of zero is LND's "any amount", as if none were given.
    amountMsat = value === 0n ? null : value;
  }
  const expirySec = decoded.tagsObject.expire_time ?? DEFAULT_EXPIRY_SEC;
  return {
    networkPrefix,
    paymentHash,
    amountMsat,
    payee: decoded.payeeNodeKey,
    expiresAtMs: (decoded.timestamp + expirySec) * 1000,
  };
}

/** The contract's order after decoding: network, expiry, amount required, amount agreement. */
export function checkPaymentRequest(
  decoded: DecodedPaymentRequest,
  input: { nodeNetwork: string; now: Date; amountMsat: number | undefined },
): { amountMsat: number } {
  const expected = BOLT11_NETWORK_PREFIX[input.nodeNetwork];
  if (decoded.networkPrefix !== expected) {
    throw new WrongNetworkError(`bolt11 is an invoice for ln${decoded.networkPrefix}, but this service's node runs on ${input.nodeNetwork}`);
  }
  if (decoded.expiresAtMs <= input.now.getTime()) throw new InvoiceExpiredError();
  if (decoded.amountMsat === null) {
    if (input.amountMsat === undefined) throw new AmountRequiredError();
    return { amountMsat: input.amountMsat };
  }
  if (input.amountMsat !== undefined && BigInt(input.amountMsat) !== decoded.amountMsat) {
    throw new AmountMismatchError(`amount_msat ${input.amountMsat} does not match the invoice's ${decoded.amountMsat} msat`);
  }
  if (decoded.amountMsat > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new AmountOutOfRangeError('The invoice asks for more than this service can pay', { param: 'bolt11' });
  }
  return { amountMsat: Number(decoded.amountMsat) };
}
