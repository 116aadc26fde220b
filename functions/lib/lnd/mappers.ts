import { bytesToHex, bytesToHexOrNull } from './hex';
import { int64ToNumber } from './int64';
import type {
  RawAddInvoiceResponse,
  RawAmount,
  RawChannel,
  RawChannelBalanceResponse,
  RawGetInfoResponse,
  RawInvoice,
  RawListInvoiceResponse,
  RawPayReq,
  RawPayment,
  RawWalletBalanceResponse,
} from './proto-types';
import {
  type AddedInvoice,
  type ChannelBalance,
  type ChannelSummary,
  type DecodedPaymentRequest,
  type Invoice,
  type InvoicePage,
  type NodeInfo,
  type Payment,
  PaymentFailureReason,
  PaymentStatus,
  type WalletBalance,
} from './types';

const ZERO_PREIMAGE = '0'.repeat(64);
const FAILURE_REASON_PREFIX = 'FAILURE_REASON_';

export function nodeInfoFromProto(raw: RawGetInfoResponse): NodeInfo {
  return {
    identityPubkey: raw.identity_pubkey,
    alias: raw.alias,
    version: raw.version,
    commitHash: raw.commit_hash,
    color: raw.color,
    network: raw.chains[0]?.network ?? '',
    chains: raw.chains.map((c) => ({ chain: c.chain, network: c.network })),
    blockHeight: raw.block_height,
    blockHash: raw.block_hash,
    bestHeaderTimestampSec: int64ToNumber(raw.best_header_timestamp, 'best_header_timestamp'),
    syncedToChain: raw.synced_to_chain,
    syncedToGraph: raw.synced_to_graph,
    numActiveChannels: raw.num_active_channels,
    numInactiveChannels: raw.num_inactive_channels,
    numPendingChannels: raw.num_pending_channels,
    numPeers: raw.num_peers,
    uris: [...raw.uris],
  };
}

export function addedInvoiceFromProto(raw: RawAddInvoiceResponse): AddedInvoice {
  return {
    paymentHash: bytesToHex(raw.r_hash),
    paymentRequest: raw.payment_request,
    addIndex: int64ToNumber(raw.add_index, 'add_index'),
    paymentAddr: bytesToHex(raw.payment_addr),
  };
}

export function invoiceFromProto(raw: RawInvoice): Invoice {
  const settleDateSec = int64ToNumber(raw.settle_date, 'settle_date');
  return {
    paymentHash: bytesToHex(raw.r_hash),
    paymentRequest: raw.payment_request,
    memo: raw.memo,
    descriptionHash: bytesToHexOrNull(raw.description_hash),
    preimage: bytesToHexOrNull(raw.r_preimage),
    valueMsat: int64ToNumber(raw.value_msat, 'value_msat'),
    amountPaidMsat: int64ToNumber(raw.amt_paid_msat, 'amt_paid_msat'),
    state: raw.state,
    creationDateSec: int64ToNumber(raw.creation_date, 'creation_date'),
    settleDateSec: raw.state === 'SETTLED' && settleDateSec > 0 ? settleDateSec : null,
    expirySec: int64ToNumber(raw.expiry, 'expiry'),
    addIndex: int64ToNumber(raw.add_index, 'add_index'),
    settleIndex: int64ToNumber(raw.settle_index, 'settle_index'),
    paymentAddr: bytesToHex(raw.payment_addr),
    cltvExpiry: int64ToNumber(raw.cltv_expiry, 'cltv_expiry'),
    private: raw.private,
    isKeysend: raw.is_keysend,
  };
}

export function invoicePageFromProto(raw: RawListInvoiceResponse): InvoicePage {
  return {
    invoices: raw.invoices.map(invoiceFromProto),
    firstIndexOffset: int64ToNumber(raw.first_index_offset, 'first_index_offset'),
    lastIndexOffset: int64ToNumber(raw.last_index_offset, 'last_index_offset'),
  };
}

function failureReasonFromProto(raw: string): PaymentFailureReason {
  const name = raw.startsWith(FAILURE_REASON_PREFIX) ? raw.slice(FAILURE_REASON_PREFIX.length) : raw;
  const known = Object.values(PaymentFailureReason) as string[];
  return known.includes(name) ? (name as PaymentFailureReason) : PaymentFailureReason.Error;
}

function paymentStatusFromProto(raw: string): PaymentStatus {
  const known = Object.values(PaymentStatus) as string[];
  return known.includes(raw) ? (raw as PaymentStatus) : PaymentStatus.Unknown;
}

export function paymentFromProto(raw: RawPayment): Payment {
  const preimage = raw.payment_preimage.toLowerCase();
  return {
    paymentHash: raw.payment_hash.toLowerCase(),
    preimage: preimage === '' || preimage === ZERO_PREIMAGE ? null : preimage,
    status: paymentStatusFromProto(raw.status),
    failureReason: failureReasonFromProto(raw.failure_reason),
    valueMsat: int64ToNumber(raw.value_msat, 'value_msat'),
    feeMsat: int64ToNumber(raw.fee_msat, 'fee_msat'),
    paymentRequest: raw.payment_request,
    creationTimeNs: raw.creation_time_ns,
    paymentIndex: int64ToNumber(raw.payment_index, 'payment_index'),
  };
}

function amountMsat(raw: RawAmount | null, field: string): number {
  return raw ? int64ToNumber(raw.msat, field) : 0;
}

export function channelBalanceFromProto(raw: RawChannelBalanceResponse): ChannelBalance {
  return {
    localMsat: amountMsat(raw.local_balance, 'local_balance.msat'),
    remoteMsat: amountMsat(raw.remote_balance, 'remote_balance.msat'),
    unsettledLocalMsat: amountMsat(raw.unsettled_local_balance, 'unsettled_local_balance.msat'),
    unsettledRemoteMsat: amountMsat(raw.unsettled_remote_balance, 'unsettled_remote_balance.msat'),
    pendingOpenLocalMsat: amountMsat(raw.pending_open_local_balance, 'pending_open_local_balance.msat'),
    pendingOpenRemoteMsat: amountMsat(raw.pending_open_remote_balance, 'pending_open_remote_balance.msat'),
  };
}

export function channelFromProto(raw: RawChannel): ChannelSummary {
  return {
    chanId: raw.chan_id,
    channelPoint: raw.channel_point,
    remotePubkey: raw.remote_pubkey,
    active: raw.active,
    private: raw.private,
    initiator: raw.initiator,
    capacitySat: int64ToNumber(raw.capacity, 'capacity'),
    localBalanceSat: int64ToNumber(raw.local_balance, 'local_balance'),
    remoteBalanceSat: int64ToNumber(raw.remote_balance, 'remote_balance'),
    commitFeeSat: int64ToNumber(raw.commit_fee, 'commit_fee'),
    unsettledBalanceSat: int64ToNumber(raw.unsettled_balance, 'unsettled_balance'),
  };
}

export function walletBalanceFromProto(raw: RawWalletBalanceResponse): WalletBalance {
  return {
    totalSat: int64ToNumber(raw.total_balance, 'total_balance'),
    confirmedSat: int64ToNumber(raw.confirmed_balance, 'confirmed_balance'),
    unconfirmedSat: int64ToNumber(raw.unconfirmed_balance, 'unconfirmed_balance'),
    lockedSat: int64ToNumber(raw.locked_balance, 'locked_balance'),
  };
}

export function paymentRequestFromProto(raw: RawPayReq): DecodedPaymentRequest {
  return {
    destination: raw.destination,
    paymentHash: raw.payment_hash.toLowerCase(),
    amountMsat: int64ToNumber(raw.num_msat, 'num_msat'),
    timestampSec: int64ToNumber(raw.timestamp, 'timestamp'),
    expirySec: int64ToNumber(raw.expiry, 'expiry'),
    description: raw.description,
    descriptionHash: raw.description_hash === '' ? null : raw.description_hash.toLowerCase(),
    paymentAddr: bytesToHex(raw.payment_addr),
    cltvExpiry: int64ToNumber(raw.cltv_expiry, 'cltv_expiry'),
  };
}
