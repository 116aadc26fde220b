import { isHealthy, type NodeStatus } from './node-status';

/**
 * Nodes whose inbound liquidity is at least this share of the most any candidate has count as
 * equal, and take new invoices in turn: exact ties would almost never happen, since every
 * payment moves a balance.
 */
export const EQUAL_INBOUND_SHARE = 0.9;

export interface PlacementInput {
  /** The configured nodes, in configuration order. */
  nodeIds: readonly string[];
  statuses: readonly NodeStatus[];
  amountMsat: number;
  nowMs: number;
  /** A counter the caller moves on every placement: picks among equals in turn. */
  turn: number;
}

/**
 * The order in which to try the nodes for a new invoice. First the healthy nodes that can
 * receive the amount (or, if none can, every healthy node), the most inbound liquidity first,
 * those equal to the best taking turns; then the other healthy nodes, most inbound first; then
 * the nodes the bridge says nothing good about, as a last resort. With no healthy node at all
 * (no status written yet, the bridge down) every node takes its turn in configuration order.
 */
export function invoicePlacementOrder(input: PlacementInput): string[] {
  const configured = new Set(input.nodeIds);
  const healthy: Array<NodeStatus & { inboundMsat: number }> = input.statuses.filter(
    (status): status is NodeStatus & { inboundMsat: number } => configured.has(status.nodeId) && isHealthy(status, input.nowMs),
  );
  if (healthy.length === 0) return rotate([...input.nodeIds], input.turn);

  const byInbound = (a: { inboundMsat: number; nodeId: string }, b: { inboundMsat: number; nodeId: string }) =>
    b.inboundMsat - a.inboundMsat || input.nodeIds.indexOf(a.nodeId) - input.nodeIds.indexOf(b.nodeId);
  const canReceive = healthy.filter((status) => status.inboundMsat >= input.amountMsat);
  const pool = (canReceive.length > 0 ? canReceive : healthy).sort(byInbound);
  const best = pool[0]!.inboundMsat;
  const equals = pool.filter((status) => status.inboundMsat >= best * EQUAL_INBOUND_SHARE).sort((a, b) => input.nodeIds.indexOf(a.nodeId) - input.nodeIds.indexOf(b.nodeId));
  const order = [...rotate(equals.map((status) => status.nodeId), input.turn)];
  const add = (id: string) => {
    if (!order.includes(id)) order.push(id);
  };
  for (const status of pool) add(status.nodeId);
  for (const status of [...healthy].sort(byInbound)) add(status.nodeId);
  for (const id of input.nodeIds) add(id);
  return order;
}

function rotate<T>(items: T[], turn: number): T[] {
  if (items.length === 0) return items;
  const start = ((turn % items.length) + items.length) % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}
