/**
 * The little of LND the API functions need, behind a narrow interface: they create, look
 * up and cancel invoices with the invoice macaroon and never send payments (the
 * node-bridge alone does). Tests and the local stack plug the LND client in through
 * `LndInvoiceNode`; anything else that can do these four things would do.
 */
export interface InvoiceNode {
  /** Our node's identity and chain; fetched once and cached by implementations. */
  getNodeInfo(): Promise<NodeIdentity>;
  addInvoice(request: NodeInvoiceRequest): Promise<NodeInvoice>;
  /** undefined when the node does not know the hash. */
  lookupInvoice(paymentHash: string): Promise<NodeInvoiceState | undefined>;
  /** Succeeds for an open or already canceled invoice; fails for a settled one. */
  cancelInvoice(paymentHash: string): Promise<void>;
}

/** LND's network names: "mainnet", "testnet", "testnet4", "signet", "regtest", "simnet". */
export interface NodeIdentity {
  pubkey: string;
  network: string;
}

export interface NodeInvoiceRequest {
  amountMsat: number;
  /** Exclusive with descriptionHash. */
  memo?: string;
  /** 64 hex. */
  descriptionHash?: string;
  expirySec: number;
}

export interface NodeInvoice {
  paymentHash: string;
  bolt11: string;
}

export interface NodeInvoiceState {
  paymentHash: string;
  /** Hex preimage, when the node knows it (it does for invoices it created). */
  preimage: string | null;
  state: 'open' | 'settled' | 'canceled' | 'accepted';
}
