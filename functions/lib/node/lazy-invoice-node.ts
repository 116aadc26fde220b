import type { InvoiceNode } from './lightning-node';
import type { CreatedInvoice, CreateInvoiceRequest, NodeInfo, NodeInvoice } from './node-types';

/**
 * An InvoiceNode built on first use: credentials held in Secrets Manager are fetched only
 * by a function that actually talks to the node. A failed build is not cached, so the next
 * request tries again.
 */
export class LazyInvoiceNode implements InvoiceNode {
  private node: Promise<InvoiceNode> | undefined;

  constructor(private readonly build: () => Promise<InvoiceNode>) {}

  getNodeInfo(): Promise<NodeInfo> {
    return this.current().then((node) => node.getNodeInfo());
  }

  createInvoice(request: CreateInvoiceRequest): Promise<CreatedInvoice> {
    return this.current().then((node) => node.createInvoice(request));
  }

  lookupInvoice(paymentHash: string): Promise<NodeInvoice | undefined> {
    return this.current().then((node) => node.lookupInvoice(paymentHash));
  }

  cancelInvoice(paymentHash: string): Promise<void> {
    return this.current().then((node) => node.cancelInvoice(paymentHash));
  }

  private current(): Promise<InvoiceNode> {
    this.node ??= this.build().catch((error: unknown) => {
      this.node = undefined;
      throw error;
    });
    return this.node;
  }
}
