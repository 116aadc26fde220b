import type { MessageTypeDefinition, EnumTypeDefinition, ServiceDefinition } from '@grpc/proto-loader';
import { describe, expect, it } from 'vitest';
import { loadLndPackageDefinition } from '../../functions/lib/lnd/proto-loader';

/**
 * Field numbers and types written down from LND's own files
 * (lnrpc/lightning.proto, invoicesrpc/invoices.proto, routerrpc/router.proto
 * at v0.21.2-beta), independently of proto/. A drifting edit fails here.
 */
type FieldTable = Record<string, readonly [number, string]>;

const LND_MESSAGES: Record<string, FieldTable> = {
  'lnrpc.GetInfoResponse': {
    version: [14, 'TYPE_STRING'],
    commit_hash: [20, 'TYPE_STRING'],
    identity_pubkey: [1, 'TYPE_STRING'],
    alias: [2, 'TYPE_STRING'],
    color: [17, 'TYPE_STRING'],
    num_pending_channels: [3, 'TYPE_UINT32'],
    num_active_channels: [4, 'TYPE_UINT32'],
    num_inactive_channels: [15, 'TYPE_UINT32'],
    num_peers: [5, 'TYPE_UINT32'],
    block_height: [6, 'TYPE_UINT32'],
    block_hash: [8, 'TYPE_STRING'],
    best_header_timestamp: [13, 'TYPE_INT64'],
    synced_to_chain: [9, 'TYPE_BOOL'],
    synced_to_graph: [18, 'TYPE_BOOL'],
    testnet: [10, 'TYPE_BOOL'],
    chains: [16, 'TYPE_MESSAGE'],
    uris: [12, 'TYPE_STRING'],
    features: [19, 'TYPE_MESSAGE'],
    require_htlc_interceptor: [21, 'TYPE_BOOL'],
    store_final_htlc_resolutions: [22, 'TYPE_BOOL'],
  },
  'lnrpc.Chain': { chain: [1, 'TYPE_STRING'], network: [2, 'TYPE_STRING'] },
  'lnrpc.Feature': { name: [2, 'TYPE_STRING'], is_required: [3, 'TYPE_BOOL'], is_known: [4, 'TYPE_BOOL'] },
  'lnrpc.Invoice': {
    memo: [1, 'TYPE_STRING'],
    r_preimage: [3, 'TYPE_BYTES'],
    r_hash: [4, 'TYPE_BYTES'],
    value: [5, 'TYPE_INT64'],
    value_msat: [23, 'TYPE_INT64'],
    settled: [6, 'TYPE_BOOL'],
    creation_date: [7, 'TYPE_INT64'],
    settle_date: [8, 'TYPE_INT64'],
    payment_request: [9, 'TYPE_STRING'],
    description_hash: [10, 'TYPE_BYTES'],
    expiry: [11, 'TYPE_INT64'],
    fallback_addr: [12, 'TYPE_STRING'],
    cltv_expiry: [13, 'TYPE_UINT64'],
    route_hints: [14, 'TYPE_MESSAGE'],
    private: [15, 'TYPE_BOOL'],
    add_index: [16, 'TYPE_UINT64'],
    settle_index: [17, 'TYPE_UINT64'],
    amt_paid: [18, 'TYPE_INT64'],
    amt_paid_sat: [19, 'TYPE_INT64'],
    amt_paid_msat: [20, 'TYPE_INT64'],
    state: [21, 'TYPE_ENUM'],
    features: [24, 'TYPE_MESSAGE'],
    is_keysend: [25, 'TYPE_BOOL'],
    payment_addr: [26, 'TYPE_BYTES'],
    is_amp: [27, 'TYPE_BOOL'],
    htlcs: [22, 'TYPE_MESSAGE'],
    is_blinded: [29, 'TYPE_BOOL'],
  },
  'lnrpc.InvoiceHTLC': {
    chan_id: [1, 'TYPE_UINT64'],
    htlc_index: [2, 'TYPE_UINT64'],
    amt_msat: [3, 'TYPE_UINT64'],
    accept_height: [4, 'TYPE_INT32'],
    accept_time: [5, 'TYPE_INT64'],
    resolve_time: [6, 'TYPE_INT64'],
    expiry_height: [7, 'TYPE_INT32'],
    state: [8, 'TYPE_ENUM'],
    custom_records: [9, 'TYPE_MESSAGE'],
    mpp_total_amt_msat: [10, 'TYPE_UINT64'],
    custom_channel_data: [12, 'TYPE_BYTES'],
  },
  'lnrpc.AddInvoiceResponse': {
    r_hash: [1, 'TYPE_BYTES'],
    payment_request: [2, 'TYPE_STRING'],
    add_index: [16, 'TYPE_UINT64'],
    payment_addr: [17, 'TYPE_BYTES'],
  },
  'lnrpc.PaymentHash': { r_hash_str: [1, 'TYPE_STRING'], r_hash: [2, 'TYPE_BYTES'] },
  'lnrpc.ListInvoiceRequest': {
    pending_only: [1, 'TYPE_BOOL'],
    index_offset: [4, 'TYPE_UINT64'],
    num_max_invoices: [5, 'TYPE_UINT64'],
    reversed: [6, 'TYPE_BOOL'],
    creation_date_start: [7, 'TYPE_UINT64'],
    creation_date_end: [8, 'TYPE_UINT64'],
  },
  'lnrpc.ListInvoiceResponse': {
    invoices: [1, 'TYPE_MESSAGE'],
    last_index_offset: [2, 'TYPE_UINT64'],
    first_index_offset: [3, 'TYPE_UINT64'],
  },
  'lnrpc.InvoiceSubscription': { add_index: [1, 'TYPE_UINT64'], settle_index: [2, 'TYPE_UINT64'] },
  'lnrpc.Payment': {
    payment_hash: [1, 'TYPE_STRING'],
    value: [2, 'TYPE_INT64'],
    creation_date: [3, 'TYPE_INT64'],
    fee: [5, 'TYPE_INT64'],
    payment_preimage: [6, 'TYPE_STRING'],
    value_sat: [7, 'TYPE_INT64'],
    value_msat: [8, 'TYPE_INT64'],
    payment_request: [9, 'TYPE_STRING'],
    status: [10, 'TYPE_ENUM'],
    fee_sat: [11, 'TYPE_INT64'],
    fee_msat: [12, 'TYPE_INT64'],
    creation_time_ns: [13, 'TYPE_INT64'],
    htlcs: [14, 'TYPE_MESSAGE'],
    payment_index: [15, 'TYPE_UINT64'],
    failure_reason: [16, 'TYPE_ENUM'],
  },
  'lnrpc.HTLCAttempt': {
    attempt_id: [7, 'TYPE_UINT64'],
    status: [1, 'TYPE_ENUM'],
    route: [2, 'TYPE_MESSAGE'],
    attempt_time_ns: [3, 'TYPE_INT64'],
    resolve_time_ns: [4, 'TYPE_INT64'],
    failure: [5, 'TYPE_MESSAGE'],
    preimage: [6, 'TYPE_BYTES'],
  },
  'lnrpc.Route': {
    total_time_lock: [1, 'TYPE_UINT32'],
    total_fees: [2, 'TYPE_INT64'],
    total_amt: [3, 'TYPE_INT64'],
    hops: [4, 'TYPE_MESSAGE'],
    total_fees_msat: [5, 'TYPE_INT64'],
    total_amt_msat: [6, 'TYPE_INT64'],
    first_hop_amount_msat: [7, 'TYPE_INT64'],
  },
  'lnrpc.Hop': {
    chan_id: [1, 'TYPE_UINT64'],
    chan_capacity: [2, 'TYPE_INT64'],
    amt_to_forward: [3, 'TYPE_INT64'],
    fee: [4, 'TYPE_INT64'],
    expiry: [5, 'TYPE_UINT32'],
    amt_to_forward_msat: [6, 'TYPE_INT64'],
    fee_msat: [7, 'TYPE_INT64'],
    pub_key: [8, 'TYPE_STRING'],
    tlv_payload: [9, 'TYPE_BOOL'],
    mpp_record: [10, 'TYPE_MESSAGE'],
    custom_records: [11, 'TYPE_MESSAGE'],
    metadata: [13, 'TYPE_BYTES'],
  },
  'lnrpc.MPPRecord': { payment_addr: [11, 'TYPE_BYTES'], total_amt_msat: [10, 'TYPE_INT64'] },
  'lnrpc.Failure': {
    code: [1, 'TYPE_ENUM'],
    htlc_msat: [4, 'TYPE_UINT64'],
    onion_sha_256: [5, 'TYPE_BYTES'],
    cltv_expiry: [6, 'TYPE_UINT32'],
    flags: [7, 'TYPE_UINT32'],
    failure_source_index: [8, 'TYPE_UINT32'],
    height: [9, 'TYPE_UINT32'],
  },
  'lnrpc.ListPaymentsRequest': {
    include_incomplete: [1, 'TYPE_BOOL'],
    index_offset: [2, 'TYPE_UINT64'],
    max_payments: [3, 'TYPE_UINT64'],
    reversed: [4, 'TYPE_BOOL'],
    count_total_payments: [5, 'TYPE_BOOL'],
    creation_date_start: [6, 'TYPE_UINT64'],
    creation_date_end: [7, 'TYPE_UINT64'],
    omit_hops: [8, 'TYPE_BOOL'],
  },
  'lnrpc.ListPaymentsResponse': {
    payments: [1, 'TYPE_MESSAGE'],
    first_index_offset: [2, 'TYPE_UINT64'],
    last_index_offset: [3, 'TYPE_UINT64'],
    total_num_payments: [4, 'TYPE_UINT64'],
  },
  'lnrpc.Amount': { sat: [1, 'TYPE_UINT64'], msat: [2, 'TYPE_UINT64'] },
  'lnrpc.ChannelBalanceResponse': {
    balance: [1, 'TYPE_INT64'],
    pending_open_balance: [2, 'TYPE_INT64'],
    local_balance: [3, 'TYPE_MESSAGE'],
    remote_balance: [4, 'TYPE_MESSAGE'],
    unsettled_local_balance: [5, 'TYPE_MESSAGE'],
    unsettled_remote_balance: [6, 'TYPE_MESSAGE'],
    pending_open_local_balance: [7, 'TYPE_MESSAGE'],
    pending_open_remote_balance: [8, 'TYPE_MESSAGE'],
    custom_channel_data: [9, 'TYPE_BYTES'],
  },
  'lnrpc.ListChannelsRequest': {
    active_only: [1, 'TYPE_BOOL'],
    inactive_only: [2, 'TYPE_BOOL'],
    public_only: [3, 'TYPE_BOOL'],
    private_only: [4, 'TYPE_BOOL'],
    peer: [5, 'TYPE_BYTES'],
    peer_alias_lookup: [6, 'TYPE_BOOL'],
  },
  'lnrpc.ListChannelsResponse': { channels: [11, 'TYPE_MESSAGE'] },
  'lnrpc.Channel': {
    active: [1, 'TYPE_BOOL'],
    remote_pubkey: [2, 'TYPE_STRING'],
    channel_point: [3, 'TYPE_STRING'],
    chan_id: [4, 'TYPE_UINT64'],
    capacity: [5, 'TYPE_INT64'],
    local_balance: [6, 'TYPE_INT64'],
    remote_balance: [7, 'TYPE_INT64'],
    commit_fee: [8, 'TYPE_INT64'],
    commit_weight: [9, 'TYPE_INT64'],
    fee_per_kw: [10, 'TYPE_INT64'],
    unsettled_balance: [11, 'TYPE_INT64'],
    total_satoshis_sent: [12, 'TYPE_INT64'],
    total_satoshis_received: [13, 'TYPE_INT64'],
    num_updates: [14, 'TYPE_UINT64'],
    pending_htlcs: [15, 'TYPE_MESSAGE'],
    csv_delay: [16, 'TYPE_UINT32'],
    private: [17, 'TYPE_BOOL'],
    initiator: [18, 'TYPE_BOOL'],
    chan_status_flags: [19, 'TYPE_STRING'],
    local_chan_reserve_sat: [20, 'TYPE_INT64'],
    remote_chan_reserve_sat: [21, 'TYPE_INT64'],
    static_remote_key: [22, 'TYPE_BOOL'],
    commitment_type: [26, 'TYPE_ENUM'],
    lifetime: [23, 'TYPE_INT64'],
    uptime: [24, 'TYPE_INT64'],
    close_address: [25, 'TYPE_STRING'],
    push_amount_sat: [27, 'TYPE_UINT64'],
    thaw_height: [28, 'TYPE_UINT32'],
    local_constraints: [29, 'TYPE_MESSAGE'],
    remote_constraints: [30, 'TYPE_MESSAGE'],
    alias_scids: [31, 'TYPE_UINT64'],
    zero_conf: [32, 'TYPE_BOOL'],
    zero_conf_confirmed_scid: [33, 'TYPE_UINT64'],
    peer_alias: [34, 'TYPE_STRING'],
    peer_scid_alias: [35, 'TYPE_UINT64'],
    memo: [36, 'TYPE_STRING'],
    custom_channel_data: [37, 'TYPE_BYTES'],
  },
  'lnrpc.WalletBalanceResponse': {
    total_balance: [1, 'TYPE_INT64'],
    confirmed_balance: [2, 'TYPE_INT64'],
    unconfirmed_balance: [3, 'TYPE_INT64'],
    locked_balance: [5, 'TYPE_INT64'],
    reserved_balance_anchor_chan: [6, 'TYPE_INT64'],
    account_balance: [4, 'TYPE_MESSAGE'],
  },
  'lnrpc.PayReqString': { pay_req: [1, 'TYPE_STRING'] },
  'lnrpc.PayReq': {
    destination: [1, 'TYPE_STRING'],
    payment_hash: [2, 'TYPE_STRING'],
    num_satoshis: [3, 'TYPE_INT64'],
    timestamp: [4, 'TYPE_INT64'],
    expiry: [5, 'TYPE_INT64'],
    description: [6, 'TYPE_STRING'],
    description_hash: [7, 'TYPE_STRING'],
    fallback_addr: [8, 'TYPE_STRING'],
    cltv_expiry: [9, 'TYPE_INT64'],
    route_hints: [10, 'TYPE_MESSAGE'],
    payment_addr: [11, 'TYPE_BYTES'],
    num_msat: [12, 'TYPE_INT64'],
    features: [13, 'TYPE_MESSAGE'],
  },
  'invoicesrpc.CancelInvoiceMsg': { payment_hash: [1, 'TYPE_BYTES'] },
  'invoicesrpc.AddHoldInvoiceRequest': {
    memo: [1, 'TYPE_STRING'],
    hash: [2, 'TYPE_BYTES'],
    value: [3, 'TYPE_INT64'],
    value_msat: [10, 'TYPE_INT64'],
    description_hash: [4, 'TYPE_BYTES'],
    expiry: [5, 'TYPE_INT64'],
    fallback_addr: [6, 'TYPE_STRING'],
    cltv_expiry: [7, 'TYPE_UINT64'],
    route_hints: [8, 'TYPE_MESSAGE'],
    private: [9, 'TYPE_BOOL'],
  },
  'invoicesrpc.AddHoldInvoiceResp': {
    payment_request: [1, 'TYPE_STRING'],
    add_index: [2, 'TYPE_UINT64'],
    payment_addr: [3, 'TYPE_BYTES'],
  },
  'invoicesrpc.SettleInvoiceMsg': { preimage: [1, 'TYPE_BYTES'] },
  'invoicesrpc.SubscribeSingleInvoiceRequest': { r_hash: [2, 'TYPE_BYTES'] },
  'routerrpc.SendPaymentRequest': {
    dest: [1, 'TYPE_BYTES'],
    amt: [2, 'TYPE_INT64'],
    amt_msat: [12, 'TYPE_INT64'],
    payment_hash: [3, 'TYPE_BYTES'],
    final_cltv_delta: [4, 'TYPE_INT32'],
    payment_request: [5, 'TYPE_STRING'],
    timeout_seconds: [6, 'TYPE_INT32'],
    fee_limit_sat: [7, 'TYPE_INT64'],
    fee_limit_msat: [13, 'TYPE_INT64'],
    outgoing_chan_id: [8, 'TYPE_UINT64'],
    outgoing_chan_ids: [19, 'TYPE_UINT64'],
    last_hop_pubkey: [14, 'TYPE_BYTES'],
    cltv_limit: [9, 'TYPE_INT32'],
    allow_self_payment: [15, 'TYPE_BOOL'],
    max_parts: [17, 'TYPE_UINT32'],
    no_inflight_updates: [18, 'TYPE_BOOL'],
  },
  'routerrpc.TrackPaymentRequest': { payment_hash: [1, 'TYPE_BYTES'], no_inflight_updates: [2, 'TYPE_BOOL'] },
};

const LND_ENUMS: Record<string, Record<string, number>> = {
  'lnrpc.Invoice.InvoiceState': { OPEN: 0, SETTLED: 1, CANCELED: 2, ACCEPTED: 3 },
  'lnrpc.Payment.PaymentStatus': { UNKNOWN: 0, IN_FLIGHT: 1, SUCCEEDED: 2, FAILED: 3, INITIATED: 4 },
  'lnrpc.PaymentFailureReason': {
    FAILURE_REASON_NONE: 0,
    FAILURE_REASON_TIMEOUT: 1,
    FAILURE_REASON_NO_ROUTE: 2,
    FAILURE_REASON_ERROR: 3,
    FAILURE_REASON_INCORRECT_PAYMENT_DETAILS: 4,
    FAILURE_REASON_INSUFFICIENT_BALANCE: 5,
    FAILURE_REASON_CANCELED: 6,
  },
  'lnrpc.InvoiceHTLCState': { ACCEPTED: 0, SETTLED: 1, CANCELED: 2 },
  'lnrpc.HTLCAttempt.HTLCStatus': { IN_FLIGHT: 0, SUCCEEDED: 1, FAILED: 2 },
  'lnrpc.Failure.FailureCode': {
    RESERVED: 0,
    INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS: 1,
    INCORRECT_PAYMENT_AMOUNT: 2,
    FINAL_INCORRECT_CLTV_EXPIRY: 3,
    FINAL_INCORRECT_HTLC_AMOUNT: 4,
    FINAL_EXPIRY_TOO_SOON: 5,
    INVALID_REALM: 6,
    EXPIRY_TOO_SOON: 7,
    INVALID_ONION_VERSION: 8,
    INVALID_ONION_HMAC: 9,
    INVALID_ONION_KEY: 10,
    AMOUNT_BELOW_MINIMUM: 11,
    FEE_INSUFFICIENT: 12,
    INCORRECT_CLTV_EXPIRY: 13,
    CHANNEL_DISABLED: 14,
    TEMPORARY_CHANNEL_FAILURE: 15,
    REQUIRED_NODE_FEATURE_MISSING: 16,
    REQUIRED_CHANNEL_FEATURE_MISSING: 17,
    UNKNOWN_NEXT_PEER: 18,
    TEMPORARY_NODE_FAILURE: 19,
    PERMANENT_NODE_FAILURE: 20,
    PERMANENT_CHANNEL_FAILURE: 21,
    EXPIRY_TOO_FAR: 22,
    MPP_TIMEOUT: 23,
    INVALID_ONION_PAYLOAD: 24,
    INVALID_ONION_BLINDING: 25,
    INTERNAL_FAILURE: 997,
    UNKNOWN_FAILURE: 998,
    UNREADABLE_FAILURE: 999,
  },
};

const LND_METHODS: Record<string, { service: string; method: string; request: string; response: string; streams: boolean }> = {
  '/lnrpc.Lightning/GetInfo': { service: 'lnrpc.Lightning', method: 'GetInfo', request: 'GetInfoRequest', response: 'GetInfoResponse', streams: false },
  '/lnrpc.Lightning/AddInvoice': { service: 'lnrpc.Lightning', method: 'AddInvoice', request: 'Invoice', response: 'AddInvoiceResponse', streams: false },
  '/lnrpc.Lightning/LookupInvoice': { service: 'lnrpc.Lightning', method: 'LookupInvoice', request: 'PaymentHash', response: 'Invoice', streams: false },
  '/lnrpc.Lightning/ListInvoices': { service: 'lnrpc.Lightning', method: 'ListInvoices', request: 'ListInvoiceRequest', response: 'ListInvoiceResponse', streams: false },
  '/lnrpc.Lightning/SubscribeInvoices': { service: 'lnrpc.Lightning', method: 'SubscribeInvoices', request: 'InvoiceSubscription', response: 'Invoice', streams: true },
  '/lnrpc.Lightning/ChannelBalance': { service: 'lnrpc.Lightning', method: 'ChannelBalance', request: 'ChannelBalanceRequest', response: 'ChannelBalanceResponse', streams: false },
  '/lnrpc.Lightning/ListChannels': { service: 'lnrpc.Lightning', method: 'ListChannels', request: 'ListChannelsRequest', response: 'ListChannelsResponse', streams: false },
  '/lnrpc.Lightning/WalletBalance': { service: 'lnrpc.Lightning', method: 'WalletBalance', request: 'WalletBalanceRequest', response: 'WalletBalanceResponse', streams: false },
  '/lnrpc.Lightning/DecodePayReq': { service: 'lnrpc.Lightning', method: 'DecodePayReq', request: 'PayReqString', response: 'PayReq', streams: false },
  '/lnrpc.Lightning/ListPayments': { service: 'lnrpc.Lightning', method: 'ListPayments', request: 'ListPaymentsRequest', response: 'ListPaymentsResponse', streams: false },
  '/invoicesrpc.Invoices/CancelInvoice': { service: 'invoicesrpc.Invoices', method: 'CancelInvoice', request: 'CancelInvoiceMsg', response: 'CancelInvoiceResp', streams: false },
  '/invoicesrpc.Invoices/AddHoldInvoice': { service: 'invoicesrpc.Invoices', method: 'AddHoldInvoice', request: 'AddHoldInvoiceRequest', response: 'AddHoldInvoiceResp', streams: false },
  '/invoicesrpc.Invoices/SettleInvoice': { service: 'invoicesrpc.Invoices', method: 'SettleInvoice', request: 'SettleInvoiceMsg', response: 'SettleInvoiceResp', streams: false },
  '/invoicesrpc.Invoices/SubscribeSingleInvoice': { service: 'invoicesrpc.Invoices', method: 'SubscribeSingleInvoice', request: 'SubscribeSingleInvoiceRequest', response: 'Invoice', streams: true },
  '/routerrpc.Router/SendPaymentV2': { service: 'routerrpc.Router', method: 'SendPaymentV2', request: 'SendPaymentRequest', response: 'Payment', streams: true },
  '/routerrpc.Router/TrackPaymentV2': { service: 'routerrpc.Router', method: 'TrackPaymentV2', request: 'TrackPaymentRequest', response: 'Payment', streams: true },
};

interface FieldDescriptor {
  name: string;
  number: number;
  type: string;
}
interface EnumValueDescriptor {
  name: string;
  number: number;
}
interface MessageDescriptor {
  field: FieldDescriptor[];
  enumType: { name: string; value: EnumValueDescriptor[] }[];
}

const definition = loadLndPackageDefinition();

function messageDescriptor(fullName: string): MessageDescriptor {
  const entry = definition[fullName] as MessageTypeDefinition<unknown, unknown> | undefined;
  if (!entry || !('type' in entry)) throw new Error(`${fullName} is not in proto/`);
  return entry.type as unknown as MessageDescriptor;
}

function enumValues(fullName: string): Record<string, number> {
  const top = definition[fullName] as EnumTypeDefinition | undefined;
  let values: EnumValueDescriptor[] | undefined;
  if (top && 'type' in top) {
    values = (top.type as unknown as { value: EnumValueDescriptor[] }).value;
  } else {
    const parentName = fullName.slice(0, fullName.lastIndexOf('.'));
    const enumName = fullName.slice(fullName.lastIndexOf('.') + 1);
    values = messageDescriptor(parentName).enumType.find((e) => e.name === enumName)?.value;
  }
  if (!values) throw new Error(`${fullName} is not in proto/`);
  return Object.fromEntries(values.map((v) => [v.name, v.number]));
}

describe('proto/ against LND v0.21.2-beta', () => {
  describe.each(Object.entries(LND_MESSAGES))('message %s', (fullName, expectedFields) => {
    it('has every field with LND’s number and type', () => {
      const fields = Object.fromEntries(
        messageDescriptor(fullName).field.map((f) => [f.name, [f.number, f.type] as const]),
      );
      for (const [name, expected] of Object.entries(expectedFields)) {
        expect(fields[name], `${fullName}.${name}`).toEqual(expected);
      }
    });

    it('declares no field that is missing from LND’s table', () => {
      const declared = messageDescriptor(fullName).field.map((f) => f.name);
      expect(declared.filter((name) => !(name in expectedFields))).toEqual([]);
    });
  });

  it.each(Object.entries(LND_ENUMS))('enum %s has LND’s values', (fullName, expected) => {
    expect(enumValues(fullName)).toEqual(expected);
  });

  it.each(Object.entries(LND_METHODS))('method %s has LND’s path, types and streaming', (methodPath, expected) => {
    const service = definition[expected.service] as ServiceDefinition;
    const method = service[expected.method];
    expect(method?.path).toBe(methodPath);
    expect(method?.requestStream).toBe(false);
    expect(method?.responseStream).toBe(expected.streams);
    expect((method?.requestType.type as unknown as { name: string }).name).toBe(expected.request);
    expect((method?.responseType.type as unknown as { name: string }).name).toBe(expected.response);
  });

  it('keeps the numbers that are easy to get wrong', () => {
    const number = (message: string, field: string) =>
      messageDescriptor(message).field.find((f) => f.name === field)?.number;
    expect(number('lnrpc.AddInvoiceResponse', 'add_index')).toBe(16);
    expect(number('lnrpc.AddInvoiceResponse', 'payment_addr')).toBe(17);
    expect(number('lnrpc.ListChannelsResponse', 'channels')).toBe(11);
    expect(number('lnrpc.Invoice', 'value_msat')).toBe(23);
    expect(number('lnrpc.Invoice', 'state')).toBe(21);
    expect(number('lnrpc.Invoice', 'htlcs')).toBe(22);
    expect(number('lnrpc.Payment', 'htlcs')).toBe(14);
    expect(number('lnrpc.MPPRecord', 'payment_addr')).toBe(11);
    expect(number('invoicesrpc.SubscribeSingleInvoiceRequest', 'r_hash')).toBe(2);
  });
});
