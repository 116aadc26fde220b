import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { createLndCredentials } from './credentials';
import { toLndError } from './error-mapping';
import { hash32ToBytes } from './hex';
import { numberToInt64 } from './int64';
import { LndStream } from './lnd-stream';
import {
  addedInvoiceFromProto,
  channelBalanceFromProto,
  channelFromProto,
  invoiceFromProto,
  invoicePageFromProto,
  nodeInfoFromProto,
  paymentFromProto,
  paymentRequestFromProto,
  walletBalanceFromProto,
} from './mappers';
import { loadLndServices } from './proto-loader';
import type {
  AddedInvoice,
  AddInvoiceRequest,
  ChannelBalance,
  ChannelSummary,
  DecodedPaymentRequest,
  Invoice,
  InvoicePage,
  ListInvoicesRequest,
  NodeInfo,
  Payment,
  SendPaymentRequest,
  SubscribeInvoicesRequest,
  WalletBalance,
} from './types';

export const DEFAULT_UNARY_TIMEOUT_MS = 10_000;
// LND closes connections that ping more often than every 5 s; stay well above.
export const DEFAULT_KEEPALIVE_TIME_MS = 30_000;
const KEEPALIVE_TIMEOUT_MS = 10_000;
// ListInvoices pages can be large; LND itself allows up to 200 MiB.
const MAX_RECEIVE_MESSAGE_BYTES = 64 * 1024 * 1024;

export interface LndClientOptions {
  /** host:port of LND's gRPC interface, e.g. "127.0.0.1:10009". */
  host: string;
  /** The node's tls.cert (PEM). */
  tlsCert: Buffer | string;
  /** Macaroon bytes, or the same as a hex string. */
  macaroon: Buffer | string;
  /** Deadline of every unary call. */
  unaryTimeoutMs?: number;
  /** Keepalive ping interval on the connection, which keeps long streams alive. */
  keepaliveTimeMs?: number;
  /** Name to check the certificate against when `host` is not in it. */
  tlsServerName?: string;
}

export interface LndClientFileOptions extends Omit<LndClientOptions, 'tlsCert' | 'macaroon'> {
  tlsCertPath: string;
  macaroonPath: string;
}

export interface UnaryCallOptions {
  timeoutMs?: number;
}

type UnaryCallback = (error: grpc.ServiceError | null, response: unknown) => void;
type UnaryMethod = (request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, callback: UnaryCallback) => void;
type StreamMethod = (request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions) => grpc.ClientReadableStream<unknown>;

// Node warns when TLS SNI is an IP address. LND's certificate always names
// "localhost", so loopback connections check against that name instead.
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

function serverNameFor(host: string, override: string | undefined): string | undefined {
  if (override) return override;
  const hostname = host.replace(/:\d+$/, '');
  return LOOPBACK_HOSTS.has(hostname) ? 'localhost' : undefined;
}

function nonNegativeInt64(value: number | undefined, field: string): string {
  if (value === undefined) return '0';
  if (value < 0) throw new RangeError(`${field} must be >= 0`);
  return numberToInt64(value, field);
}

/**
 * Typed client for the parts of LND this project uses. One instance holds one
 * HTTP/2 connection shared by the Lightning, Invoices and Router services.
 */
export class LndClient {
  private readonly lightning: grpc.Client;
  private readonly invoices: grpc.Client;
  private readonly router: grpc.Client;
  private readonly unaryTimeoutMs: number;

  constructor(options: LndClientOptions) {
    const services = loadLndServices();
    const serverName = serverNameFor(options.host, options.tlsServerName);
    const channelOptions: grpc.ChannelOptions = {
      'grpc.keepalive_time_ms': options.keepaliveTimeMs ?? DEFAULT_KEEPALIVE_TIME_MS,
      'grpc.keepalive_timeout_ms': KEEPALIVE_TIMEOUT_MS,
      'grpc.keepalive_permit_without_calls': 0,
      'grpc.max_receive_message_length': MAX_RECEIVE_MESSAGE_BYTES,
      ...(serverName ? { 'grpc.ssl_target_name_override': serverName } : {}),
    };
    const credentials = createLndCredentials(options.tlsCert, options.macaroon);
    this.lightning = new services.Lightning(options.host, credentials, channelOptions);
    const shared = { ...channelOptions, channelOverride: this.lightning.getChannel() };
    this.invoices = new services.Invoices(options.host, credentials, shared);
    this.router = new services.Router(options.host, credentials, shared);
    this.unaryTimeoutMs = options.unaryTimeoutMs ?? DEFAULT_UNARY_TIMEOUT_MS;
  }

  static fromFiles(options: LndClientFileOptions): LndClient {
    const { tlsCertPath, macaroonPath, ...rest } = options;
    return new LndClient({ ...rest, tlsCert: readFileSync(tlsCertPath), macaroon: readFileSync(macaroonPath) });
  }

  async getInfo(options?: UnaryCallOptions): Promise<NodeInfo> {
    return nodeInfoFromProto(await this.unary(this.lightning, 'GetInfo', {}, options));
  }

  async addInvoice(request: AddInvoiceRequest, options?: UnaryCallOptions): Promise<AddedInvoice> {
    if (!Number.isSafeInteger(request.valueMsat) || request.valueMsat < 0) {
      throw new RangeError('valueMsat must be a safe integer >= 0');
    }
    const raw = {
      memo: request.memo ?? '',
      value_msat: numberToInt64(request.valueMsat, 'valueMsat'),
      expiry: nonNegativeInt64(request.expirySec, 'expirySec'),
      private: request.private ?? false,
      ...(request.descriptionHash ? { description_hash: hash32ToBytes(request.descriptionHash, 'descriptionHash') } : {}),
      ...(request.preimage ? { r_preimage: hash32ToBytes(request.preimage, 'preimage') } : {}),
    };
    return addedInvoiceFromProto(await this.unary(this.lightning, 'AddInvoice', raw, options));
  }

  async lookupInvoice(paymentHash: string, options?: UnaryCallOptions): Promise<Invoice> {
    const raw = { r_hash: hash32ToBytes(paymentHash, 'paymentHash') };
    return invoiceFromProto(await this.unary(this.lightning, 'LookupInvoice', raw, options));
  }

  async listInvoices(request: ListInvoicesRequest = {}, options?: UnaryCallOptions): Promise<InvoicePage> {
    const raw = {
      pending_only: request.pendingOnly ?? false,
      index_offset: nonNegativeInt64(request.indexOffset, 'indexOffset'),
      num_max_invoices: nonNegativeInt64(request.numMaxInvoices, 'numMaxInvoices'),
      reversed: request.reversed ?? false,
      creation_date_start: nonNegativeInt64(request.creationDateStartSec, 'creationDateStartSec'),
      creation_date_end: nonNegativeInt64(request.creationDateEndSec, 'creationDateEndSec'),
    };
    return invoicePageFromProto(await this.unary(this.lightning, 'ListInvoices', raw, options));
  }

  /**
   * Added and settled invoices. Indexes of 0 mean no backlog at all: catch up
   * with listInvoices first, then subscribe from the last indexes seen.
   */
  subscribeInvoices(request: SubscribeInvoicesRequest = {}): LndStream<Invoice> {
    const raw = {
      add_index: nonNegativeInt64(request.addIndex, 'addIndex'),
      settle_index: nonNegativeInt64(request.settleIndex, 'settleIndex'),
    };
    return this.stream(this.lightning, 'SubscribeInvoices', raw, invoiceFromProto);
  }

  async cancelInvoice(paymentHash: string, options?: UnaryCallOptions): Promise<void> {
    const raw = { payment_hash: hash32ToBytes(paymentHash, 'paymentHash') };
    await this.unary(this.invoices, 'CancelInvoice', raw, options);
  }

  async decodePaymentRequest(paymentRequest: string, options?: UnaryCallOptions): Promise<DecodedPaymentRequest> {
    return paymentRequestFromProto(await this.unary(this.lightning, 'DecodePayReq', { pay_req: paymentRequest }, options));
  }

  /** Streams the payment's states: the current one first, closing after SUCCEEDED or FAILED. */
  sendPayment(request: SendPaymentRequest): LndStream<Payment> {
    if (!Number.isInteger(request.timeoutSec) || request.timeoutSec < 0) {
      throw new RangeError('timeoutSec must be an integer >= 0');
    }
    const raw = {
      payment_request: request.paymentRequest,
      amt_msat: nonNegativeInt64(request.amountMsat, 'amountMsat'),
      fee_limit_msat: nonNegativeInt64(request.feeLimitMsat, 'feeLimitMsat'),
      timeout_seconds: request.timeoutSec,
      max_parts: request.maxParts ?? 0,
      no_inflight_updates: request.noInflightUpdates ?? false,
      allow_self_payment: request.allowSelfPayment ?? false,
      outgoing_chan_ids: request.outgoingChanIds ?? [],
    };
    return this.stream(this.router, 'SendPaymentV2', raw, paymentFromProto);
  }

  /** Like sendPayment's stream; NotFoundError (from the iterator) for a hash never paid. */
  trackPayment(paymentHash: string, options: { noInflightUpdates?: boolean } = {}): LndStream<Payment> {
    const raw = {
      payment_hash: hash32ToBytes(paymentHash, 'paymentHash'),
      no_inflight_updates: options.noInflightUpdates ?? false,
    };
    return this.stream(this.router, 'TrackPaymentV2', raw, paymentFromProto);
  }

  async channelBalance(options?: UnaryCallOptions): Promise<ChannelBalance> {
    return channelBalanceFromProto(await this.unary(this.lightning, 'ChannelBalance', {}, options));
  }

  async listChannels(options?: UnaryCallOptions): Promise<ChannelSummary[]> {
    const raw = await this.unary<{ channels: never[] }>(this.lightning, 'ListChannels', {}, options);
    return raw.channels.map(channelFromProto);
  }

  async walletBalance(options?: UnaryCallOptions): Promise<WalletBalance> {
    return walletBalanceFromProto(await this.unary(this.lightning, 'WalletBalance', {}, options));
  }

  close(): void {
    this.router.close();
    this.invoices.close();
    this.lightning.close();
  }

  private unary<Response = never>(
    client: grpc.Client,
    method: string,
    request: unknown,
    options: UnaryCallOptions | undefined,
  ): Promise<Response> {
    const call = (client as unknown as Record<string, UnaryMethod>)[method];
    if (!call) throw new Error(`LND method ${method} is not in the loaded protos`);
    const deadline = Date.now() + (options?.timeoutMs ?? this.unaryTimeoutMs);
    return new Promise<Response>((resolve, reject) => {
      call.call(client, request, new grpc.Metadata(), { deadline }, (error, response) => {
        if (error) reject(toLndError(error, method));
        else resolve(response as Response);
      });
    });
  }

  private stream<T>(client: grpc.Client, method: string, request: unknown, map: (raw: never) => T): LndStream<T> {
    const call = (client as unknown as Record<string, StreamMethod>)[method];
    if (!call) throw new Error(`LND method ${method} is not in the loaded protos`);
    return new LndStream(call.call(client, request, new grpc.Metadata(), {}), map, method);
  }
}
