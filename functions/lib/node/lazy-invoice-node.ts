import type { InvoiceNode, NodeIdentity, NodeInvoice, NodeInvoiceRequest, NodeInvoiceState } from './invoice-node';

/**
 * An InvoiceNode built on first use: credentials held in Secrets Manager are fetched only
 * by a function that actually talks to the node. A failed build is not cached, so the next
 * request tries again.
 */
export class LazyInvoiceNode implements InvoiceNode {
  private node: Promise<InvoiceNode> | undefined;

  constructor(private readonly build: () => Promise<InvoiceNode>) {}

  getNodeInfo(): Promise<NodeIdentity> {
    return this.current().then((node) => node.getNodeInfo());
  }

  addInvoice(request: NodeInvoiceRequest): Promise<NodeInvoice> {
    return this.current().then((node) => node.addInvoice(request));
  }

  lookupInvoice(paymentHash: string): Promise<NodeInvoiceState | undefined> {
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
