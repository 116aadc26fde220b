import {
  type ClnDecodedInvoice,
  type ClnFunds,
  type ClnInvoice,
  ClnInvoiceStatus,
  type ClnNodeInfo,
  ClnOutputStatus,
  type ClnPay,
  ClnPayStatus,
} from '../../cln/types';
import { FailureReason } from '../../withdrawals/withdrawal';
import { NodeError } from '../node-errors';
import {
  type ChannelBalance,
  type DecodedInvoice,
  type NodeInfo,
  type NodeInvoice,
  NodeInvoiceState,
  NodePaymentStatus,
  type OnchainBalance,
  type PaymentUpdate,
} from '../node-types';

// Imports only the client's types, not its barrel (which loads grpc-js): the light invoice
// node that API functions bundle reads answers through these functions too.

/** Core Lightning names mainnet "bitcoin"; the port speaks LND's names. */
const NETWORKS: Record<string, string> = { bitcoin: 'mainnet' };

/** BOLT11's expiry when the invoice carries none. */
const DEFAULT_BOLT11_EXPIRY_SEC = 3_600;

/** A channel both sides can use: lightningd's CHANNELD_NORMAL, as cln-grpc names it. */
const NORMAL_CHANNEL_STATE = 'ChanneldNormal';

export function networkFromCln(network: string): string {
  return NETWORKS[network] ?? network;
}

export function nodeInfoFromCln(info: ClnNodeInfo): NodeInfo {
  return {
    pubkey: info.id,
    network: networkFromCln(info.network),
    // lightningd sets a warning while it or bitcoind is still catching up with the chain.
    synced: info.warningBitcoindSync === null && info.warningLightningdSync === null,
    blockHeight: info.blockheight,
    alias: info.alias,
    version: info.version,
    activeChannels: info.numActiveChannels,
    peers: info.numPeers,
  };
}

const INVOICE_STATES: Record<ClnInvoiceStatus, NodeInvoiceState> = {
  [ClnInvoiceStatus.Unpaid]: NodeInvoiceState.open,
  [ClnInvoiceStatus.Paid]: NodeInvoiceState.settled,
  [ClnInvoiceStatus.Expired]: NodeInvoiceState.canceled,
};

export function invoiceFromCln(invoice: ClnInvoice): NodeInvoice {
  const settled = invoice.status === ClnInvoiceStatus.Paid;
  return {
    paymentHash: invoice.paymentHash,
    // A status this code does not know yet is treated as still payable: never as paid.
    state: INVOICE_STATES[invoice.status] ?? NodeInvoiceState.open,
    preimage: invoice.paymentPreimage,
    amountPaidMsat: settled ? (invoice.amountReceivedMsat ?? 0) : 0,
    settledAtSec: settled ? invoice.paidAtSec : null,
    settleIndex: settled ? (invoice.payIndex ?? 0) : 0,
    addIndex: invoice.createdIndex,
  };
}

/** A WaitAnyInvoice answer that is a settlement: paid, with its pay_index. Anything else (an expired invoice) is not. */
export function settlementFromCln(invoice: ClnInvoice): NodeInvoice | undefined {
  return invoice.status === ClnInvoiceStatus.Paid && (invoice.payIndex ?? 0) > 0 ? invoiceFromCln(invoice) : undefined;
}

/**
 * The attempt trackPayment follows: the newest ListPays entry of the hash. listpays lists
 * oldest first; created_index orders them when the node gives it.
 */
export function latestPay(pays: readonly ClnPay[]): { pay: ClnPay; paymentIndex: number } | undefined {
  let latest: { pay: ClnPay; paymentIndex: number } | undefined;
  pays.forEach((pay, position) => {
    const paymentIndex = pay.createdIndex ?? position + 1;
    if (!latest || paymentIndex >= latest.paymentIndex) latest = { pay, paymentIndex };
  });
  return latest;
}

/**
 * A ListPays entry as a payment update. Only `complete` and `failed` are final; `pending`
 * (or a status this code does not know) may still move money. listpays keeps no failure
 * reason, so a failed entry says `error`.
 */
export function paymentFromClnPay(pay: ClnPay, paymentIndex: number): PaymentUpdate {
  const status =
    pay.status === ClnPayStatus.Complete ? NodePaymentStatus.succeeded : pay.status === ClnPayStatus.Failed ? NodePaymentStatus.failed : NodePaymentStatus.inFlight;
  const succeeded = status === NodePaymentStatus.succeeded;
  return {
    paymentHash: pay.paymentHash,
    status,
    failureReason: status === NodePaymentStatus.failed ? FailureReason.error : null,
    feeMsat: succeeded ? feeOf(pay.amountMsat, pay.amountSentMsat) : 0,
    preimage: succeeded ? pay.preimage : null,
    paymentIndex,
  };
}

/** What was sent beyond the amount delivered; 0 when either is unknown. */
export function feeOf(amountMsat: number | null, amountSentMsat: number | null): number {
  if (amountMsat === null || amountSentMsat === null) return 0;
  return Math.max(0, amountSentMsat - amountMsat);
}

export function decodedFromCln(decoded: ClnDecodedInvoice): DecodedInvoice {
  if (!decoded.valid || decoded.paymentHash === null || decoded.payee === null) {
    throw new NodeError('Core Lightning could not read this as a payable BOLT11', { operation: 'decode', details: decoded.itemType });
  }
  return {
    paymentHash: decoded.paymentHash,
    payee: decoded.payee,
    amountMsat: decoded.amountMsat,
    description: decoded.description ?? '',
    descriptionHash: decoded.descriptionHash,
    createdAtSec: decoded.createdAtSec ?? 0,
    expirySec: decoded.expirySec ?? DEFAULT_BOLT11_EXPIRY_SEC,
  };
}

/**
 * Channels in normal operation, each side's balance as lightningd keeps it. ListFunds'
 * `our_amount_msat` is our_msat and `amount_msat` the funding amount, so the difference is
 * the peer's balance (where lightningd's own receivable_msat starts). Neither is net of the
 * commitment fee, which comes out of the opener's side: LND's local/remote balances are. For
 * a channel we opened, inbound is what LND reports and outbound exceeds it by the fee; for
 * one the peer opened, the other way round. ListFunds tells neither the opener nor the fee
 * (ListPeerChannels' `opener` and `last_tx_fee_msat` do). Reserves count on both, as on LND.
 */
export function channelBalanceFromCln(funds: ClnFunds): ChannelBalance {
  let outboundMsat = 0;
  let inboundMsat = 0;
  for (const channel of funds.channels) {
    if (channel.state !== NORMAL_CHANNEL_STATE) continue;
    outboundMsat += channel.ourAmountMsat;
    inboundMsat += Math.max(0, channel.amountMsat - channel.ourAmountMsat);
  }
  return { outboundMsat, inboundMsat };
}

/** Unspent outputs: confirmed or not yet; spent and immature ones are not spendable. */
export function onchainBalanceFromCln(funds: ClnFunds): OnchainBalance {
  let confirmedMsat = 0;
  let unconfirmedMsat = 0;
  for (const output of funds.outputs) {
    if (output.status === ClnOutputStatus.Confirmed) confirmedMsat += output.amountMsat;
    else if (output.status === ClnOutputStatus.Unconfirmed) unconfirmedMsat += output.amountMsat;
  }
  return { confirmedMsat, unconfirmedMsat };
}
