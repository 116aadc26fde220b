import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../table/client';
import { queryAll } from '../table/query-all';

/**
 * What the bridge last saw of one node, for the API: LND's invoice macaroon cannot read
 * channel balances, so the API places invoices by what the bridge's liquidity watch writes
 * here every interval (only when the deployment runs several nodes). All the nodes' items
 * share one partition, so the API reads them with one Query.
 */
export interface NodeStatus {
  nodeId: string;
  /** The node's key, the payee of its invoices; null until the bridge has read it once. */
  pubkey: string | null;
  /** The peers' side of the channels (what the node can receive); null when the last read failed. */
  inboundMsat: number | null;
  /** Our side (what it can pay out); null when the last read failed. */
  outboundMsat: number | null;
  /** The node's settlement stream is open and caught up. */
  streamConnected: boolean;
  updatedAt: string;
  /** After this (epoch ms) the item says nothing: the bridge stopped writing it. */
  freshUntilMs: number;
}

/** The one partition of every node's status item (IAM grants it by this name: infra/constructs/table-access.ts). */
export const STATUS_PARTITION = 'NODE_STATUS';
const ENTITY = 'node_status';
const statusKey = (nodeId: string) => ({ pk: STATUS_PARTITION, sk: `NODE#${nodeId}` });

/** Replaces the node's item: the latest reading wins, there is nothing to merge. */
export async function writeNodeStatus(table: Table, status: NodeStatus): Promise<void> {
  await table.doc.send(
    new PutCommand({
      TableName: table.name,
      Item: {
        ...statusKey(status.nodeId),
        entity: ENTITY,
        node_id: status.nodeId,
        pubkey: status.pubkey,
        inbound_msat: status.inboundMsat,
        outbound_msat: status.outboundMsat,
        stream_connected: status.streamConnected,
        updated_at: status.updatedAt,
        fresh_until_ms: status.freshUntilMs,
      },
    }),
  );
}

/** Every node's item (a handful), eventually consistent: a reading a second old is as good. */
export async function readNodeStatuses(table: Table): Promise<NodeStatus[]> {
  const items = await queryAll<Record<string, unknown>>(table, {
    KeyConditionExpression: 'pk = :partition',
    ExpressionAttributeValues: { ':partition': STATUS_PARTITION },
  });
  return items.map((item) => ({
    nodeId: item.node_id as string,
    pubkey: (item.pubkey as string | null | undefined) ?? null,
    inboundMsat: (item.inbound_msat as number | null | undefined) ?? null,
    outboundMsat: (item.outbound_msat as number | null | undefined) ?? null,
    streamConnected: item.stream_connected === true,
    updatedAt: item.updated_at as string,
    freshUntilMs: Number(item.fresh_until_ms ?? 0),
  }));
}

/** Fresh, streaming, and with balances the bridge could read: a node new invoices may go to. */
export function isHealthy(status: NodeStatus, nowMs: number): status is NodeStatus & { inboundMsat: number } {
  return nowMs < status.freshUntilMs && status.streamConnected && status.inboundMsat !== null;
}
