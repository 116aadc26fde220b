import type { RawAmount } from './amounts';

/**
 * Responses of proto/cln/node.proto as grpc-js decodes them with our loader options:
 * uint64 as strings, enums by name, proto3 `optional` fields absent when unset, other
 * message fields null when unset.
 */
type Optional<T> = T | undefined;

export interface RawGetinfoResponse {
  id: Buffer;
  alias: string;
  color: Buffer;
  num_peers: number;
  num_pending_channels: number;
  num_active_channels: number;
  num_inactive_channels: number;
  version: string;
  lightning_dir: string;
  blockheight: number;
  network: string;
  fees_collected_msat: RawAmount | null;
  warning_bitcoind_sync?: Optional<string>;
  warning_lightningd_sync?: Optional<string>;
}

export interface RawListfundsOutput {
  txid: Buffer;
  output: number;
  amount_msat: RawAmount | null;
  scriptpubkey: Buffer;
  address?: Optional<string>;
  status: 'UNCONFIRMED' | 'CONFIRMED' | 'SPENT' | 'IMMATURE';
  blockheight?: Optional<number>;
  reserved: boolean;
}

export interface RawListfundsChannel {
  peer_id: Buffer;
  our_amount_msat: RawAmount | null;
  amount_msat: RawAmount | null;
  funding_txid: Buffer;
  funding_output: number;
  connected: boolean;
  state: string;
  short_channel_id?: Optional<string>;
  channel_id: Buffer;
}

export interface RawListfundsResponse {
  outputs: RawListfundsOutput[];
  channels: RawListfundsChannel[];
}

export interface RawInvoiceResponse {
  bolt11: string;
  payment_hash: Buffer;
  payment_secret: Buffer;
  expires_at: string;
  created_index: string;
}

/** ListinvoicesInvoices, WaitanyinvoiceResponse and DelinvoiceResponse share these. */
export interface RawInvoiceRecord {
  label: string;
  description?: Optional<string>;
  payment_hash: Buffer;
  status: 'UNPAID' | 'PAID' | 'EXPIRED';
  expires_at: string;
  amount_msat?: Optional<RawAmount>;
  bolt11?: Optional<string>;
  pay_index?: Optional<string>;
  amount_received_msat?: Optional<RawAmount>;
  paid_at?: Optional<string>;
  payment_preimage?: Optional<Buffer>;
  created_index: string;
  updated_index?: Optional<string>;
}

export interface RawListinvoicesResponse {
  invoices: RawInvoiceRecord[];
}

export interface RawDecodeResponse {
  item_type: string;
  valid: boolean;
  created_at?: Optional<string>;
  expiry?: Optional<string>;
  payee?: Optional<Buffer>;
  payment_hash?: Optional<Buffer>;
  description_hash?: Optional<Buffer>;
  min_final_cltv_expiry?: Optional<number>;
  payment_secret?: Optional<Buffer>;
  currency?: Optional<string>;
  amount_msat?: Optional<RawAmount>;
  description?: Optional<string>;
}

export interface RawListpaysPay {
  payment_hash: Buffer;
  status: 'PENDING' | 'FAILED' | 'COMPLETE';
  destination?: Optional<Buffer>;
  created_at: string;
  label?: Optional<string>;
  bolt11?: Optional<string>;
  amount_msat?: Optional<RawAmount>;
  amount_sent_msat?: Optional<RawAmount>;
  completed_at?: Optional<string>;
  preimage?: Optional<Buffer>;
  number_of_parts?: Optional<string>;
  created_index?: Optional<string>;
  updated_index?: Optional<string>;
}

export interface RawListpaysResponse {
  pays: RawListpaysPay[];
}

export interface RawXpayResponse {
  payment_preimage: Buffer;
  failed_parts: string;
  successful_parts: string;
  amount_msat: RawAmount | null;
  amount_sent_msat: RawAmount | null;
}
