import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { createClnCredentials } from './credentials';
import { toClnError } from './error-mapping';
import {
  createdInvoiceFromProto,
  decodedInvoiceFromProto,
  fundsFromProto,
  invoiceFromProto,
  nodeInfoFromProto,
  payFromProto,
  xpayResultFromProto,
} from './mappers';
import { loadClnNodeClientConstructor } from './proto-loader';
import type {
  RawDecodeResponse,
  RawGetinfoResponse,
  RawInvoiceRecord,
  RawInvoiceResponse,
  RawListfundsResponse,
  RawListinvoicesResponse,
  RawListpaysResponse,
  RawXpayResponse,
} from './proto-types';
import { delInvoiceToProto, invoiceToProto, listInvoicesToProto, listPaysToProto, waitAnyInvoiceToProto, xpayToProto } from './requests';
import type {
  ClnCreatedInvoice,
  ClnDecodedInvoice,
  ClnDelInvoiceRequest,
  ClnFunds,
  ClnInvoice,
  ClnInvoiceRequest,
  ClnListInvoicesRequest,
  ClnListPaysRequest,
  ClnNodeInfo,
  ClnPay,
  ClnWaitAnyInvoiceRequest,
  ClnXpayRequest,
  ClnXpayResult,
} from './types';

export const DEFAULT_CLN_UNARY_TIMEOUT_MS = 10_000;
export const DEFAULT_CLN_KEEPALIVE_TIME_MS = 30_000;
const KEEPALIVE_TIMEOUT_MS = 10_000;
/** xpay's own default retry_for: it answers only once the payment is final. */
const XPAY_DEFAULT_RETRY_FOR_SEC = 60;
/**
 * cln-grpc's server certificate names only "cln" and "localhost", whatever host the node
 * runs on, so the certificate is checked against "cln" unless told otherwise.
 */
export const CLN_GRPC_SERVER_NAME = 'cln';

export interface ClnClientOptions {
  /** host:port of cln-grpc (lightningd's `grpc-port`), e.g. "127.0.0.1:9736". */
  host: string;
  /** ca.pem: the node's own CA, the only one trusted for the server. */
  caCert: Buffer | string;
  /** client.pem and client-key.pem, signed by that CA. */
  clientCert: Buffer | string;
  clientKey: Buffer | string;
  /** Deadline of every call that answers at once. */
  unaryTimeoutMs?: number;
  /** Keepalive ping interval, which also notices a dead connection under a long wait. */
  keepaliveTimeMs?: number;
  /** Name the server certificate must carry. Default "cln". */
  tlsServerName?: string;
}

export interface ClnClientFileOptions extends Omit<ClnClientOptions, 'caCert' | 'clientCert' | 'clientKey'> {
  caCertPath: string;
  clientCertPath: string;
  clientKeyPath: string;
}

export interface ClnCallOptions {
  /** This call's deadline instead of the default one. */
  timeoutMs?: number;
  /** Cancels the call (a waitAnyInvoice the caller no longer wants, say). */
  signal?: AbortSignal;
}

type UnaryCallback = (error: grpc.ServiceError | null, response: unknown) => void;
type UnaryMethod = (request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, callback: UnaryCallback) => grpc.ClientUnaryCall;

/**
 * Typed client of Core Lightning's cln-grpc (service cln.Node of proto/cln/): one HTTP/2
 * connection over mutual TLS. Failures are ClnError subclasses (errors.ts).
 */
export class ClnClient {
  private readonly node: grpc.Client;
  private readonly unaryTimeoutMs: number;

  constructor(options: ClnClientOptions) {
    const Node = loadClnNodeClientConstructor();
    const credentials = createClnCredentials(options.caCert, options.clientCert, options.clientKey);
    this.node = new Node(options.host, credentials, {
      'grpc.ssl_target_name_override': options.tlsServerName ?? CLN_GRPC_SERVER_NAME,
      'grpc.keepalive_time_ms': options.keepaliveTimeMs ?? DEFAULT_CLN_KEEPALIVE_TIME_MS,
      'grpc.keepalive_timeout_ms': KEEPALIVE_TIMEOUT_MS,
      'grpc.keepalive_permit_without_calls': 0,
    });
    this.unaryTimeoutMs = options.unaryTimeoutMs ?? DEFAULT_CLN_UNARY_TIMEOUT_MS;
  }

  static fromFiles(options: ClnClientFileOptions): ClnClient {
    const { caCertPath, clientCertPath, clientKeyPath, ...rest } = options;
    return new ClnClient({
      ...rest,
      caCert: readFileSync(caCertPath),
      clientCert: readFileSync(clientCertPath),
      clientKey: readFileSync(clientKeyPath),
    });
  }

  async getinfo(options?: ClnCallOptions): Promise<ClnNodeInfo> {
    return nodeInfoFromProto(await this.unary<RawGetinfoResponse>('Getinfo', {}, options));
  }

  async listFunds(options?: ClnCallOptions): Promise<ClnFunds> {
    return fundsFromProto(await this.unary<RawListfundsResponse>('ListFunds', {}, options));
  }

  /** DuplicateLabelError when the label is taken, DuplicatePreimageError for a reused preimage. */
  async invoice(request: ClnInvoiceRequest, options?: ClnCallOptions): Promise<ClnCreatedInvoice> {
    return createdInvoiceFromProto(await this.unary<RawInvoiceResponse>('Invoice', invoiceToProto(request), options));
  }

  async listInvoices(request: ClnListInvoicesRequest = {}, options?: ClnCallOptions): Promise<ClnInvoice[]> {
    const raw = await this.unary<RawListinvoicesResponse>('ListInvoices', listInvoicesToProto(request), options);
    return raw.invoices.map(invoiceFromProto);
  }

  /**
   * The first invoice paid with a pay_index above `lastpayIndex`, at once or when it is
   * paid. Resume from the last pay_index handled to see every payment exactly in order.
   * The deadline covers `timeoutSec`; without one the call waits until paid or cancelled.
   */
  async waitAnyInvoice(request: ClnWaitAnyInvoiceRequest = {}, options: ClnCallOptions = {}): Promise<ClnInvoice> {
    const timeoutMs = options.timeoutMs ?? (request.timeoutSec === undefined ? Infinity : request.timeoutSec * 1000 + this.unaryTimeoutMs);
    const raw = await this.unary<RawInvoiceRecord>('WaitAnyInvoice', waitAnyInvoiceToProto(request), { ...options, timeoutMs });
    return invoiceFromProto(raw);
  }

  /** InvoiceStatusMismatchError when the invoice is not in `status` (paid meanwhile, say). */
  async delInvoice(request: ClnDelInvoiceRequest, options?: ClnCallOptions): Promise<ClnInvoice> {
    return invoiceFromProto(await this.unary<RawInvoiceRecord>('DelInvoice', delInvoiceToProto(request), options));
  }

  async decode(invstring: string, options?: ClnCallOptions): Promise<ClnDecodedInvoice> {
    return decodedInvoiceFromProto(await this.unary<RawDecodeResponse>('Decode', { string: invstring }, options));
  }

  /**
   * Pays and answers once the payment is final. PaymentFailedError: xpay gave up;
   * AlreadyPaidError / PaymentPendingError: an earlier payment of the hash completed or is
   * in flight; PaymentOutcomeUnknownError: the answer was lost, so ask listPays. The
   * default deadline is retry_for plus the unary timeout.
   */
  async xpay(request: ClnXpayRequest, options: ClnCallOptions = {}): Promise<ClnXpayResult> {
    const retryForMs = (request.retryForSec ?? XPAY_DEFAULT_RETRY_FOR_SEC) * 1000;
    const timeoutMs = options.timeoutMs ?? retryForMs + this.unaryTimeoutMs;
    return xpayResultFromProto(await this.unary<RawXpayResponse>('Xpay', xpayToProto(request), { ...options, timeoutMs }));
  }

  /** Every payment of a hash or BOLT11, oldest first; `pending` until final. */
  async listPays(request: ClnListPaysRequest = {}, options?: ClnCallOptions): Promise<ClnPay[]> {
    const raw = await this.unary<RawListpaysResponse>('ListPays', listPaysToProto(request), options);
    return raw.pays.map(payFromProto);
  }

  close(): void {
    this.node.close();
  }

  private unary<Response>(method: string, request: object, options: ClnCallOptions = {}): Promise<Response> {
    const call = (this.node as unknown as Record<string, UnaryMethod>)[method];
    if (!call) throw new Error(`cln.Node method ${method} is not in the loaded protos`);
    const deadline = Date.now() + (options.timeoutMs ?? this.unaryTimeoutMs);
    const { signal } = options;
    return new Promise<Response>((resolve, reject) => {
      if (signal?.aborted) {
        reject(toClnError({ code: grpc.status.CANCELLED, details: 'cancelled by the caller' }, method));
        return;
      }
      const onAbort = (): void => pending.cancel();
      const pending = call.call(this.node, request, new grpc.Metadata(), { deadline }, (error, response) => {
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(toClnError(error, method));
        else resolve(response as Response);
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
