import { NodeUnavailableError } from '../errors';
import { InvoiceState, LndClient, LndError, NotFoundError as LndNotFoundError } from '../lnd';
import type { InvoiceNode, NodeIdentity, NodeInvoice, NodeInvoiceRequest, NodeInvoiceState } from './invoice-node';

const STATES: Record<string, NodeInvoiceState['state']> = {
  [InvoiceState.Open]: 'open',
  [InvoiceState.Settled]: 'settled',
  [InvoiceState.Canceled]: 'canceled',
  [InvoiceState.Accepted]: 'accepted',
};

/**
 * InvoiceNode over the typed LND client (functions/lib/lnd). Every LND failure a client
 * could see becomes 503 node_unavailable: a refused macaroon or an unreachable node is
 * ours to fix, and LND's own text (which may name hosts or files) never reaches a response.
 */
export class LndInvoiceNode implements InvoiceNode {
  private identity: Promise<NodeIdentity> | undefined;

  constructor(
    private readonly client: Pick<LndClient, 'getInfo' | 'addInvoice' | 'lookupInvoice' | 'cancelInvoice'>,
    private readonly options: { expectedNetwork?: string | undefined } = {},
  ) {}

  getNodeInfo(): Promise<NodeIdentity> {
    // The identity never changes while the process lives; a failed look-up is not cached.
    this.identity ??= this.client
      .getInfo()
      .catch((error: unknown) => {
        throw unavailable(error);
      })
      .then((info) => {
        const expected = this.options.expectedNetwork;
        if (expected !== undefined && info.network !== expected) {
          // A deployment for one network wired to a node on another: refuse every payment.
          throw new NodeUnavailableError(undefined, { cause: new Error(`LND_NETWORK is ${expected} but the node runs on ${info.network}`) });
        }
        return { pubkey: info.identityPubkey, network: info.network };
      })
      .catch((error: unknown) => {
        this.identity = undefined;
        throw error;
      });
    return this.identity;
  }

  async addInvoice(request: NodeInvoiceRequest): Promise<NodeInvoice> {
    try {
      const added = await this.client.addInvoice({
        valueMsat: request.amountMsat,
        expirySec: request.expirySec,
        ...(request.memo !== undefined ? { memo: request.memo } : {}),
        ...(request.descriptionHash !== undefined ? { descriptionHash: request.descriptionHash } : {}),
      });
      return { paymentHash: added.paymentHash, bolt11: added.paymentRequest };
    } catch (error) {
      throw unavailable(error);
    }
  }

  async lookupInvoice(paymentHash: string): Promise<NodeInvoiceState | undefined> {
    try {
      const invoice = await this.client.lookupInvoice(paymentHash);
      return { paymentHash: invoice.paymentHash, preimage: invoice.preimage, state: STATES[invoice.state] ?? 'open' };
    } catch (error) {
      if (error instanceof LndNotFoundError) return undefined;
      throw unavailable(error);
    }
  }

  async cancelInvoice(paymentHash: string): Promise<void> {
    try {
      await this.client.cancelInvoice(paymentHash);
    } catch (error) {
      throw unavailable(error);
    }
  }
}

function unavailable(error: unknown): Error {
  if (error instanceof LndError) return new NodeUnavailableError(undefined, { cause: error });
  // Not an LND failure (a bug, a RangeError on our own input): let it surface as a 500.
  return error instanceof Error ? error : new Error(String(error));
}
