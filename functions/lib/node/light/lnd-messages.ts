import { bytesField, type ProtoReader, readMessage, varintField } from '../../grpc-unary/protobuf-reader';
import { ProtoWriter } from '../../grpc-unary/protobuf-writer';
import type { RawAddInvoiceResponse, RawChain, RawGetInfoResponse, RawInvoice, RawInvoiceState } from '../../lnd/proto-types';

/**
 * The LND messages of the API's four invoice calls, by the field numbers of
 * proto/lightning.proto (lnrpc) and proto/invoicesrpc/invoices.proto. Answers are decoded into
 * the shapes grpc-js hands the full client (int64 as decimal strings, enums by name, defaults
 * filled in), so the client's own mappers read them. Fields these calls never read (features,
 * route hints, HTLCs) are skipped and stay empty.
 */

/** The AddInvoice request fields LndNode.createInvoice sets. */
export interface AddInvoiceMessage {
  memo: string;
  /** int64, decimal. */
  value_msat: string;
  /** int64 seconds, decimal. */
  expiry: string;
  private: boolean;
  description_hash?: Buffer;
}

export function encodeAddInvoice(message: AddInvoiceMessage): Buffer {
  const writer = new ProtoWriter();
  if (message.memo !== '') writer.string(1, message.memo);
  if (message.description_hash) writer.bytes(10, message.description_hash);
  if (message.expiry !== '0') writer.uint64(11, message.expiry);
  if (message.private) writer.bool(15, true);
  if (message.value_msat !== '0') writer.uint64(23, message.value_msat);
  return writer.finish();
}

/** lnrpc.PaymentHash, by its bytes (r_hash, field 2; the deprecated string form is not sent). */
export function encodePaymentHash(rHash: Buffer): Buffer {
  return new ProtoWriter().bytes(2, rHash).finish();
}

/** invoicesrpc.CancelInvoiceMsg */
export function encodeCancelInvoice(paymentHash: Buffer): Buffer {
  return new ProtoWriter().bytes(1, paymentHash).finish();
}

const INVOICE_STATES: readonly RawInvoiceState[] = ['OPEN', 'SETTLED', 'CANCELED', 'ACCEPTED'];

function decodeChain(bytes: Buffer): RawChain {
  const chain: RawChain = { chain: '', network: '' };
  readMessage(bytes, {
    1: bytesField((r) => (chain.chain = r.string())),
    2: bytesField((r) => (chain.network = r.string())),
  });
  return chain;
}

export function decodeGetInfoResponse(bytes: Buffer): RawGetInfoResponse {
  const info: RawGetInfoResponse = {
    version: '',
    commit_hash: '',
    identity_pubkey: '',
    alias: '',
    color: '',
    num_pending_channels: 0,
    num_active_channels: 0,
    num_inactive_channels: 0,
    num_peers: 0,
    block_height: 0,
    block_hash: '',
    best_header_timestamp: '0',
    synced_to_chain: false,
    synced_to_graph: false,
    testnet: false,
    chains: [],
    uris: [],
    features: {},
    require_htlc_interceptor: false,
    store_final_htlc_resolutions: false,
  };
  readMessage(bytes, {
    1: bytesField((r) => (info.identity_pubkey = r.string())),
    2: bytesField((r) => (info.alias = r.string())),
    3: varintField((r) => (info.num_pending_channels = r.uint32())),
    4: varintField((r) => (info.num_active_channels = r.uint32())),
    5: varintField((r) => (info.num_peers = r.uint32())),
    6: varintField((r) => (info.block_height = r.uint32())),
    8: bytesField((r) => (info.block_hash = r.string())),
    9: varintField((r) => (info.synced_to_chain = r.bool())),
    10: varintField((r) => (info.testnet = r.bool())),
    12: bytesField((r) => info.uris.push(r.string())),
    13: varintField((r) => (info.best_header_timestamp = r.int64())),
    14: bytesField((r) => (info.version = r.string())),
    15: varintField((r) => (info.num_inactive_channels = r.uint32())),
    16: bytesField((r) => info.chains.push(decodeChain(r.bytes()))),
    17: bytesField((r) => (info.color = r.string())),
    18: varintField((r) => (info.synced_to_graph = r.bool())),
    20: bytesField((r) => (info.commit_hash = r.string())),
    21: varintField((r) => (info.require_htlc_interceptor = r.bool())),
    22: varintField((r) => (info.store_final_htlc_resolutions = r.bool())),
  });
  return info;
}

export function decodeAddInvoiceResponse(bytes: Buffer): RawAddInvoiceResponse {
  const added: RawAddInvoiceResponse = { r_hash: Buffer.alloc(0), payment_request: '', add_index: '0', payment_addr: Buffer.alloc(0) };
  readMessage(bytes, {
    1: bytesField((r) => (added.r_hash = r.bytes())),
    2: bytesField((r) => (added.payment_request = r.string())),
    16: varintField((r) => (added.add_index = r.uint64())),
    17: bytesField((r) => (added.payment_addr = r.bytes())),
  });
  return added;
}

/** An invoice state number this code does not know reads as OPEN: still payable, never paid. */
function invoiceState(reader: ProtoReader): RawInvoiceState {
  return INVOICE_STATES[reader.uint32()] ?? 'OPEN';
}

export function decodeInvoice(bytes: Buffer): RawInvoice {
  const invoice: RawInvoice = {
    memo: '',
    r_preimage: Buffer.alloc(0),
    r_hash: Buffer.alloc(0),
    value: '0',
    value_msat: '0',
    settled: false,
    creation_date: '0',
    settle_date: '0',
    payment_request: '',
    description_hash: Buffer.alloc(0),
    expiry: '0',
    fallback_addr: '',
    cltv_expiry: '0',
    route_hints: [],
    private: false,
    add_index: '0',
    settle_index: '0',
    amt_paid: '0',
    amt_paid_sat: '0',
    amt_paid_msat: '0',
    state: 'OPEN',
    features: {},
    is_keysend: false,
    payment_addr: Buffer.alloc(0),
    is_amp: false,
    is_blinded: false,
  };
  readMessage(bytes, {
    1: bytesField((r) => (invoice.memo = r.string())),
    3: bytesField((r) => (invoice.r_preimage = r.bytes())),
    4: bytesField((r) => (invoice.r_hash = r.bytes())),
    5: varintField((r) => (invoice.value = r.int64())),
    6: varintField((r) => (invoice.settled = r.bool())),
    7: varintField((r) => (invoice.creation_date = r.int64())),
    8: varintField((r) => (invoice.settle_date = r.int64())),
    9: bytesField((r) => (invoice.payment_request = r.string())),
    10: bytesField((r) => (invoice.description_hash = r.bytes())),
    11: varintField((r) => (invoice.expiry = r.int64())),
    12: bytesField((r) => (invoice.fallback_addr = r.string())),
    13: varintField((r) => (invoice.cltv_expiry = r.uint64())),
    15: varintField((r) => (invoice.private = r.bool())),
    16: varintField((r) => (invoice.add_index = r.uint64())),
    17: varintField((r) => (invoice.settle_index = r.uint64())),
    18: varintField((r) => (invoice.amt_paid = r.int64())),
    19: varintField((r) => (invoice.amt_paid_sat = r.int64())),
    20: varintField((r) => (invoice.amt_paid_msat = r.int64())),
    21: varintField((r) => (invoice.state = invoiceState(r))),
    23: varintField((r) => (invoice.value_msat = r.int64())),
    25: varintField((r) => (invoice.is_keysend = r.bool())),
    26: bytesField((r) => (invoice.payment_addr = r.bytes())),
    27: varintField((r) => (invoice.is_amp = r.bool())),
    29: varintField((r) => (invoice.is_blinded = r.bool())),
  });
  return invoice;
}
