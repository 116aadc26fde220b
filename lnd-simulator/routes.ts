import type { DecodedInvoice } from './bolt11-codec';
import { SIMULATED_BLOCK_HEIGHT, SIMULATED_CHANNEL } from './channels';
import type { RouteHopRecord } from './state/records';

/** The CLTV delta the simulated peer asks for when it forwards. */
const PEER_CLTV_DELTA = 40;

export interface SimulatedRoute {
  hops: RouteHopRecord[];
  totalTimeLock: number;
  totalAmountMsat: number;
  totalFeesMsat: number;
}

function finalHop(invoice: DecodedInvoice, pubkey: string, amountMsat: number): RouteHopRecord {
  return {
    chanId: SIMULATED_CHANNEL.chanId,
    pubkey,
    amountToForwardMsat: amountMsat,
    feeMsat: 0,
    expiryHeight: SIMULATED_BLOCK_HEIGHT + invoice.cltvExpiry,
    mpp: invoice.paymentSecret ? { paymentAddr: invoice.paymentSecret, totalAmountMsat: amountMsat } : null,
  };
}

/**
 * A payment to the outside network goes over our one channel to the peer,
 * which stands for the whole network: one hop. The outside invoice's fee is
 * charged on the route as a whole (LND would show it on an intermediate hop).
 */
export function routeToPeer(invoice: DecodedInvoice, peerPubkey: string, amountMsat: number, feeMsat: number): SimulatedRoute {
  const hop = finalHop(invoice, peerPubkey, amountMsat);
  return { hops: [hop], totalTimeLock: hop.expiryHeight, totalAmountMsat: amountMsat + feeMsat, totalFeesMsat: feeMsat };
}

/** A self-payment leaves over the channel and comes back through the peer, which forwards for free. */
export function circularRoute(invoice: DecodedInvoice, peerPubkey: string, ourPubkey: string, amountMsat: number): SimulatedRoute {
  const last = finalHop(invoice, ourPubkey, amountMsat);
  const viaPeer: RouteHopRecord = {
    chanId: SIMULATED_CHANNEL.chanId,
    pubkey: peerPubkey,
    amountToForwardMsat: amountMsat,
    feeMsat: 0,
    expiryHeight: last.expiryHeight,
    mpp: null,
  };
  return {
    hops: [viaPeer, last],
    totalTimeLock: last.expiryHeight + PEER_CLTV_DELTA,
    totalAmountMsat: amountMsat,
    totalFeesMsat: 0,
  };
}
