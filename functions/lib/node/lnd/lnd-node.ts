import { LndClient, type LndClientOptions, lndClientFromEnv } from '../../lnd';
import type { LightningNode, NodeStream } from '../lightning-node';
import { mappedStream } from '../mapped-stream';
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
import { UnknownInvoiceError } from '../node-errors';
import { nodeErrorFromLnd } from './lnd-errors';
import {
  channelBalanceFromLnd,
  decodedFromLnd,
  invoiceFromLnd,
  nodeInfoFromLnd,
  onchainBalanceFromLnd,
  paymentFromLnd,
  settlementFromLnd,
} from './lnd-mapping';

/** The parts of the LND client the adapter calls. */
export type LndNodeClient = Pick<
  LndClient,
  | 'getInfo'
  | 'addInvoice'
  | 'lookupInvoice'
  | 'cancelInvoice'
  | 'subscribeInvoices'
  | 'listInvoices'
  | 'sendPayment'
  | 'trackPayment'
  | 'decodePaymentRequest'
  | 'channelBalance'
  | 'walletBalance'
  | 'close'
>;

/**
 * The node port over LND's gRPC (functions/lib/lnd). What the node can do is what its
 * macaroon allows: the API's invoice macaroon cannot pay, and LND refuses (NodeAccessDeniedError).
 */
export class LndNode implements LightningNode {
  constructor(private readonly lnd: LndNodeClient) {}

  getNodeInfo(): Promise<NodeInfo> {
    return this.call('getNodeInfo', async () => nodeInfoFromLnd(await this.lnd.getInfo()));
  }

  createInvoice(request: CreateInvoiceRequest): Promise<CreatedInvoice> {
    // LND has no labels: our id lives in the table beside the payment hash.
    return this.call('createInvoice', async () => {
      const added = await this.lnd.addInvoice({
        valueMsat: request.amountMsat,
        expirySec: request.expirySec,
        ...(request.memo !== undefined ? { memo: request.memo } : {}),
        ...(request.descriptionHash !== undefined ? { descriptionHash: request.descriptionHash } : {}),
      });
      return { paymentHash: added.paymentHash, bolt11: added.paymentRequest };
    });
  }

  async lookupInvoice(paymentHash: string): Promise<NodeInvoice | undefined> {
    try {
      return await this.call('lookupInvoice', async () => invoiceFromLnd(await this.lnd.lookupInvoice(paymentHash)));
    } catch (error) {
      if (error instanceof UnknownInvoiceError) return undefined;
      throw error;
    }
  }

  cancelInvoice(paymentHash: string): Promise<void> {
    // LND's CancelInvoice succeeds for an invoice already canceled.
    return this.call('cancelInvoice', () => this.lnd.cancelInvoice(paymentHash));
  }

  subscribeSettlements(afterSettleIndex: number): NodeStream<NodeInvoice> {
    // No add_index: the new invoices LND would replay are not settlements.
    const stream = this.lnd.subscribeInvoices({ settleIndex: afterSettleIndex });
    return mappedStream(stream, settlementFromLnd, (error) => nodeErrorFromLnd(error, 'subscribeSettlements'));
  }

  listInvoices(request: { afterAddIndex: number; limit: number }): Promise<InvoicePage> {
    if (!Number.isInteger(request.limit) || request.limit < 1) throw new RangeError('limit must be an integer >= 1');
    return this.call('listInvoices', async () => {
      // LND's index_offset is exclusive, as afterAddIndex is.
      const page = await this.lnd.listInvoices({ indexOffset: request.afterAddIndex, numMaxInvoices: request.limit });
      return { invoices: page.invoices.map(invoiceFromLnd), lastAddIndex: page.invoices.length > 0 ? page.lastIndexOffset : 0 };
    });
  }

  pay(request: PayRequest): NodeStream<PaymentUpdate> {
    const stream = this.lnd.sendPayment({
      paymentRequest: request.bolt11,
      feeLimitMsat: request.feeLimitMsat,
      timeoutSec: request.timeoutSec,
      ...(request.amountMsat !== undefined ? { amountMsat: request.amountMsat } : {}),
    });
    return mappedStream(stream, paymentFromLnd, (error) => nodeErrorFromLnd(error, 'pay'));
  }

  trackPayment(paymentHash: string): NodeStream<PaymentUpdate> {
    // TrackPaymentV2 follows the hash's latest attempt, and answers NOT_FOUND for a hash never paid.
    return mappedStream(this.lnd.trackPayment(paymentHash), paymentFromLnd, (error) => nodeErrorFromLnd(error, 'trackPayment'));
  }

  decode(bolt11: string): Promise<DecodedInvoice> {
    return this.call('decode', async () => decodedFromLnd(await this.lnd.decodePaymentRequest(bolt11)));
  }

  channelBalance(): Promise<ChannelBalance> {
    return this.call('channelBalance', async () => channelBalanceFromLnd(await this.lnd.channelBalance()));
  }

  onchainBalance(): Promise<OnchainBalance> {
    return this.call('onchainBalance', async () => onchainBalanceFromLnd(await this.lnd.walletBalance()));
  }

  close(): void {
    this.lnd.close();
  }

  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw nodeErrorFromLnd(error, operation);
    }
  }
}

/** An LND node at host:port with its tls.cert and a macaroon. */
export function connectLndNode(options: LndClientOptions): LndNode {
  return new LndNode(new LndClient(options));
}

/** The node the LND_GRPC_HOST, LND_TLS_CERT_PATH and LND_MACAROON_PATH variables name; throws one line naming every missing one. */
export function lndNodeFromEnv(env: NodeJS.ProcessEnv = process.env, options: Pick<LndClientOptions, 'unaryTimeoutMs'> = {}): LndNode {
  return new LndNode(lndClientFromEnv(env, options));
}
