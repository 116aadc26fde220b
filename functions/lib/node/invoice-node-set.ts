import { NodeUnavailableError, UnsupportedByBackendError } from '../errors';
import { errorFields, type Log } from '../runtime/log';
import { invoicePlacementOrder } from './invoice-placement';
import { SEVERAL_NODES, type InvoiceNodes, type InvoiceNodesCarrier } from './invoice-nodes';
import type { InvoiceNode } from './lightning-node';
import { DEFAULT_NODE_ID } from './node-config';
import type { NodeStatus } from './node-status';
import type { CreatedInvoice, CreateInvoiceRequest, NodeInfo, NodeInvoice } from './node-types';

/** How long a Lambda keeps the nodes' status items before reading them again. */
export const NODE_STATUS_CACHE_MS = 5_000;

export interface InvoiceNodeSetOptions {
  /** Every configured node, in configuration order, each as the API uses it (ApiNode: errors as the API's). */
  members: ReadonlyArray<{ id: string; node: InvoiceNode }>;
  /** The bridge's status items (node-status.ts). */
  readStatuses: () => Promise<NodeStatus[]>;
  log: Pick<Log, 'warn'>;
  /** @default NODE_STATUS_CACHE_MS */
  statusCacheMs?: number;
  nowMs?: () => number;
}

/**
 * Several nodes behind the API. New invoices go where invoice-placement.ts says, from the
 * bridge's status items (one Query, kept NODE_STATUS_CACHE_MS per process); a node that fails
 * to create one hands the request to the next. Round-robin among equals is per process: each
 * Lambda container takes its own turns, which spreads load the same way on average.
 */
export class InvoiceNodeSet implements InvoiceNodesCarrier {
  readonly [SEVERAL_NODES]: InvoiceNodes;
  private turn = 0;
  private cached: { atMs: number; statuses: Promise<NodeStatus[]> } | undefined;
  private readonly now: () => number;

  constructor(private readonly options: InvoiceNodeSetOptions) {
    if (options.members.length === 0) throw new RangeError('an invoice node set needs at least one node');
    this.now = options.nowMs ?? Date.now;
    this[SEVERAL_NODES] = {
      getNodeInfo: () => this.getNodeInfo(),
      placeInvoice: (request) => this.placeInvoice(request),
      issuer: (nodeId) => this.issuer(nodeId),
      ownNode: (pubkey) => this.ownNode(pubkey),
    };
  }

  /** The first node that answers: they all run on the deployment's chain. */
  async getNodeInfo(): Promise<NodeInfo> {
    let failure: unknown;
    for (const { node } of this.options.members) {
      try {
        return await node.getNodeInfo();
      } catch (error) {
        failure = error;
      }
    }
    throw failure;
  }

  async createInvoice(request: CreateInvoiceRequest): Promise<CreatedInvoice> {
    return (await this.placeInvoice(request)).created;
  }

  /** On whichever node has it (callers that know the issuer ask `issuer(nodeId)` instead). */
  async lookupInvoice(paymentHash: string): Promise<NodeInvoice | undefined> {
    for (const { node } of this.options.members) {
      const found = await node.lookupInvoice(paymentHash);
      if (found) return found;
    }
    return undefined;
  }

  async cancelInvoice(paymentHash: string): Promise<void> {
    for (const { node } of this.options.members) {
      if (await node.lookupInvoice(paymentHash)) return node.cancelInvoice(paymentHash);
    }
  }

  private async placeInvoice(request: CreateInvoiceRequest): Promise<{ created: CreatedInvoice; nodeId: string }> {
    const order = invoicePlacementOrder({
      nodeIds: this.options.members.map((member) => member.id),
      statuses: await this.statuses(),
      amountMsat: request.amountMsat,
      nowMs: this.now(),
      turn: this.turn++,
    });
    let unavailable: unknown;
    let unsupported: unknown;
    for (const id of order) {
      try {
        return { created: await this.member(id)!.createInvoice(request), nodeId: id };
      } catch (error) {
        // Another node may be up, or of a backend that can honour the request.
        if (error instanceof UnsupportedByBackendError) unsupported ??= error;
        else if (error instanceof NodeUnavailableError) unavailable ??= error;
        else throw error;
        this.options.log.warn('a node could not create the invoice; trying the next', { nodeId: id, error: (error as Error).name });
      }
    }
    throw unsupported ?? unavailable;
  }

  /**
   * Invoices without node_id were issued while the deployment had one node: that node is listed
   * as `default`, or first.
   */
  private issuer(nodeId: string | undefined): InvoiceNode | undefined {
    if (nodeId !== undefined) return this.member(nodeId);
    return this.member(DEFAULT_NODE_ID) ?? this.options.members[0]!.node;
  }

  private async ownNode(pubkey: string): Promise<{ nodeId: string } | undefined> {
    const keys = await Promise.all(this.options.members.map(({ node }) => node.getNodeInfo().then((info) => info.pubkey, () => undefined)));
    const unknown: string[] = [];
    for (const [index, { id }] of this.options.members.entries()) {
      if (keys[index] === pubkey) return { nodeId: id };
      if (keys[index] === undefined) unknown.push(id);
    }
    if (unknown.length === 0) return undefined;
    // A node that does not answer now: the key the bridge read from it earlier.
    const statuses = await this.statuses();
    for (const id of unknown) {
      const known = statuses.find((status) => status.nodeId === id)?.pubkey;
      if (known === pubkey) return { nodeId: id };
      if (known === undefined || known === null) {
        throw new NodeUnavailableError(undefined, { cause: new Error(`node ${id} cannot be reached and its key is not known: cannot tell whether the invoice is ours`) });
      }
    }
    return undefined;
  }

  private member(id: string): InvoiceNode | undefined {
    return this.options.members.find((member) => member.id === id)?.node;
  }

  /** The status items, read at most once per NODE_STATUS_CACHE_MS; a failed read counts as none (every node takes its turn). */
  private statuses(): Promise<NodeStatus[]> {
    const nowMs = this.now();
    if (this.cached && nowMs - this.cached.atMs < (this.options.statusCacheMs ?? NODE_STATUS_CACHE_MS)) return this.cached.statuses;
    const statuses = this.options.readStatuses().catch((error: unknown) => {
      this.options.log.warn('could not read the node status items; placing invoices in turn', errorFields(error));
      return [];
    });
    this.cached = { atMs: nowMs, statuses };
    return statuses;
  }
}
