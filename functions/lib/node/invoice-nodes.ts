import type { InvoiceNode } from './lightning-node';
import type { CreatedInvoice, CreateInvoiceRequest, NodeInfo } from './node-types';

/**
 * The deployment's nodes as the API's node-facing routes use them: one node, or several
 * (InvoiceNodeSet). `nodeId` is undefined for the one node of a single-node deployment, whose
 * invoices record none.
 */
export interface InvoiceNodes {
  /** The chain the deployment's nodes run on, and one node's identity. */
  getNodeInfo(): Promise<NodeInfo>;
  /** A new invoice on the node placement picks, and which node that was. */
  placeInvoice(request: CreateInvoiceRequest): Promise<{ created: CreatedInvoice; nodeId: string | undefined }>;
  /** The node that issued an invoice (by the invoice's node_id); undefined when it is not configured. */
  issuer(nodeId: string | undefined): InvoiceNode | undefined;
  /**
   * Whether `pubkey` is one of our nodes: `{ nodeId }` when it is, undefined when it is not.
   * Throws (503) when a node's key cannot be learnt, since paying might then route to it.
   * `identity`: what getNodeInfo just answered, so one node is not asked twice.
   */
  ownNode(pubkey: string, identity: NodeInfo): Promise<{ nodeId: string | undefined } | undefined>;
}

/** Marks the InvoiceNode that is really a set of nodes. */
export const SEVERAL_NODES = Symbol('several invoice nodes');

export type InvoiceNodesCarrier = InvoiceNode & { readonly [SEVERAL_NODES]: InvoiceNodes };

/**
 * The routes receive an InvoiceNode (tests hand them a plain one); a deployment of several
 * nodes hands them an InvoiceNodeSet, which carries the several-node view.
 */
export function invoiceNodesOf(node: InvoiceNode): InvoiceNodes {
  const carried = (node as Partial<InvoiceNodesCarrier>)[SEVERAL_NODES];
  return carried ?? singleInvoiceNode(node);
}

/** Exactly what the routes did with one node: nothing more is read, nothing more is written. */
function singleInvoiceNode(node: InvoiceNode): InvoiceNodes {
  return {
    getNodeInfo: () => node.getNodeInfo(),
    placeInvoice: async (request) => ({ created: await node.createInvoice(request), nodeId: undefined }),
    issuer: () => node,
    ownNode: async (pubkey, identity) => (identity.pubkey === pubkey ? { nodeId: undefined } : undefined),
  };
}
