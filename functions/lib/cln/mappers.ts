import { msatOf, msatOrNull, uint64Of, uint64OrNull } from './amounts';
import { bytesToHex, bytesToHexOrNull } from './bytes';
import type {
  RawDecodeResponse,
  RawGetinfoResponse,
  RawInvoiceRecord,
  RawInvoiceResponse,
  RawListfundsChannel,
  RawListfundsOutput,
  RawListfundsResponse,
  RawListpaysPay,
  RawXpayResponse,
} from './proto-types';
import type {
  ClnCreatedInvoice,
  ClnDecodedInvoice,
  ClnFunds,
  ClnFundsChannel,
  ClnInvoice,
  ClnInvoiceStatus,
  ClnNodeInfo,
  ClnOutput,
  ClnOutputStatus,
  ClnPay,
  ClnPayStatus,
  ClnXpayResult,
} from './types';

const lower = <T extends string>(name: string): T => name.toLowerCase() as T;

export function nodeInfoFromProto(raw: RawGetinfoResponse): ClnNodeInfo {
  return {
    id: bytesToHex(raw.id),
    alias: raw.alias,
    color: bytesToHex(raw.color),
    numPeers: raw.num_peers,
    numPendingChannels: raw.num_pending_channels,
    numActiveChannels: raw.num_active_channels,
    numInactiveChannels: raw.num_inactive_channels,
    version: raw.version,
    lightningDir: raw.lightning_dir,
    blockheight: raw.blockheight,
    network: raw.network,
    feesCollectedMsat: msatOrNull(raw.fees_collected_msat, 'fees_collected_msat') ?? 0,
    warningBitcoindSync: raw.warning_bitcoind_sync ?? null,
    warningLightningdSync: raw.warning_lightningd_sync ?? null,
  };
}

function outputFromProto(raw: RawListfundsOutput): ClnOutput {
  return {
    txid: bytesToHex(raw.txid),
    output: raw.output,
    amountMsat: msatOf(raw.amount_msat, 'outputs.amount_msat'),
    scriptpubkey: bytesToHex(raw.scriptpubkey),
    address: raw.address ?? null,
    status: lower<ClnOutputStatus>(raw.status),
    blockheight: raw.blockheight ?? null,
    reserved: raw.reserved,
  };
}

function fundsChannelFromProto(raw: RawListfundsChannel): ClnFundsChannel {
  return {
    peerId: bytesToHex(raw.peer_id),
    ourAmountMsat: msatOf(raw.our_amount_msat, 'channels.our_amount_msat'),
    amountMsat: msatOf(raw.amount_msat, 'channels.amount_msat'),
    fundingTxid: bytesToHex(raw.funding_txid),
    fundingOutput: raw.funding_output,
    connected: raw.connected,
    state: raw.state,
    shortChannelId: raw.short_channel_id ?? null,
    channelId: bytesToHex(raw.channel_id),
  };
}

export function fundsFromProto(raw: RawListfundsResponse): ClnFunds {
  return { outputs: raw.outputs.map(outputFromProto), channels: raw.channels.map(fundsChannelFromProto) };
}

export function createdInvoiceFromProto(raw: RawInvoiceResponse): ClnCreatedInvoice {
  return {
    bolt11: raw.bolt11,
    paymentHash: bytesToHex(raw.payment_hash),
    paymentSecret: bytesToHex(raw.payment_secret),
    expiresAtSec: uint64Of(raw.expires_at, 'expires_at'),
    createdIndex: uint64Of(raw.created_index, 'created_index'),
  };
}

export function invoiceFromProto(raw: RawInvoiceRecord): ClnInvoice {
  return {
    label: raw.label,
    description: raw.description ?? null,
    paymentHash: bytesToHex(raw.payment_hash),
    status: lower<ClnInvoiceStatus>(raw.status),
    expiresAtSec: uint64Of(raw.expires_at, 'expires_at'),
    amountMsat: msatOrNull(raw.amount_msat, 'amount_msat'),
    bolt11: raw.bolt11 ?? null,
    payIndex: uint64OrNull(raw.pay_index, 'pay_index'),
    amountReceivedMsat: msatOrNull(raw.amount_received_msat, 'amount_received_msat'),
    paidAtSec: uint64OrNull(raw.paid_at, 'paid_at'),
    paymentPreimage: bytesToHexOrNull(raw.payment_preimage),
    createdIndex: uint64Of(raw.created_index, 'created_index'),
    updatedIndex: uint64OrNull(raw.updated_index, 'updated_index'),
  };
}

export function decodedInvoiceFromProto(raw: RawDecodeResponse): ClnDecodedInvoice {
  return {
    itemType: raw.item_type,
    valid: raw.valid,
    createdAtSec: uint64OrNull(raw.created_at, 'created_at'),
    expirySec: uint64OrNull(raw.expiry, 'expiry'),
    payee: bytesToHexOrNull(raw.payee),
    paymentHash: bytesToHexOrNull(raw.payment_hash),
    descriptionHash: bytesToHexOrNull(raw.description_hash),
    description: raw.description ?? null,
    minFinalCltvExpiry: raw.min_final_cltv_expiry ?? null,
    paymentSecret: bytesToHexOrNull(raw.payment_secret),
    currency: raw.currency ?? null,
    amountMsat: msatOrNull(raw.amount_msat, 'amount_msat'),
  };
}

export function payFromProto(raw: RawListpaysPay): ClnPay {
  return {
    paymentHash: bytesToHex(raw.payment_hash),
    status: lower<ClnPayStatus>(raw.status),
    destination: bytesToHexOrNull(raw.destination),
    createdAtSec: uint64Of(raw.created_at, 'created_at'),
    label: raw.label ?? null,
    bolt11: raw.bolt11 ?? null,
    amountMsat: msatOrNull(raw.amount_msat, 'amount_msat'),
    amountSentMsat: msatOrNull(raw.amount_sent_msat, 'amount_sent_msat'),
    completedAtSec: uint64OrNull(raw.completed_at, 'completed_at'),
    preimage: bytesToHexOrNull(raw.preimage),
    numberOfParts: uint64OrNull(raw.number_of_parts, 'number_of_parts'),
    createdIndex: uint64OrNull(raw.created_index, 'created_index'),
    updatedIndex: uint64OrNull(raw.updated_index, 'updated_index'),
  };
}

export function xpayResultFromProto(raw: RawXpayResponse): ClnXpayResult {
  return {
    paymentPreimage: bytesToHex(raw.payment_preimage),
    failedParts: uint64Of(raw.failed_parts, 'failed_parts'),
    successfulParts: uint64Of(raw.successful_parts, 'successful_parts'),
    amountMsat: msatOf(raw.amount_msat, 'amount_msat'),
    amountSentMsat: msatOf(raw.amount_sent_msat, 'amount_sent_msat'),
  };
}
