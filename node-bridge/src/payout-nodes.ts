import { DEFAULT_NODE_ID } from '../../functions/lib/node/node-config';
import type { LightningNode } from '../../functions/lib/node/lightning-node';
import type { LiquidityWatch } from './liquidity-watch';

export type PayoutNode = Pick<LightningNode, 'pay' | 'trackPayment'>;

/** The nodes payouts may go to, as the payout worker sees them. */
export interface PayoutNodes {
  /** More than one node: withdrawals record theirs, and payments to our own nodes are refused. */
  readonly several: boolean;
  byId(nodeId: string): PayoutNode | undefined;
  /**
   * The node of a withdrawal that records none: the deployment's one node, or where a payment
   * sent before nodes were recorded went (the node listed as `default`, else the first).
   */
  readonly unrecordedId: string;
  /** The node a new payout of `neededMsat` (amount + fee reserve) goes to. */
  choose(neededMsat: number): string;
  /** The key is one of our nodes': a payment that must never be routed. */
  isOwnNode(pubkey: string): boolean;
}

/** One node: every payout goes to it and nothing is recorded, exactly as before several nodes. */
export function singlePayoutNode(node: PayoutNode, id: string = DEFAULT_NODE_ID): PayoutNodes {
  return { several: false, byId: (nodeId) => (nodeId === id ? node : undefined), unrecordedId: id, choose: () => id, isOwnNode: () => false };
}

/**
 * Several nodes, routed by the liquidity watch's last readings: among the nodes whose outbound
 * covers the amount and the fee reserve, the one with the most; if none does, the one with the
 * most anyway (the node then fails the payment and the withdrawal is refunded, as with one
 * node); with no reading at all, the first node. Payouts chosen between two readings do not
 * count against a node's balance: the next reading (LIQUIDITY_INTERVAL_MS) has them.
 */
export function liquidityPayoutNodes(nodes: ReadonlyArray<{ id: string; node: PayoutNode }>, liquidity: Pick<LiquidityWatch, 'ofNode' | 'pubkeys'>): PayoutNodes {
  if (nodes.length === 0) throw new RangeError('payouts need at least one node');
  const unrecordedId = nodes.some((each) => each.id === DEFAULT_NODE_ID) ? DEFAULT_NODE_ID : nodes[0]!.id;
  return {
    several: nodes.length > 1,
    byId: (nodeId) => nodes.find((each) => each.id === nodeId)?.node,
    unrecordedId,
    choose(neededMsat) {
      const known = nodes
        .map(({ id }) => ({ id, outboundMsat: liquidity.ofNode(id)?.outboundMsat }))
        .filter((each): each is { id: string; outboundMsat: number } => each.outboundMsat !== undefined)
        .sort((a, b) => b.outboundMsat - a.outboundMsat);
      const enough = known.filter((each) => each.outboundMsat >= neededMsat);
      return (enough[0] ?? known[0])?.id ?? nodes[0]!.id;
    },
    isOwnNode: (pubkey) => nodes.length > 1 && liquidity.pubkeys().has(pubkey),
  };
}
