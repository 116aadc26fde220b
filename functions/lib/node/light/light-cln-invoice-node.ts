import { createHash } from 'node:crypto';
import { GrpcUnaryClient } from '../../grpc-unary/unary-client';
import { createdInvoiceFromProto, invoiceFromProto, nodeInfoFromProto } from '../../cln/mappers';
import { delInvoiceToProto, invoiceToProto, listInvoicesToProto } from '../../cln/requests';
import { ClnRpcErrorCode } from '../../cln/rpc-error-codes';
import { type ClnInvoice, ClnInvoiceStatus, type ClnListInvoicesRequest } from '../../cln/types';
import type { InvoiceNode } from '../lightning-node';
import { DuplicateInvoiceError, InvoiceAlreadySettledError, UnknownInvoiceError, UnsupportedRequestError } from '../node-errors';
import type { CreatedInvoice, CreateInvoiceRequest, NodeInfo, NodeInvoice } from '../node-types';
import { clnCallFailure, nodeErrorFromClnCall } from './cln-call-errors';
import {
  type DelInvoiceRequestMessage,
  decodeDelInvoiceResponse,
  decodeGetinfoResponse,
  decodeInvoiceResponse,
  decodeListInvoicesResponse,
  encodeDelInvoiceRequest,
  encodeInvoiceRequest,
  encodeListInvoicesRequest,
  type InvoiceRequestMessage,
  type ListInvoicesRequestMessage,
} from './cln-messages';
import { invoiceFromCln, nodeInfoFromCln } from '../cln/cln-node-mapping';

const DEFAULT_UNARY_TIMEOUT_MS = 10_000;
/** cln-grpc's server certificate names "cln" (and "localhost"), whatever host it runs on. */
const CLN_SERVER_NAME = 'cln';
const EMPTY = new Uint8Array(0);

export interface LightClnConnection {
  /** host:port of lightningd's grpc-port. */
  host: string;
  /** ca.pem, client.pem, client-key.pem: cln-grpc's mutual TLS, the only credential it has. */
  caCert: Buffer | string;
  clientCert: Buffer | string;
  clientKey: Buffer | string;
  unaryTimeoutMs?: number;
  /** Name the server certificate must carry. @default "cln" */
  tlsServerName?: string;
}

/** A failed call kept as cln-grpc gave it, for the adapter to decide before it becomes a NodeError. */
class RawFailure {
  constructor(
    readonly error: unknown,
    readonly method: string,
  ) {}
}

/**
 * The API's invoice calls to Core Lightning (Getinfo, Invoice, ListInvoices, DelInvoice) on a
 * small unary gRPC client, with ClnNode's outcomes and error classes, so the API functions
 * bundle neither grpc-js nor protobufjs.
 */
export class LightClnInvoiceNode implements InvoiceNode {
  private readonly grpc: GrpcUnaryClient;

  constructor(connection: LightClnConnection) {
    this.grpc = new GrpcUnaryClient({
      host: connection.host,
      ca: pem(connection.caCert, 'caCert'),
      cert: pem(connection.clientCert, 'clientCert'),
      key: pem(connection.clientKey, 'clientKey'),
      serverName: connection.tlsServerName ?? CLN_SERVER_NAME,
      defaultTimeoutMs: connection.unaryTimeoutMs ?? DEFAULT_UNARY_TIMEOUT_MS,
    });
  }

  getNodeInfo(): Promise<NodeInfo> {
    return this.operation('getNodeInfo', async () => nodeInfoFromCln(nodeInfoFromProto(await this.call('Getinfo', EMPTY, decodeGetinfoResponse))));
  }

  /** Invoice with our id as its label; a label already taken is an idempotent retry when the invoice matches. */
  createInvoice(request: CreateInvoiceRequest): Promise<CreatedInvoice> {
    return this.operation('createInvoice', async () => {
      const { description, deschashonly } = invoiceDescription(request);
      const message = invoiceToProto({
        label: request.label,
        amountMsat: request.amountMsat,
        description,
        expirySec: request.expirySec,
        ...(deschashonly ? { deschashonly } : {}),
      }) as InvoiceRequestMessage;
      try {
        const created = createdInvoiceFromProto(await this.call('Invoice', encodeInvoiceRequest(message), decodeInvoiceResponse));
        return { paymentHash: created.paymentHash, bolt11: created.bolt11 };
      } catch (error) {
        if (!(error instanceof RawFailure) || clnCallFailure(error.error)?.rpcCode !== ClnRpcErrorCode.InvoiceLabelAlreadyExists) throw error;
        return this.retriedInvoice(request, description, error.error);
      }
    });
  }

  lookupInvoice(paymentHash: string): Promise<NodeInvoice | undefined> {
    return this.operation('lookupInvoice', async () => {
      const [invoice] = await this.listInvoices({ paymentHash });
      return invoice ? invoiceFromCln(invoice) : undefined;
    });
  }

  /**
   * DelInvoice of the unpaid invoice found by its hash (Core Lightning deletes by label); an
   * expired one cannot be paid and is left alone. Naming the status "unpaid" makes lightningd
   * refuse, never delete, an invoice paid meanwhile.
   */
  cancelInvoice(paymentHash: string): Promise<void> {
    return this.operation('cancelInvoice', async () => {
      const [invoice] = await this.listInvoices({ paymentHash });
      if (!invoice) throw new UnknownInvoiceError('Core Lightning has no invoice with this hash', { operation: 'cancelInvoice' });
      if (invoice.status === ClnInvoiceStatus.Paid) throw settled();
      if (invoice.status === ClnInvoiceStatus.Expired) return;
      try {
        const message = delInvoiceToProto({ label: invoice.label, status: ClnInvoiceStatus.Unpaid }) as DelInvoiceRequestMessage;
        await this.call('DelInvoice', encodeDelInvoiceRequest(message), decodeDelInvoiceResponse);
      } catch (error) {
        const failure = error instanceof RawFailure ? clnCallFailure(error.error) : undefined;
        if (failure?.rpcCode === ClnRpcErrorCode.InvoiceNotFound) return; // deleted meanwhile
        if (failure?.rpcCode === ClnRpcErrorCode.InvoiceStatusUnexpected) {
          if (failure.currentStatus === ClnInvoiceStatus.Expired) return;
          if (failure.currentStatus === ClnInvoiceStatus.Paid) throw settled((error as RawFailure).error);
        }
        throw error;
      }
    });
  }

  /** Closes the connection; no call may follow. */
  close(): void {
    this.grpc.close();
  }

  private async retriedInvoice(request: CreateInvoiceRequest, description: string, cause: unknown): Promise<CreatedInvoice> {
    const [existing] = await this.listInvoices({ label: request.label });
    const same =
      existing !== undefined &&
      existing.status === ClnInvoiceStatus.Unpaid &&
      existing.amountMsat === request.amountMsat &&
      (existing.description ?? '') === description &&
      existing.bolt11 !== null;
    if (same) return { paymentHash: existing.paymentHash, bolt11: existing.bolt11 as string };
    throw new DuplicateInvoiceError('Core Lightning already has a different invoice with this label', {
      operation: 'createInvoice',
      details: existing ? `label taken by an invoice that is ${existing.status}` : 'label taken',
      cause,
    });
  }

  private async listInvoices(request: ClnListInvoicesRequest): Promise<ClnInvoice[]> {
    const message = listInvoicesToProto(request) as ListInvoicesRequestMessage;
    const raw = await this.call('ListInvoices', encodeListInvoicesRequest(message), decodeListInvoicesResponse);
    return raw.invoices.map(invoiceFromProto);
  }

  /** A cln.Node call; its failure stays raw (RawFailure) until the operation has looked at it. */
  private async call<T>(method: string, request: Uint8Array, decode: (message: Buffer) => T): Promise<T> {
    try {
      return await this.grpc.call(`/cln.Node/${method}`, request, decode);
    } catch (error) {
      throw new RawFailure(error, method);
    }
  }

  private async operation<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof RawFailure)) throw error;
      throw nodeErrorFromClnCall(error.error, error.method, operation);
    }
  }
}

/** What Invoice is given as `description`, and whether only its hash goes into the BOLT11 (as ClnNode decides it). */
function invoiceDescription(request: CreateInvoiceRequest): { description: string; deschashonly: boolean } {
  if (request.descriptionHash === undefined) return { description: request.memo ?? '', deschashonly: false };
  if (request.description === undefined) {
    throw new UnsupportedRequestError('Core Lightning cannot commit an invoice to a description hash without the description text', {
      operation: 'createInvoice',
      field: 'descriptionHash',
      backend: 'Core Lightning',
    });
  }
  // A caller's bug: an invoice committing to another text than the one promised.
  if (createHash('sha256').update(request.description, 'utf8').digest('hex') !== request.descriptionHash.toLowerCase()) {
    throw new RangeError('description does not hash to descriptionHash');
  }
  return { description: request.description, deschashonly: true };
}

function settled(cause?: unknown): InvoiceAlreadySettledError {
  return new InvoiceAlreadySettledError('the invoice is already paid', { operation: 'cancelInvoice', cause });
}

function pem(value: Buffer | string, field: string): Buffer {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value);
  if (!bytes.toString('latin1').includes('-----BEGIN ')) throw new TypeError(`${field} must be a PEM`);
  return bytes;
}
