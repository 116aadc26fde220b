import type { EventBus } from '../../functions/lib/bus/event-bus';
import type { Log } from '../../functions/lib/runtime/log';
import { connectNode } from '../../functions/lib/node/connect-node';
import { DEFAULT_NODE_ID } from '../../functions/lib/node/node-config';
import type { LightningNode } from '../../functions/lib/node/lightning-node';
import { type NodeStatus, writeNodeStatus } from '../../functions/lib/node/node-status';
import type { Queue } from '../../functions/lib/queue/queue';
import { createTable, type Table } from '../../functions/lib/table/client';
import type { BridgeConfig } from './config';
import { invoiceCursorName, tableCursorStore } from './cursor-store';
import { startHealthServer } from './health-server';
import { startHeartbeat } from './heartbeat';
import { startInvoiceCancelWorker } from './invoice-cancel-worker';
import { InvoiceStream } from './invoice-stream';
import { startLiquidityWatch } from './liquidity-watch';
import { jsonLog } from './log';
import { createBridgeMetrics, type BridgeMetrics } from './metrics';
import { liquidityPayoutNodes } from './payout-nodes';
import { startPayoutWorker } from './payout-worker';

/**
 * The queues and the bus the bridge works with, made by whoever starts it: SQS and
 * EventBridge in AWS (aws-transport.ts, from main.ts), the local stand-ins on the local
 * stack (infra/local/bridge-transport.ts).
 */
export interface BridgeTransport {
  payoutQueue: Queue;
  cancelQueue: Queue;
  bus: EventBus;
  /** Releases the transport's clients when the bridge stops. */
  close(): void;
}

export interface BridgeOverrides {
  /** Wraps the bus every publisher uses (tests inject refused entries with it). */
  wrapBus?: (bus: EventBus) => EventBus;
  log?: Log;
  /** How often the heartbeat (and the nodes' stream report) is logged. @default HEARTBEAT_INTERVAL_MS */
  heartbeatIntervalMs?: number;
  /** Wraps each connected node (tests report other channel balances with it). */
  wrapNode?: (nodeId: string, node: LightningNode) => LightningNode;
}

export interface RunningBridge {
  /** The port /healthz, /readyz and /metrics listen on. */
  httpPort: number;
  metrics: BridgeMetrics;
  /** Stops taking work, gives running payments SHUTDOWN_GRACE_MS, then lets go (the next bridge tracks them). */
  stop(): Promise<void>;
}

/** The DynamoDB client settings of the bridge: the region's endpoint, or DynamoDB Local. */
export function dynamoClientConfig(config: BridgeConfig) {
  if (!config.dynamoDbEndpoint) return config.region ? { region: config.region } : {};
  // DynamoDB Local takes any credentials; the SDK insists on some.
  const credentials = process.env.AWS_ACCESS_KEY_ID ? {} : { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  return { endpoint: config.dynamoDbEndpoint, region: config.region ?? 'us-east-1', ...credentials };
}

/** The /readyz check of a node's stream: the `default` node keeps the name it always had. */
export function streamCheckName(nodeId: string): string {
  return nodeId === DEFAULT_NODE_ID ? 'invoiceStream' : `invoiceStream:${nodeId}`;
}

/** Every configured node through its adapter; none left open if one cannot be made. */
async function connectNodes(config: BridgeConfig): Promise<Array<{ id: string; node: LightningNode }>> {
  const connected: Array<{ id: string; node: LightningNode }> = [];
  try {
    for (const { id, connection } of config.nodes) connected.push({ id, node: await connectNode(connection) });
    return connected;
  } catch (error) {
    for (const { node } of connected) node.close();
    throw error;
  }
}

/** The node-bridge, in this process: what `main.ts` runs, and what tests start with a wrapped bus. */
export async function startNodeBridge(config: BridgeConfig, transport: BridgeTransport, overrides: BridgeOverrides = {}): Promise<RunningBridge> {
  const log = overrides.log ?? jsonLog({ level: config.logLevel, base: { service: 'node-bridge' } });
  const metrics = createBridgeMetrics();
  // Each node through its adapter (LND or Core Lightning): everything below speaks the node port.
  const connected = await connectNodes(config);
  const wrapNode = overrides.wrapNode;
  const nodes = wrapNode ? connected.map(({ id, node }) => ({ id, node: wrapNode(id, node) })) : connected;
  const several = nodes.length > 1;
  const table: Table = createTable(config.tableName, dynamoClientConfig(config));

  const closers: Array<() => void> = [...connected.map((each) => () => each.node.close()), () => table.doc.destroy(), () => transport.close()];
  const { payoutQueue, cancelQueue } = transport;
  let bus = transport.bus;
  if (overrides.wrapBus) bus = overrides.wrapBus(bus);

  let stopping = false;
  // A stream that connects or drops rewrites the nodes' status items at once (several nodes), so
  // invoice placement need not wait up to LIQUIDITY_INTERVAL_MS to learn of it.
  let refreshStatus = () => {};
  // One settlement stream and cursor per node: a node that is down holds up only its own settlements.
  const streams = nodes.map(
    (each) =>
      new InvoiceStream({
        nodeId: each.id,
        node: each.node,
        bus,
        cursorStore: tableCursorStore(table, invoiceCursorName(each.id)),
        log,
        metrics,
        ...config.invoices,
        publishRetryBaseMs: config.publish.retryBaseMs,
        publishRetryMaxMs: config.publish.retryMaxMs,
        onConnectedChange: () => refreshStatus(),
      }),
  );
  const health = await startHealthServer({
    host: config.http.host,
    port: config.http.port,
    registry: metrics.registry,
    readiness: () => {
      const checks: Record<string, boolean> = Object.fromEntries(streams.map((stream) => [streamCheckName(stream.nodeId), stream.connected]));
      checks.acceptingWork = !stopping;
      return { ready: Object.values(checks).every(Boolean), checks };
    },
  });
  for (const stream of streams) stream.start();
  // With several nodes the watch writes each node's status for the API's invoice placement.
  const liquidity = startLiquidityWatch({
    nodes,
    bus,
    log,
    metrics,
    ...config.liquidity,
    ...(several
      ? { status: { write: (status: NodeStatus) => writeNodeStatus(table, status), streamConnected: (nodeId: string) => streams.find((stream) => stream.nodeId === nodeId)?.connected ?? false } }
      : {}),
  });
  if (several) refreshStatus = () => liquidity.refresh();
  const payouts = startPayoutWorker({
    queue: payoutQueue,
    nodes: liquidityPayoutNodes(nodes, liquidity),
    table,
    bus,
    log,
    metrics,
    ...config.payouts,
    publishRetryBaseMs: config.publish.retryBaseMs,
    publishRetryMaxMs: config.publish.retryMaxMs,
  });
  const cancels = startInvoiceCancelWorker({ queue: cancelQueue, nodes, table, log, metrics, ...config.cancels, waitTimeSec: config.payouts.waitTimeSec });
  const heartbeat = startHeartbeat({ table, liquidity, streams, log, ...(overrides.heartbeatIntervalMs !== undefined ? { intervalMs: overrides.heartbeatIntervalMs } : {}) });
  const described = config.nodes.map(({ id, connection }) => ({ id, backend: connection.backend, host: connection.host }));
  log.info('node-bridge ready', { httpPort: health.port, nodes: described, queues: config.queues.backend, bus: config.bus.backend });

  let stopped: Promise<void> | undefined;
  return {
    httpPort: health.port,
    metrics,
    stop: () =>
      (stopped ??= (async () => {
        stopping = true;
        heartbeat.stop();
        log.info('node-bridge stopping', { graceMs: config.shutdownGraceMs, paymentsInFlight: payouts.inFlight });
        await Promise.all([payouts.stop(config.shutdownGraceMs), cancels.stop(Math.min(config.shutdownGraceMs, 2000)), ...streams.map((stream) => stream.stop()), liquidity.stop()]);
        await health.close();
        for (const close of closers) close();
        log.info('node-bridge stopped');
      })()),
  };
}
