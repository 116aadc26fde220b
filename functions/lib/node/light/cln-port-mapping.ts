import { type ClnInvoice, ClnInvoiceStatus, type ClnNodeInfo } from '../../cln/types';
import { type NodeInfo, type NodeInvoice, NodeInvoiceState } from '../node-types';

// The port's reading of Core Lightning's answers, as node/cln/cln-node-mapping.ts does it (that
// file reaches the client through its barrel, which bundles grpc-js).

/** Core Lightning's "bitcoin" is the port's "mainnet". */
const NETWORKS: Readonly<Record<string, string>> = { bitcoin: 'mainnet' };

const INVOICE_STATES: Record<ClnInvoiceStatus, NodeInvoiceState> = {
  [ClnInvoiceStatus.Unpaid]: NodeInvoiceState.open,
  [ClnInvoiceStatus.Paid]: NodeInvoiceState.settled,
  [ClnInvoiceStatus.Expired]: NodeInvoiceState.canceled,
};

export function nodeInfoOfCln(info: ClnNodeInfo): NodeInfo {
  return {
    pubkey: info.id,
    network: NETWORKS[info.network] ?? info.network,
    // lightningd warns while it or bitcoind is still catching up with the chain.
    synced: info.warningBitcoindSync === null && info.warningLightningdSync === null,
    blockHeight: info.blockheight,
    alias: info.alias,
    version: info.version,
    activeChannels: info.numActiveChannels,
    peers: info.numPeers,
  };
}

export function invoiceOfCln(invoice: ClnInvoice): NodeInvoice {
  const paid = invoice.status === ClnInvoiceStatus.Paid;
  return {
    paymentHash: invoice.paymentHash,
    state: INVOICE_STATES[invoice.status] ?? NodeInvoiceState.open,
    preimage: invoice.paymentPreimage,
    amountPaidMsat: paid ? (invoice.amountReceivedMsat ?? 0) : 0,
    settledAtSec: paid ? invoice.paidAtSec : null,
    settleIndex: paid ? (invoice.payIndex ?? 0) : 0,
    addIndex: invoice.createdIndex,
  };
}
