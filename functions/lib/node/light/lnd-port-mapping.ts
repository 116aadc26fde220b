import { type Invoice, InvoiceState, type NodeInfo as LndNodeInfo } from '../../lnd/types';
import { type NodeInfo, type NodeInvoice, NodeInvoiceState } from '../node-types';

// The port's reading of LND's answers, as node/lnd/lnd-mapping.ts does it (that file reaches
// the LND client through its barrel, which bundles grpc-js).

const INVOICE_STATES: Record<InvoiceState, NodeInvoiceState> = {
  [InvoiceState.Open]: NodeInvoiceState.open,
  [InvoiceState.Settled]: NodeInvoiceState.settled,
  [InvoiceState.Canceled]: NodeInvoiceState.canceled,
  [InvoiceState.Accepted]: NodeInvoiceState.accepted,
};

export function nodeInfoOfLnd(info: LndNodeInfo): NodeInfo {
  return {
    pubkey: info.identityPubkey,
    network: info.network,
    synced: info.syncedToChain,
    blockHeight: info.blockHeight,
    alias: info.alias,
    version: info.version,
    activeChannels: info.numActiveChannels,
    peers: info.numPeers,
  };
}

export function invoiceOfLnd(invoice: Invoice): NodeInvoice {
  return {
    paymentHash: invoice.paymentHash,
    // An unknown state is still payable, never paid.
    state: INVOICE_STATES[invoice.state] ?? NodeInvoiceState.open,
    preimage: invoice.preimage,
    amountPaidMsat: invoice.amountPaidMsat,
    settledAtSec: invoice.settleDateSec,
    settleIndex: invoice.settleIndex,
    addIndex: invoice.addIndex,
  };
}
