import { NodeUnavailableError, UnsupportedByBackendError } from '../errors';
import type { InvoiceNode } from './lightning-node';
import { NodeError, UnsupportedRequestError } from './node-errors';
import type { CreatedInvoice, CreateInvoiceRequest, NodeInfo, NodeInvoice } from './node-types';

export interface ApiNodeOptions {
  /** The network the deployment is for (LND_NETWORK); undefined: whatever the node says. */
  expectedNetwork?: string | undefined;
}

/**
 * The node as the API functions use it, whatever its implementation. Every node failure a
 * client could see becomes 503 node_unavailable: a refused credential or an unreachable node
 * is ours to fix, and the node's own text (which may name hosts or files) never reaches a
 * response. The one exception is a request the node's implementation cannot honour: that is
 * the client's to change, a 400 unsupported_by_backend with the adapter's own message.
 * Errors that are not the node's (a bug) stay what they are, a 500.
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
        throw apiErrorFor(error);
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
    return this.node.createInvoice(request).catch(rethrowForApi);
  }

  lookupInvoice(paymentHash: string): Promise<NodeInvoice | undefined> {
    return this.node.lookupInvoice(paymentHash).catch(rethrowForApi);
  }

  cancelInvoice(paymentHash: string): Promise<void> {
    return this.node.cancelInvoice(paymentHash).catch(rethrowForApi);
  }
}

/** What the API says for each port field an adapter may refuse: the body field, and what to send instead. */
const UNSUPPORTED_FIELDS: Readonly<Record<string, { param: string; advice: (backend: string) => string }>> = {
  descriptionHash: { param: 'description_hash', advice: (backend) => `description_hash needs the description text on ${backend}; send memo instead` },
};

function apiErrorFor(error: unknown): unknown {
  if (error instanceof UnsupportedRequestError) {
    const field = UNSUPPORTED_FIELDS[error.field];
    if (field === undefined) return new UnsupportedByBackendError(error.message, { cause: error });
    return new UnsupportedByBackendError(field.advice(error.backend), { cause: error, param: field.param });
  }
  return error instanceof NodeError ? new NodeUnavailableError(undefined, { cause: error }) : error;
}

function rethrowForApi(error: unknown): never {
  throw apiErrorFor(error);
}
