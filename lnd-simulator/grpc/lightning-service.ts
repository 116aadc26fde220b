import { createHash } from 'node:crypto';
import { status as GrpcStatus, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type {
  RawGetInfoResponse,
  RawInvoice,
  RawInvoiceSubscription,
  RawListInvoiceRequest,
  RawPayReq,
  RawPaymentHash,
} from '../../functions/lib/lnd/proto-types';
import { decodeInvoice, type DecodedInvoice, REGTEST_NETWORK } from '../bolt11-codec';
import { SIMULATED_BLOCK_HEIGHT, SIMULATED_CHANNEL, SIMULATED_CONSTRAINTS, SIMULATED_WALLET } from '../channels';
import { nowSec } from '../clock';
import type { InvoiceBook } from '../invoice-book';
import type { PaymentEngine } from '../payment-engine';
import { RpcFailure } from '../rpc-failure';
import { newInvoiceFields } from './invoice-request';
import { INVOICE_FEATURES, invoiceToProto, paymentToProto } from './to-proto';
import type { OpenStreams } from './open-streams';
import { hashField, int64Field } from './request-fields';
import type { RpcHandlers } from './rpc-handlers';

const DEFAULT_LIST_INVOICES_MAX = 100;
const SIMULATOR_VERSION = '0.21.2-beta commit=lnd-simulator';

export interface LightningServiceDeps {
  handlers: RpcHandlers;
  streams: OpenStreams;
  invoices: InvoiceBook;
  payments: PaymentEngine;
  pubkey: string;
  peerPubkey: string;
  p2pHost: string;
  /** When the simulator started: the channel's lifetime and uptime count from it. */
  startedAtSec: number;
}

interface RawListPaymentsRequest {
  include_incomplete: boolean;
  index_offset: string;
  max_payments: string;
  reversed: boolean;
  count_total_payments: boolean;
  creation_date_start: string;
  creation_date_end: string;
  omit_hops: boolean;
}

/** One side's channel constraints; LND lets HTLCs in flight use the whole capacity less the reserve. */
function constraintsToProto() {
  const c = SIMULATED_CONSTRAINTS;
  return {
    csv_delay: c.csvDelay,
    chan_reserve_sat: String(c.chanReserveSat),
    dust_limit_sat: String(c.dustLimitSat),
    max_pending_amt_msat: String((SIMULATED_CHANNEL.capacitySat - c.chanReserveSat) * 1000),
    min_htlc_msat: String(c.minHtlcMsat),
    max_accepted_htlcs: c.maxAcceptedHtlcs,
  };
}

function channelToProto(peerPubkey: string, startedAtSec: number) {
  const aliveSec = String(Math.max(0, nowSec() - startedAtSec));
  return {
    active: true,
    remote_pubkey: peerPubkey,
    channel_point: SIMULATED_CHANNEL.channelPoint,
    chan_id: SIMULATED_CHANNEL.chanId,
    capacity: String(SIMULATED_CHANNEL.capacitySat),
    local_balance: String(SIMULATED_CHANNEL.localBalanceSat),
    remote_balance: String(SIMULATED_CHANNEL.remoteBalanceSat),
    commit_fee: String(SIMULATED_CHANNEL.commitFeeSat),
    commit_weight: '1116',
    fee_per_kw: '2500',
    unsettled_balance: '0',
    // Balances never move, so nothing was ever sent or received over it.
    total_satoshis_sent: '0',
    total_satoshis_received: '0',
    num_updates: '0',
    pending_htlcs: [],
    csv_delay: SIMULATED_CONSTRAINTS.csvDelay,
    private: false,
    initiator: true,
    chan_status_flags: 'ChanStatusDefault',
    local_chan_reserve_sat: String(SIMULATED_CONSTRAINTS.chanReserveSat),
    remote_chan_reserve_sat: String(SIMULATED_CONSTRAINTS.chanReserveSat),
    // Anchor channels never tweak the remote key.
    static_remote_key: true,
    commitment_type: 'ANCHORS',
    lifetime: aliveSec,
    uptime: aliveSec,
    close_address: '',
    push_amount_sat: '0',
    thaw_height: 0,
    local_constraints: constraintsToProto(),
    remote_constraints: constraintsToProto(),
    alias_scids: [],
    zero_conf: false,
    zero_conf_confirmed_scid: '0',
    peer_alias: 'outside-world',
    peer_scid_alias: '0',
    memo: '',
  };
}

function addInvoice(invoices: InvoiceBook, raw: RawInvoice) {
  if (raw.r_preimage.length !== 0 && raw.r_preimage.length !== 32) {
    throw new RpcFailure(`payment preimage must be exactly 32 bytes, is ${raw.r_preimage.length}`);
  }
  const invoice = invoices.add({
    ...newInvoiceFields(raw),
    preimage: raw.r_preimage.length ? raw.r_preimage.toString('hex') : null,
  });
  return {
    r_hash: Buffer.from(invoice.paymentHash, 'hex'),
    payment_request: invoice.paymentRequest,
    add_index: String(invoice.addIndex),
    payment_addr: Buffer.from(invoice.paymentAddr, 'hex'),
  };
}

function lookupHash(raw: RawPaymentHash): string {
  if (raw.r_hash.length > 0) return hashField(raw.r_hash, 'payment hash');
  return hashField(Buffer.from(raw.r_hash_str, 'hex'), 'payment hash');
}

function decodePayReq(payReq: string): Partial<RawPayReq> {
  let decoded: DecodedInvoice;
  try {
    decoded = decodeInvoice(payReq);
  } catch (error) {
    throw new RpcFailure(`invalid payment request: ${(error as Error).message}`);
  }
  if (decoded.network !== REGTEST_NETWORK.bech32) throw new RpcFailure("invoice not for current active network 'regtest'");
  const amountMsat = decoded.amountMsat ?? 0;
  return {
    destination: decoded.payee,
    payment_hash: decoded.paymentHash,
    num_satoshis: String(Math.floor(amountMsat / 1000)),
    timestamp: String(decoded.timestampSec),
    expiry: String(decoded.expirySec),
    description: decoded.description,
    description_hash: decoded.descriptionHash ?? '',
    cltv_expiry: String(decoded.cltvExpiry),
    payment_addr: decoded.paymentSecret ? Buffer.from(decoded.paymentSecret, 'hex') : Buffer.alloc(0),
    num_msat: String(amountMsat),
    features: INVOICE_FEATURES,
  };
}

export function lightningService(deps: LightningServiceDeps): UntypedServiceImplementation {
  const { handlers, streams, invoices, pubkey } = deps;
  const satAmount = (sat: number) => ({ sat: String(sat), msat: String(sat * 1000) });
  const blockHash = createHash('sha256').update(`lnd-simulator block ${SIMULATED_BLOCK_HEIGHT}`).digest('hex');

  return {
    GetInfo: handlers.unary('/lnrpc.Lightning/GetInfo', (): Partial<RawGetInfoResponse> => ({
      version: SIMULATOR_VERSION,
      commit_hash: '',
      identity_pubkey: pubkey,
      alias: 'lnd-simulator',
      color: '#3399ff',
      num_pending_channels: 0,
      num_active_channels: 1,
      num_inactive_channels: 0,
      num_peers: 1,
      block_height: SIMULATED_BLOCK_HEIGHT,
      block_hash: blockHash,
      best_header_timestamp: String(nowSec()),
      synced_to_chain: true,
      synced_to_graph: true,
      testnet: false,
      chains: [{ chain: 'bitcoin', network: 'regtest' }],
      uris: [`${pubkey}@${deps.p2pHost}`],
      features: INVOICE_FEATURES,
    })),

    AddInvoice: handlers.unary('/lnrpc.Lightning/AddInvoice', (raw: RawInvoice) => addInvoice(invoices, raw)),

    LookupInvoice: handlers.unary('/lnrpc.Lightning/LookupInvoice', (raw: RawPaymentHash) => {
      const invoice = invoices.lookup(lookupHash(raw));
      if (!invoice) throw new RpcFailure('unable to locate invoice', GrpcStatus.NOT_FOUND);
      return invoiceToProto(invoice);
    }),

    ListInvoices: handlers.unary('/lnrpc.Lightning/ListInvoices', (raw: RawListInvoiceRequest) => {
      const slice = invoices.list({
        indexOffset: int64Field(raw.index_offset, 'index_offset'),
        maxInvoices: int64Field(raw.num_max_invoices, 'num_max_invoices') || DEFAULT_LIST_INVOICES_MAX,
        reversed: raw.reversed,
        pendingOnly: raw.pending_only,
        creationDateStartSec: int64Field(raw.creation_date_start, 'creation_date_start'),
        creationDateEndSec: int64Field(raw.creation_date_end, 'creation_date_end'),
      });
      return {
        invoices: slice.invoices.map(invoiceToProto),
        first_index_offset: String(slice.firstIndexOffset),
        last_index_offset: String(slice.lastIndexOffset),
      };
    }),

    SubscribeInvoices: handlers.serverStream('/lnrpc.Lightning/SubscribeInvoices', (call) => {
      const request = call.request as RawInvoiceSubscription;
      const addIndex = int64Field(request.add_index, 'add_index');
      const settleIndex = int64Field(request.settle_index, 'settle_index');
      const send = (invoice: Parameters<typeof invoiceToProto>[0]) => call.write(invoiceToProto(invoice));
      // Backlog and subscription happen in one turn, so no event slips between them.
      for (const invoice of invoices.addedSince(addIndex)) send(invoice);
      for (const invoice of invoices.settledSince(settleIndex)) send(invoice);
      const unsubscribeAdded = invoices.added.subscribe(send);
      const unsubscribeSettled = invoices.settled.subscribe(send);
      streams.track(call, () => {
        unsubscribeAdded();
        unsubscribeSettled();
      });
    }),

    DecodePayReq: handlers.unary('/lnrpc.Lightning/DecodePayReq', (raw: { pay_req: string }) => decodePayReq(raw.pay_req)),

    ChannelBalance: handlers.unary('/lnrpc.Lightning/ChannelBalance', () => ({
      balance: String(SIMULATED_CHANNEL.localBalanceSat),
      pending_open_balance: '0',
      local_balance: satAmount(SIMULATED_CHANNEL.localBalanceSat),
      remote_balance: satAmount(SIMULATED_CHANNEL.remoteBalanceSat),
      unsettled_local_balance: satAmount(0),
      unsettled_remote_balance: satAmount(0),
      pending_open_local_balance: satAmount(0),
      pending_open_remote_balance: satAmount(0),
    })),

    ListChannels: handlers.unary(
      '/lnrpc.Lightning/ListChannels',
      (raw: { inactive_only: boolean; private_only: boolean; peer: Buffer }) => {
        const excluded =
          raw.inactive_only ||
          raw.private_only ||
          (raw.peer.length > 0 && raw.peer.toString('hex') !== deps.peerPubkey);
        if (excluded) return { channels: [] };
        return { channels: [channelToProto(deps.peerPubkey, deps.startedAtSec)] };
      },
    ),

    ListPayments: handlers.unary('/lnrpc.Lightning/ListPayments', (raw: RawListPaymentsRequest) => {
      const slice = deps.payments.list({
        includeIncomplete: raw.include_incomplete,
        indexOffset: int64Field(raw.index_offset, 'index_offset'),
        maxPayments: int64Field(raw.max_payments, 'max_payments'),
        reversed: raw.reversed,
        creationDateStartSec: int64Field(raw.creation_date_start, 'creation_date_start'),
        creationDateEndSec: int64Field(raw.creation_date_end, 'creation_date_end'),
      });
      return {
        payments: slice.payments.map((payment) => paymentToProto(payment, { omitHops: raw.omit_hops })),
        first_index_offset: String(slice.firstIndexOffset),
        last_index_offset: String(slice.lastIndexOffset),
        total_num_payments: raw.count_total_payments ? String(slice.totalPayments) : '0',
      };
    }),

    WalletBalance: handlers.unary('/lnrpc.Lightning/WalletBalance', () => {
      const total = SIMULATED_WALLET.confirmedSat + SIMULATED_WALLET.unconfirmedSat;
      return {
        total_balance: String(total),
        confirmed_balance: String(SIMULATED_WALLET.confirmedSat),
        unconfirmed_balance: String(SIMULATED_WALLET.unconfirmedSat),
        locked_balance: String(SIMULATED_WALLET.lockedSat),
        reserved_balance_anchor_chan: '10000',
        account_balance: {
          default: {
            confirmed_balance: String(SIMULATED_WALLET.confirmedSat),
            unconfirmed_balance: String(SIMULATED_WALLET.unconfirmedSat),
          },
        },
      };
    }),
  };
}
