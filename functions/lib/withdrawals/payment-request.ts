import { decodeBolt11 } from '../bolt11/decode';
import { AmountMismatchError, AmountOutOfRangeError, AmountRequiredError, InvoiceExpiredError, WrongNetworkError } from '../errors';

/** The bech32 part of a BOLT11 prefix (`ln` + this + amount) for each of LND's network names. */
export const BOLT11_NETWORK_PREFIX: Record<string, string> = {
  mainnet: 'bc',
  testnet: 'tb',
  testnet4: 'tb',
  signet: 'tbs',
  regtest: 'bcrt',
  simnet: 'sb',
};

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
  const invoice = decodeBolt11(bolt11);
  return {
    networkPrefix: invoice.currency,
    paymentHash: invoice.paymentHash,
    // An amount of zero is LND's "any amount", as if none were given.
    amountMsat: invoice.amountMsat === 0n ? null : invoice.amountMsat,
    payee: invoice.payee,
    expiresAtMs: (invoice.timestampSec + invoice.expirySec) * 1000,
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
