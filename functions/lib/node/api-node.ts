import { NodeUnavailableError } from '../errors';
import type { InvoiceNode } from './lightning-node';
import { NodeError } from './node-errors';
import type { CreatedInvoice, CreateInvoiceRequest, NodeInfo, NodeInvoice } from './node-types';

export interface ApiNodeOptions {
  /** The network the deployment is for (LND_NETWORK); undefined: whatever the node says. */
  expectedNetwork?: string | undefined;
}

/**
 * The node as the API functions use it, whatever its implementation. Every node failure a
 * client could see becomes 503 node_unavailable: a refused credential or an unreachable node
 * is ours to fix, and the node's own text (which may name hosts or files) never reaches a
 * response. Errors that are not the node's (a bug) stay what they are, a 500.
 */
export class ApiNode implements InvoiceNode {
  private info: Promise<NodeInfo> | undefined;

  constructor(
    private readonly node: InvoiceNode,
    private readonly options: ApiNodeOptions = {},
  ) {}

  /** Fetched once per process: the routes read only the identity and the chain, which do not change. */
  getNodeInfo(): Promise<NodeInfo> {
    this.info ??= this.node
      .getNodeInfo()
      .catch((error: unknown) => {
        throw unavailable(error);
      })
      .then((info) => {
        const expected = this.options.expectedNetwork;
        if (expected !== undefined && info.network !== expected) {
          // A deployment for one network wired to a node on another: refuse every payment.
          throw new NodeUnavailableError(undefined, { cause: new Error(`LND_NETWORK is ${expected} but the node runs on ${info.network}`) });
        }
        return info;
      })
      .catch((error: unknown) => {
        this.info = undefined;
        throw error;
      });
    return this.info;
  }

  createInvoice(request: CreateInvoiceRequest): Promise<CreatedInvoice> {
    return this.node.createInvoice(request).catch(rethrowUnavailable);
  }

  lookupInvoice(paymentHash: string): Promise<NodeInvoice | undefined> {
    return this.node.lookupInvoice(paymentHash).catch(rethrowUnavailable);
  }

  cancelInvoice(paymentHash: string): Promise<void> {
    return this.node.cancelInvoice(paymentHash).catch(rethrowUnavailable);
  }
}

function unavailable(error: unknown): unknown {
  return error instanceof NodeError ? new NodeUnavailableError(undefined, { cause: error }) : error;
}

function rethrowUnavailable(error: unknown): never {
  throw unavailable(error);
}
