import * as z from 'zod';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ClnClient, ClnInvoiceStatus, DuplicateLabelError, InvoiceNotFoundError, InvoiceStatusMismatchError } from '../../cln';
import { parseEnv } from '../../runtime/env';
import type { LightningNode, NodeStream } from '../lightning-node';
import { DuplicateInvoiceError, InvoiceAlreadySettledError, UnknownInvoiceError, UnsupportedRequestError } from '../node-errors';
import type {
  ChannelBalance,
  CreatedInvoice,
  CreateInvoiceRequest,
  DecodedInvoice,
  InvoicePage,
  NodeInfo,
  NodeInvoice,
  OnchainBalance,
  PaymentUpdate,
  PayRequest,
} from '../node-types';
import { nodeErrorFromCln } from './cln-node-errors';
import { channelBalanceFromCln, decodedFromCln, invoiceFromCln, nodeInfoFromCln, onchainBalanceFromCln } from './cln-node-mapping';
import { clnPayStream, clnSettlementStream, clnTrackStream } from './cln-streams';

/** The parts of the Core Lightning client the adapter calls. */
export type ClnNodeClient = Pick<
  ClnClient,
  'getinfo' | 'listFunds' | 'invoice' | 'listInvoices' | 'waitAnyInvoice' | 'delInvoice' | 'decode' | 'xpay' | 'listPays' | 'close'
>;

export interface ClnNodeOptions {
  /** How often ListPays is asked while a payment is followed (pay, trackPayment). Default 500 ms. */
  pollIntervalMs?: number;
}

const DEFAULT_POLL_INTERVAL_MS = 500;

/**
 * The node port over Core Lightning's cln-grpc (functions/lib/cln). Labels are our invoice
 * ids; settlements follow pay_index; payments are Xpay, followed with ListPays. cln-grpc has
 * no per-call rights: whoever holds the client certificate may pay.
 */
export class ClnNode implements LightningNode {
  private readonly pollIntervalMs: number;

  constructor(
    private readonly cln: ClnNodeClient,
    options: ClnNodeOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  }

  getNodeInfo(): Promise<NodeInfo> {
    return this.call('getNodeInfo', async () => nodeInfoFromCln(await this.cln.getinfo()));
  }

  /**
   * Invoice with our id as its label. Core Lightning cannot commit to a hash it is handed:
   * it hashes the description text itself (`deschashonly` puts only the hash in the BOLT11),
   * so a descriptionHash comes with its text or is refused before the node is asked.
   */
  createInvoice(request: CreateInvoiceRequest): Promise<CreatedInvoice> {
    return this.call('createInvoice', async () => {
      const { description, deschashonly } = invoiceDescription(request);
      try {
        const created = await this.cln.invoice({
          label: request.label,
          amountMsat: request.amountMsat,
          description,
          expirySec: request.expirySec,
          ...(deschashonly ? { deschashonly } : {}),
        });
        return { paymentHash: created.paymentHash, bolt11: created.bolt11 };
      } catch (error) {
        if (!(error instanceof DuplicateLabelError)) throw error;
        return this.retriedInvoice(request, description, error);
      }
    });
  }

  async lookupInvoice(paymentHash: string): Promise<NodeInvoice | undefined> {
    return this.call('lookupInvoice', async () => {
      const [invoice] = await this.cln.listInvoices({ paymentHash });
      return invoice ? invoiceFromCln(invoice) : undefined;
    });
  }

  /**
   * DelInvoice of the unpaid invoice, found by its hash (Core Lightning deletes by label).
   * An expired one cannot be paid any more and is left as it is. Deleting it names the
   * status "unpaid", so an invoice paid meanwhile is refused, never deleted.
   */
  cancelInvoice(paymentHash: string): Promise<void> {
    return this.call('cancelInvoice', async () => {
      const [invoice] = await this.cln.listInvoices({ paymentHash });
      if (!invoice) throw new UnknownInvoiceError('Core Lightning has no invoice with this hash', { operation: 'cancelInvoice' });
      if (invoice.status === ClnInvoiceStatus.Paid) throw settled();
      if (invoice.status === ClnInvoiceStatus.Expired) return;
      try {
        await this.cln.delInvoice({ label: invoice.label, status: ClnInvoiceStatus.Unpaid });
      } catch (error) {
        if (error instanceof InvoiceNotFoundError) return; // deleted meanwhile
        if (error instanceof InvoiceStatusMismatchError && error.currentStatus === ClnInvoiceStatus.Expired) return;
        if (error instanceof InvoiceStatusMismatchError && error.currentStatus === ClnInvoiceStatus.Paid) throw settled(error);
        throw error;
      }
    });
  }

  subscribeSettlements(afterSettleIndex: number): NodeStream<NodeInvoice> {
    return clnSettlementStream(this.cln, afterSettleIndex, this.pollIntervalMs);
  }

  listInvoices(request: { afterAddIndex: number; limit: number }): Promise<InvoicePage> {
    if (!Number.isInteger(request.limit) || request.limit < 1) throw new RangeError('limit must be an integer >= 1');
    return this.call('listInvoices', async () => {
      // created_index starts at 1 and `start` is inclusive.
      const invoices = await this.cln.listInvoices({ index: 'created', start: request.afterAddIndex + 1, limit: request.limit });
      const page = invoices.map(invoiceFromCln);
      return { invoices: page, lastAddIndex: page.at(-1)?.addIndex ?? 0 };
    });
  }

  pay(request: PayRequest): NodeStream<PaymentUpdate> {
    return clnPayStream(this.cln, request, this.pollIntervalMs);
  }

  trackPayment(paymentHash: string): NodeStream<PaymentUpdate> {
    return clnTrackStream(this.cln, paymentHash, this.pollIntervalMs);
  }

  decode(bolt11: string): Promise<DecodedInvoice> {
    return this.call('decode', async () => decodedFromCln(await this.cln.decode(bolt11)));
  }

  channelBalance(): Promise<ChannelBalance> {
    return this.call('channelBalance', async () => channelBalanceFromCln(await this.cln.listFunds()));
  }

  onchainBalance(): Promise<OnchainBalance> {
    return this.call('onchainBalance', async () => onchainBalanceFromCln(await this.cln.listFunds()));
  }

  close(): void {
    this.cln.close();
  }

  /** The label is taken: an earlier attempt of this create made it, or it belongs to another invoice. */
  private async retriedInvoice(request: CreateInvoiceRequest, description: string, cause: DuplicateLabelError): Promise<CreatedInvoice> {
    const [existing] = await this.cln.listInvoices({ label: request.label });
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

  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw nodeErrorFromCln(error, operation);
    }
  }
}

/** What Invoice is given as `description`, and whether only its hash goes into the BOLT11. */
function invoiceDescription(request: CreateInvoiceRequest): { description: string; deschashonly: boolean } {
  if (request.descriptionHash === undefined) return { description: request.memo ?? '', deschashonly: false };
  if (request.description === undefined) {
    throw new UnsupportedRequestError('Core Lightning cannot commit an invoice to a description hash without the description text', {
      operation: 'createInvoice',
      field: 'descriptionHash',
      backend: 'Core Lightning',
    });
  }
  // A caller bug, not the node's: an invoice committing to another text than the one promised.
  if (createHash('sha256').update(request.description, 'utf8').digest('hex') !== request.descriptionHash.toLowerCase()) {
    throw new RangeError('description does not hash to descriptionHash');
  }
  return { description: request.description, deschashonly: true };
}

function settled(cause?: unknown): InvoiceAlreadySettledError {
  return new InvoiceAlreadySettledError('the invoice is already paid', { operation: 'cancelInvoice', cause });
}

/** A Core Lightning node's cln-grpc at host:port, with the three PEMs it wrote into `<lightning-dir>/<network>/`. */
export interface ClnConnection {
  /** host:port of lightningd's grpc-port. */
  host: string;
  /** ca.pem */
  caCert: Buffer | string;
  /** client.pem */
  clientCert: Buffer | string;
  /** client-key.pem */
  clientKey: Buffer | string;
  unaryTimeoutMs?: number;
  /** Name the server certificate must carry; cln-grpc's says "cln". */
  tlsServerName?: string;
}

export function connectClnNode(connection: ClnConnection): ClnNode {
  return new ClnNode(new ClnClient(connection));
}

const clnEnvSchema = z.object({
  CLN_GRPC_HOST: z.string({ error: 'CLN_GRPC_HOST must be host:port of cln-grpc, e.g. 127.0.0.1:9736' }),
  CLN_CA_CERT_PATH: z.string({ error: "CLN_CA_CERT_PATH must be the path of the node's ca.pem" }),
  CLN_CLIENT_CERT_PATH: z.string({ error: 'CLN_CLIENT_CERT_PATH must be the path of client.pem' }),
  CLN_CLIENT_KEY_PATH: z.string({ error: 'CLN_CLIENT_KEY_PATH must be the path of client-key.pem' }),
});

/** The node the CLN_* variables name; throws one ConfigError naming every missing one. */
export function clnNodeFromEnv(env: NodeJS.ProcessEnv = process.env): ClnNode {
  const vars = parseEnv(clnEnvSchema, env);
  return connectClnNode({
    host: vars.CLN_GRPC_HOST,
    caCert: readFileSync(vars.CLN_CA_CERT_PATH),
    clientCert: readFileSync(vars.CLN_CLIENT_CERT_PATH),
    clientKey: readFileSync(vars.CLN_CLIENT_KEY_PATH),
  });
}
