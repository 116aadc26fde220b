/**
 * Shapes of the LND messages as proto-loader hands them over with LND's
 * options (keepCase, longs as strings, enums as names, defaults filled in).
 * Shared by the client and the simulator so both sides agree on the wire.
 */
export type Int64 = string;

export interface RawFeature {
  name: string;
  is_required: boolean;
  is_known: boolean;
}

export interface RawChain {
  chain: string;
  network: string;
}

export interface RawGetInfoResponse {
  version: string;
  commit_hash: string;
  identity_pubkey: string;
  alias: string;
  color: string;
  num_pending_channels: number;
  num_active_channels: number;
  num_inactive_channels: number;
  num_peers: number;
  block_height: number;
  block_hash: string;
  best_header_timestamp: Int64;
  synced_to_chain: boolean;
  synced_to_graph: boolean;
  testnet: boolean;
  chains: RawChain[];
  uris: string[];
  features: Record<string, RawFeature>;
  require_htlc_interceptor: boolean;
  store_final_htlc_resolutions: boolean;
}

export type RawInvoiceState = 'OPEN' | 'SETTLED' | 'CANCELED' | 'ACCEPTED';

export interface RawInvoice {
  memo: string;
  r_preimage: Buffer;
  r_hash: Buffer;
  value: Int64;
  value_msat: Int64;
  settled: boolean;
  creation_date: Int64;
  settle_date: Int64;
  payment_request: string;
  description_hash: Buffer;
  expiry: Int64;
  fallback_addr: string;
  cltv_expiry: Int64;
  route_hints: unknown[];
  private: boolean;
  add_index: Int64;
  settle_index: Int64;
  amt_paid: Int64;
  amt_paid_sat: Int64;
  amt_paid_msat: Int64;
  state: RawInvoiceState;
  features: Record<string, RawFeature>;
  is_keysend: boolean;
  payment_addr: Buffer;
  is_amp: boolean;
  is_blinded: boolean;
}

export interface RawAddInvoiceResponse {
  r_hash: Buffer;
  payment_request: string;
  add_index: Int64;
  payment_addr: Buffer;
}

export interface RawPaymentHash {
  r_hash_str: string;
  r_hash: Buffer;
}

export interface RawListInvoiceRequest {
  pending_only: boolean;
  index_offset: Int64;
  num_max_invoices: Int64;
  reversed: boolean;
  creation_date_start: Int64;
  creation_date_end: Int64;
}

export interface RawListInvoiceResponse {
  invoices: RawInvoice[];
  last_index_offset: Int64;
  first_index_offset: Int64;
}

export interface RawInvoiceSubscription {
  add_index: Int64;
  settle_index: Int64;
}

export interface RawCancelInvoiceMsg {
  payment_hash: Buffer;
}

export type RawPaymentStatus = 'UNKNOWN' | 'IN_FLIGHT' | 'SUCCEEDED' | 'FAILED' | 'INITIATED';

export type RawPaymentFailureReason =
  | 'FAILURE_REASON_NONE'
  | 'FAILURE_REASON_TIMEOUT'
  | 'FAILURE_REASON_NO_ROUTE'
  | 'FAILURE_REASON_ERROR'
  | 'FAILURE_REASON_INCORRECT_PAYMENT_DETAILS'
  | 'FAILURE_REASON_INSUFFICIENT_BALANCE'
  | 'FAILURE_REASON_CANCELED';

export interface RawPayment {
  payment_hash: string;
  value: Int64;
  creation_date: Int64;
  fee: Int64;
  payment_preimage: string;
  value_sat: Int64;
  value_msat: Int64;
  payment_request: string;
  status: RawPaymentStatus;
  fee_sat: Int64;
  fee_msat: Int64;
  creation_time_ns: Int64;
  payment_index: Int64;
  failure_reason: RawPaymentFailureReason;
}

export interface RawSendPaymentRequest {
  dest: Buffer;
  amt: Int64;
  amt_msat: Int64;
  payment_hash: Buffer;
  final_cltv_delta: number;
  payment_request: string;
  timeout_seconds: number;
  fee_limit_sat: Int64;
  fee_limit_msat: Int64;
  outgoing_chan_id: string;
  outgoing_chan_ids: Int64[];
  last_hop_pubkey: Buffer;
  cltv_limit: number;
  allow_self_payment: boolean;
  max_parts: number;
  no_inflight_updates: boolean;
}

export interface RawTrackPaymentRequest {
  payment_hash: Buffer;
  no_inflight_updates: boolean;
}

export interface RawAmount {
  sat: Int64;
  msat: Int64;
}

export interface RawChannelBalanceResponse {
  balance: Int64;
  pending_open_balance: Int64;
  local_balance: RawAmount | null;
  remote_balance: RawAmount | null;
  unsettled_local_balance: RawAmount | null;
  unsettled_remote_balance: RawAmount | null;
  pending_open_local_balance: RawAmount | null;
  pending_open_remote_balance: RawAmount | null;
  custom_channel_data: Buffer;
}

export interface RawChannel {
  active: boolean;
  remote_pubkey: string;
  channel_point: string;
  chan_id: string;
  capacity: Int64;
  local_balance: Int64;
  remote_balance: Int64;
  commit_fee: Int64;
  commit_weight: Int64;
  fee_per_kw: Int64;
  unsettled_balance: Int64;
  total_satoshis_sent: Int64;
  total_satoshis_received: Int64;
  num_updates: Int64;
  private: boolean;
  initiator: boolean;
  chan_status_flags: string;
  commitment_type: string;
  lifetime: Int64;
  uptime: Int64;
  push_amount_sat: Int64;
  peer_alias: string;
}

export interface RawListChannelsResponse {
  channels: RawChannel[];
}

export interface RawWalletBalanceResponse {
  total_balance: Int64;
  confirmed_balance: Int64;
  unconfirmed_balance: Int64;
  locked_balance: Int64;
  reserved_balance_anchor_chan: Int64;
  account_balance: Record<string, { confirmed_balance: Int64; unconfirmed_balance: Int64 }>;
}

export interface RawPayReq {
  destination: string;
  payment_hash: string;
  num_satoshis: Int64;
  timestamp: Int64;
  expiry: Int64;
  description: string;
  description_hash: string;
  fallback_addr: string;
  cltv_expiry: Int64;
  route_hints: unknown[];
  payment_addr: Buffer;
  num_msat: Int64;
  features: Record<string, RawFeature>;
}
