import {
  type ChannelBalance as LndChannelBalance,
  type DecodedPaymentRequest,
  type Invoice,
  InvoiceState,
  type NodeInfo as LndNodeInfo,
  type Payment,
  PaymentFailureReason,
  PaymentStatus,
  type WalletBalance,
} from '../../lnd/types';
import { FailureReason } from '../../withdrawals/withdrawal';
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

const INVOICE_STATES: Record<InvoiceState, NodeInvoiceState> = {
  [InvoiceState.Open]: NodeInvoiceState.open,
  [InvoiceState.Settled]: NodeInvoiceState.settled,
  [InvoiceState.Canceled]: NodeInvoiceState.canceled,
  [InvoiceState.Accepted]: NodeInvoiceState.accepted,
};

const FAILURE_REASONS: Partial<Record<PaymentFailureReason, FailureReason>> = {
  [PaymentFailureReason.Timeout]: FailureReason.timeout,
  [PaymentFailureReason.NoRoute]: FailureReason.noRoute,
  [PaymentFailureReason.InsufficientBalance]: FailureReason.insufficientBalance,
  [PaymentFailureReason.IncorrectPaymentDetails]: FailureReason.incorrectPaymentDetails,
};

export function nodeInfoFromLnd(info: LndNodeInfo): NodeInfo {
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

export function invoiceFromLnd(invoice: Invoice): NodeInvoice {
  return {
    paymentHash: invoice.paymentHash,
    // A state this code does not know yet is treated as still payable: never as paid.
    state: INVOICE_STATES[invoice.state] ?? NodeInvoiceState.open,
    preimage: invoice.preimage,
    amountPaidMsat: invoice.amountPaidMsat,
    settledAtSec: invoice.settleDateSec,
    settleIndex: invoice.settleIndex,
    addIndex: invoice.addIndex,
  };
}

/** LND's SubscribeInvoices also announces new invoices; the paid-invoice stream carries settlements only. */
export function settlementFromLnd(invoice: Invoice): NodeInvoice | undefined {
  return invoice.state === InvoiceState.Settled && invoice.settleIndex > 0 ? invoiceFromLnd(invoice) : undefined;
}

/** Only SUCCEEDED and FAILED are final; UNKNOWN, INITIATED and IN_FLIGHT may still move money. */
export function paymentFromLnd(payment: Payment): PaymentUpdate {
  const status =
    payment.status === PaymentStatus.Succeeded ? NodePaymentStatus.succeeded : payment.status === PaymentStatus.Failed ? NodePaymentStatus.failed : NodePaymentStatus.inFlight;
  return {
    paymentHash: payment.paymentHash,
    status,
    failureReason: status === NodePaymentStatus.failed ? (FAILURE_REASONS[payment.failureReason] ?? FailureReason.error) : null,
    feeMsat: payment.feeMsat,
    preimage: payment.preimage,
    paymentIndex: payment.paymentIndex,
  };
}

export function decodedFromLnd(decoded: DecodedPaymentRequest): DecodedInvoice {
  return {
    paymentHash: decoded.paymentHash,
    payee: decoded.destination,
    // LND says 0 for an invoice without an amount.
    amountMsat: decoded.amountMsat === 0 ? null : decoded.amountMsat,
    description: decoded.description,
    descriptionHash: decoded.descriptionHash,
    createdAtSec: decoded.timestampSec,
    expirySec: decoded.expirySec,
  };
}

export function channelBalanceFromLnd(balance: LndChannelBalance): ChannelBalance {
  return { outboundMsat: balance.localMsat, inboundMsat: balance.remoteMsat };
}

export function onchainBalanceFromLnd(balance: WalletBalance): OnchainBalance {
  return { confirmedMsat: balance.confirmedSat * 1000, unconfirmedMsat: balance.unconfirmedSat * 1000 };
}
