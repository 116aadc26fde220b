import { bytesField, type ProtoReader, readMessage, varintField } from '../../grpc-unary/protobuf-reader';
import { ProtoWriter } from '../../grpc-unary/protobuf-writer';
import type { RawAmount } from '../../cln/amounts';
import type { RawGetinfoResponse, RawInvoiceRecord, RawInvoiceResponse, RawListinvoicesResponse } from '../../cln/proto-types';

/**
 * The cln.Node messages of the API's four invoice calls, by the field numbers of
 * proto/cln/node.proto and primitives.proto. Requests take the objects functions/lib/cln/requests.ts
 * builds (so its checks apply unchanged); answers come out in the shapes grpc-js gives the full
 * client (uint64 as decimal strings, enums by name, proto3 `optional` fields absent when unset).
 */

/** InvoiceRequest as invoiceToProto builds it. */
export interface InvoiceRequestMessage {
  label: string;
  description: string;
  amount_msat: { amount: RawAmount } | { any: true };
  expiry?: string;
  deschashonly?: boolean;
  preimage?: Buffer;
  cltv?: number;
}

/** ListinvoicesRequest as listInvoicesToProto builds it: one selector, or an index to page by. */
export interface ListInvoicesRequestMessage {
  label?: string;
  invstring?: string;
  payment_hash?: Buffer;
  index?: 'CREATED' | 'UPDATED';
  start?: string;
  limit?: number;
}

/** DelinvoiceRequest as delInvoiceToProto builds it. */
export interface DelInvoiceRequestMessage {
  label: string;
  status: 'PAID' | 'EXPIRED' | 'UNPAID';
  desconly?: boolean;
}

const LIST_INDEXES = { CREATED: 0, UPDATED: 1 } as const;
// DelinvoiceStatus numbers its values in another order than the invoice status of answers.
const DEL_STATUSES = { PAID: 0, EXPIRED: 1, UNPAID: 2 } as const;
const LISTED_STATUSES: readonly RawInvoiceRecord['status'][] = ['UNPAID', 'PAID', 'EXPIRED'];
const DELETED_STATUSES: readonly RawInvoiceRecord['status'][] = ['PAID', 'EXPIRED', 'UNPAID'];

function writeAmount(writer: ProtoWriter, amount: RawAmount): void {
  writer.uint64(1, amount.msat);
}

export function encodeInvoiceRequest(message: InvoiceRequestMessage): Buffer {
  const writer = new ProtoWriter().string(2, message.description).string(3, message.label);
  if (message.preimage !== undefined) writer.bytes(5, message.preimage);
  if (message.cltv !== undefined) writer.uint32(6, message.cltv);
  if (message.expiry !== undefined) writer.uint64(7, message.expiry);
  if (message.deschashonly !== undefined) writer.bool(9, message.deschashonly);
  const amount = message.amount_msat;
  writer.message(10, (inner) => {
    if ('any' in amount) inner.bool(2, amount.any);
    else inner.message(1, (msat) => writeAmount(msat, amount.amount));
  });
  return writer.finish();
}

export function encodeListInvoicesRequest(message: ListInvoicesRequestMessage): Buffer {
  const writer = new ProtoWriter();
  if (message.label !== undefined) writer.string(1, message.label);
  if (message.invstring !== undefined) writer.string(2, message.invstring);
  if (message.payment_hash !== undefined) writer.bytes(3, message.payment_hash);
  if (message.index !== undefined) writer.uint32(5, LIST_INDEXES[message.index]);
  if (message.start !== undefined) writer.uint64(6, message.start);
  if (message.limit !== undefined) writer.uint32(7, message.limit);
  return writer.finish();
}

export function encodeDelInvoiceRequest(message: DelInvoiceRequestMessage): Buffer {
  const writer = new ProtoWriter().string(1, message.label).uint32(2, DEL_STATUSES[message.status]);
  if (message.desconly !== undefined) writer.bool(3, message.desconly);
  return writer.finish();
}

function readAmount(reader: ProtoReader): RawAmount {
  const amount: RawAmount = { msat: '0' };
  readMessage(reader.bytes(), { 1: varintField((r) => (amount.msat = r.uint64())) });
  return amount;
}

export function decodeGetinfoResponse(bytes: Buffer): RawGetinfoResponse {
  const info: RawGetinfoResponse = {
    id: Buffer.alloc(0),
    alias: '',
    color: Buffer.alloc(0),
    num_peers: 0,
    num_pending_channels: 0,
    num_active_channels: 0,
    num_inactive_channels: 0,
    version: '',
    lightning_dir: '',
    blockheight: 0,
    network: '',
    fees_collected_msat: null,
  };
  readMessage(bytes, {
    1: bytesField((r) => (info.id = r.bytes())),
    2: bytesField((r) => (info.alias = r.string())),
    3: bytesField((r) => (info.color = r.bytes())),
    4: varintField((r) => (info.num_peers = r.uint32())),
    5: varintField((r) => (info.num_pending_channels = r.uint32())),
    6: varintField((r) => (info.num_active_channels = r.uint32())),
    7: varintField((r) => (info.num_inactive_channels = r.uint32())),
    8: bytesField((r) => (info.version = r.string())),
    9: bytesField((r) => (info.lightning_dir = r.string())),
    11: varintField((r) => (info.blockheight = r.uint32())),
    12: bytesField((r) => (info.network = r.string())),
    13: bytesField((r) => (info.fees_collected_msat = readAmount(r))),
    16: bytesField((r) => (info.warning_bitcoind_sync = r.string())),
    17: bytesField((r) => (info.warning_lightningd_sync = r.string())),
  });
  return info;
}

export function decodeInvoiceResponse(bytes: Buffer): RawInvoiceResponse {
  const created: RawInvoiceResponse = { bolt11: '', payment_hash: Buffer.alloc(0), payment_secret: Buffer.alloc(0), expires_at: '0', created_index: '0' };
  readMessage(bytes, {
    1: bytesField((r) => (created.bolt11 = r.string())),
    2: bytesField((r) => (created.payment_hash = r.bytes())),
    3: bytesField((r) => (created.payment_secret = r.bytes())),
    4: varintField((r) => (created.expires_at = r.uint64())),
    10: varintField((r) => (created.created_index = r.uint64())),
  });
  return created;
}

/** A status number this code does not know reads as UNPAID: still payable, never paid. */
const statusOf = (statuses: readonly RawInvoiceRecord['status'][], reader: ProtoReader) => statuses[reader.uint32()] ?? 'UNPAID';

function emptyRecord(): RawInvoiceRecord {
  return { label: '', payment_hash: Buffer.alloc(0), status: 'UNPAID', expires_at: '0', created_index: '0' };
}

/** One ListinvoicesInvoices. */
function decodeListedInvoice(bytes: Buffer): RawInvoiceRecord {
  const invoice = emptyRecord();
  readMessage(bytes, {
    1: bytesField((r) => (invoice.label = r.string())),
    2: bytesField((r) => (invoice.description = r.string())),
    3: bytesField((r) => (invoice.payment_hash = r.bytes())),
    4: varintField((r) => (invoice.status = statusOf(LISTED_STATUSES, r))),
    5: varintField((r) => (invoice.expires_at = r.uint64())),
    6: bytesField((r) => (invoice.amount_msat = readAmount(r))),
    7: bytesField((r) => (invoice.bolt11 = r.string())),
    11: varintField((r) => (invoice.pay_index = r.uint64())),
    12: bytesField((r) => (invoice.amount_received_msat = readAmount(r))),
    13: varintField((r) => (invoice.paid_at = r.uint64())),
    14: bytesField((r) => (invoice.payment_preimage = r.bytes())),
    16: varintField((r) => (invoice.created_index = r.uint64())),
    17: varintField((r) => (invoice.updated_index = r.uint64())),
  });
  return invoice;
}

export function decodeListInvoicesResponse(bytes: Buffer): RawListinvoicesResponse {
  const response: RawListinvoicesResponse = { invoices: [] };
  readMessage(bytes, { 1: bytesField((r) => response.invoices.push(decodeListedInvoice(r.bytes()))) });
  return response;
}

export function decodeDelInvoiceResponse(bytes: Buffer): RawInvoiceRecord {
  const invoice = emptyRecord();
  readMessage(bytes, {
    1: bytesField((r) => (invoice.label = r.string())),
    2: bytesField((r) => (invoice.bolt11 = r.string())),
    4: bytesField((r) => (invoice.amount_msat = readAmount(r))),
    5: bytesField((r) => (invoice.description = r.string())),
    6: bytesField((r) => (invoice.payment_hash = r.bytes())),
    7: varintField((r) => (invoice.status = statusOf(DELETED_STATUSES, r))),
    8: varintField((r) => (invoice.expires_at = r.uint64())),
    12: varintField((r) => (invoice.created_index = r.uint64())),
    13: varintField((r) => (invoice.updated_index = r.uint64())),
    14: varintField((r) => (invoice.pay_index = r.uint64())),
    15: bytesField((r) => (invoice.amount_received_msat = readAmount(r))),
    16: varintField((r) => (invoice.paid_at = r.uint64())),
    17: bytesField((r) => (invoice.payment_preimage = r.bytes())),
  });
  return invoice;
}
