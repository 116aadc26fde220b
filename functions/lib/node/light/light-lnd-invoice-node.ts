import { GrpcUnaryClient } from '../../grpc-unary/unary-client';
import { hash32ToBytes } from '../../lnd/hex';
import { numberToInt64 } from '../../lnd/int64';
import { addedInvoiceFromProto, invoiceFromProto, nodeInfoFromProto } from '../../lnd/mappers';
import type { InvoiceNode } from '../lightning-node';
import { UnknownInvoiceError } from '../node-errors';
import type { CreatedInvoice, CreateInvoiceRequest, NodeInfo, NodeInvoice } from '../node-types';
import { nodeErrorFromLndCall } from './lnd-call-errors';
import {
  decodeAddInvoiceResponse,
  decodeGetInfoResponse,
  decodeInvoice,
  encodeAddInvoice,
  encodeCancelInvoice,
  encodePaymentHash,
} from './lnd-messages';
import { invoiceFromLnd as invoiceOfLnd, nodeInfoFromLnd as nodeInfoOfLnd } from '../lnd/lnd-mapping';

/** The full client's default deadline. */
const DEFAULT_UNARY_TIMEOUT_MS = 10_000;
const EMPTY = new Uint8Array(0);
// LND's certificate always names "localhost": loopback connections check that name (and send no IP as SNI).
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

export interface LightLndConnection {
  /** host:port of LND's gRPC. */
  host: string;
  /** The node's tls.cert (PEM): the only certificate trusted. */
  tlsCert: Buffer | string;
  /** The invoice macaroon, as bytes or hex. */
  macaroon: Buffer | string;
  unaryTimeoutMs?: number;
  /** Name to check the certificate against when `host` is not in it. */
  tlsServerName?: string;
}

/**
 * The API's invoice calls to LND (GetInfo, AddInvoice, LookupInvoice, CancelInvoice) on a small
 * unary gRPC client, with LndNode's outcomes and error classes, so the API functions bundle
 * neither grpc-js nor protobufjs.
 */
export class LightLndInvoiceNode implements InvoiceNode {
  private readonly grpc: GrpcUnaryClient;
  private readonly metadata: Record<string, string>;

  constructor(connection: LightLndConnection) {
    const serverName = serverNameFor(connection.host, connection.tlsServerName);
    this.grpc = new GrpcUnaryClient({
      host: connection.host,
      ca: Buffer.isBuffer(connection.tlsCert) ? connection.tlsCert : Buffer.from(connection.tlsCert),
      ...(serverName ? { serverName } : {}),
      defaultTimeoutMs: connection.unaryTimeoutMs ?? DEFAULT_UNARY_TIMEOUT_MS,
    });
    // LND wants exactly one macaroon, hex, on every call.
    this.metadata = { macaroon: macaroonHex(connection.macaroon) };
  }

  async getNodeInfo(): Promise<NodeInfo> {
    const raw = await this.call('getNodeInfo', '/lnrpc.Lightning/GetInfo', () => EMPTY, decodeGetInfoResponse);
    return nodeInfoOfLnd(nodeInfoFromProto(raw));
  }

  async createInvoice(request: CreateInvoiceRequest): Promise<CreatedInvoice> {
    // LND has no labels: our id lives in the table beside the payment hash.
    const raw = await this.call('createInvoice', '/lnrpc.Lightning/AddInvoice', () => addInvoiceMessage(request), decodeAddInvoiceResponse);
    const added = addedInvoiceFromProto(raw);
    return { paymentHash: added.paymentHash, bolt11: added.paymentRequest };
  }

  async lookupInvoice(paymentHash: string): Promise<NodeInvoice | undefined> {
    try {
      const raw = await this.call('lookupInvoice', '/lnrpc.Lightning/LookupInvoice', () => encodePaymentHash(hash32ToBytes(paymentHash, 'paymentHash')), decodeInvoice);
      return invoiceOfLnd(invoiceFromProto(raw));
    } catch (error) {
      if (error instanceof UnknownInvoiceError) return undefined;
      throw error;
    }
  }

  async cancelInvoice(paymentHash: string): Promise<void> {
    // LND's CancelInvoice succeeds for an invoice already canceled.
    await this.call('cancelInvoice', '/invoicesrpc.Invoices/CancelInvoice', () => encodeCancelInvoice(hash32ToBytes(paymentHash, 'paymentHash')), () => undefined);
  }

  /** Closes the connection; no call may follow. */
  close(): void {
    this.grpc.close();
  }

  /** `encode` runs inside the try, so a refused input fails the call the way the full client's checks do. */
  private async call<T>(operation: string, path: string, encode: () => Uint8Array, decode: (message: Buffer) => T): Promise<T> {
    try {
      return await this.grpc.call(path, encode(), decode, { metadata: this.metadata });
    } catch (error) {
      throw nodeErrorFromLndCall(error, path.slice(path.lastIndexOf('/') + 1), operation);
    }
  }
}

/** The AddInvoice fields LndNode sets, with the full client's checks on them. */
function addInvoiceMessage(request: CreateInvoiceRequest): Buffer {
  if (!Number.isSafeInteger(request.amountMsat) || request.amountMsat < 0) throw new RangeError('valueMsat must be a safe integer >= 0');
  if (request.expirySec < 0) throw new RangeError('expirySec must be >= 0');
  return encodeAddInvoice({
    memo: request.memo ?? '',
    value_msat: numberToInt64(request.amountMsat, 'valueMsat'),
    expiry: numberToInt64(request.expirySec, 'expirySec'),
    private: false,
    ...(request.descriptionHash ? { description_hash: hash32ToBytes(request.descriptionHash, 'descriptionHash') } : {}),
  });
}

function serverNameFor(host: string, override: string | undefined): string | undefined {
  if (override) return override;
  return LOOPBACK_HOSTS.has(host.replace(/:\d+$/, '')) ? 'localhost' : undefined;
}

/** Macaroons are raw bytes on disk; secrets may hold them as hex. */
function macaroonHex(macaroon: Buffer | string): string {
  if (Buffer.isBuffer(macaroon)) return macaroon.toString('hex');
  const trimmed = macaroon.trim();
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(trimmed)) throw new TypeError('macaroon string must be hex');
  return trimmed.toLowerCase();
}
