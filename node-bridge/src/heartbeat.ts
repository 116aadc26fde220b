import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Log } from '../../functions/lib/runtime/log';
import { BridgeHeartbeat, type BridgeHeartbeatLine } from '../../functions/lib/observability/log-metrics';
import type { Table } from '../../functions/lib/table/client';
import { WORK_LIST_SHARDS } from '../../functions/lib/table/keys';
import type { LiquidityWatch } from './liquidity-watch';
import { nodeStreamLines, type NodeStreamStatus } from './node-stream-report';

export const HEARTBEAT_INTERVAL_MS = 60_000;

/**
 * Age of the oldest withdrawal that is not final, from the sharded open-withdrawals work
 * list: each shard's first item is its oldest (sort key `<created_at>#<id>`).
 */
export async function oldestOpenWithdrawalSec(table: Table, now: Date): Promise<number> {
  const oldest = await Promise.all(
    Array.from({ length: WORK_LIST_SHARDS }, async (_, shard) => {
      const { Items } = await table.doc.send(
        new QueryCommand({
          TableName: table.name,
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :shard',
          ExpressionAttributeValues: { ':shard': `OPEN_WITHDRAWALS#${shard}` },
          ScanIndexForward: true,
          Limit: 1,
        }),
      );
      const sortKey = Items?.[0]?.gsi2sk as string | undefined;
      return sortKey ? Date.parse(sortKey.slice(0, sortKey.indexOf('#'))) : undefined;
    }),
  );
  const times = oldest.filter((time): time is number => time !== undefined && Number.isFinite(time));
  return times.length === 0 ? 0 : Math.max(0, Math.floor((now.getTime() - Math.min(...times)) / 1000));
}

/**
 * One log line a minute that CloudWatch metric filters turn into the bridge's alarms:
 * that it is alive, how old the oldest unfinished withdrawal is, and the channel liquidity;
 * with it, each node's stream state as EMF lines (node-stream-report.ts).
 */
export function startHeartbeat(options: {
  table: Table;
  liquidity: Pick<LiquidityWatch, 'latest'>;
  /** The nodes' settlement streams. @default none */
  streams?: readonly NodeStreamStatus[];
  log: Log;
  intervalMs?: number;
}): { stop(): void } {
  const beat = async () => {
    const line: BridgeHeartbeatLine = { event: BridgeHeartbeat.event, oldest_open_withdrawal_sec: 0 };
    try {
      line.oldest_open_withdrawal_sec = await oldestOpenWithdrawalSec(options.table, new Date());
    } catch (error) {
      options.log.warn('heartbeat could not read open withdrawals', { error: (error as Error).name });
    }
    const liquidity = options.liquidity.latest();
    if (liquidity) {
      line.outbound_liquidity_msat = liquidity.outboundMsat;
      line.inbound_liquidity_msat = liquidity.inboundMsat;
    }
    options.log.info('heartbeat', { ...line });
    const streams = options.streams ?? [];
    if (streams.length > 0) for (const streamLine of nodeStreamLines(streams, Date.now())) options.log.info('node streams', streamLine);
  };
  const timer = setInterval(() => void beat(), options.intervalMs ?? HEARTBEAT_INTERVAL_MS);
  timer.unref();
  void beat();
  return { stop: () => clearInterval(timer) };
}
