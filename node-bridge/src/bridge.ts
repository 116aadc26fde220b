import type { EventBus } from '../../functions/lib/bus/event-bus';
import type { Log } from '../../functions/lib/runtime/log';
import { connectNode } from '../../functions/lib/node/connect-node';
import type { Queue } from '../../functions/lib/queue/queue';
import { createTable, type Table } from '../../functions/lib/table/client';
import type { BridgeConfig } from './config';
import { tableCursorStore } from './cursor-store';
import { startHealthServer } from './health-server';
import { startHeartbeat } from './heartbeat';
import { startInvoiceCancelWorker } from './invoice-cancel-worker';
import { InvoiceStream } from './invoice-stream';
import { startLiquidityWatch } from './liquidity-watch';
import { jsonLog } from './log';
import { createBridgeMetrics, type BridgeMetrics } from './metrics';
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

/** The node-bridge, in this process: what `main.ts` runs, and what tests start with a wrapped bus. */
export async function startNodeBridge(config: BridgeConfig, transport: BridgeTransport, overrides: BridgeOverrides = {}): Promise<RunningBridge> {
  const log = overrides.log ?? jsonLog({ level: config.logLevel, base: { service: 'node-bridge' } });
  const metrics = createBridgeMetrics();
  // The bridge's one choice of node adapter (LIGHTNING_BACKEND): everything below speaks the node port.
  const node = await connectNode(config.node);
  const table: Table = createTable(config.tableName, dynamoClientConfig(config));

  const closers: Array<() => void> = [() => node.close(), () => table.doc.destroy(), () => transport.close()];
  const { payoutQueue, cancelQueue } = transport;
  let bus = transport.bus;
  if (overrides.wrapBus) bus = overrides.wrapBus(bus);

  let stopping = false;
  const invoices = new InvoiceStream({
    node,
    bus,
    cursorStore: tableCursorStore(table),
    log,
    metrics,
    ...config.invoices,
    publishRetryBaseMs: config.publish.retryBaseMs,
    publishRetryMaxMs: config.publish.retryMaxMs,
  });
  const health = await startHealthServer({
    host: config.http.host,
    port: config.http.port,
    registry: metrics.registry,
    readiness: () => {
      const checks = { invoiceStream: invoices.connected, acceptingWork: !stopping };
      return { ready: Object.values(checks).every(Boolean), checks };
    },
  });
  invoices.start();
  const payouts = startPayoutWorker({
    queue: payoutQueue,
    node,
    table,
    bus,
    log,
    metrics,
    ...config.payouts,
    publishRetryBaseMs: config.publish.retryBaseMs,
    publishRetryMaxMs: config.publish.retryMaxMs,
  });
  const cancels = startInvoiceCancelWorker({ queue: cancelQueue, node, log, metrics, ...config.cancels, waitTimeSec: config.payouts.waitTimeSec });
  const liquidity = startLiquidityWatch({ node, bus, log, metrics, ...config.liquidity });
  const heartbeat = startHeartbeat({ table, liquidity, log });
  log.info('node-bridge ready', { httpPort: health.port, backend: config.node.backend, node: config.node.host, queues: config.queues.backend, bus: config.bus.backend });

  let stopped: Promise<void> | undefined;
  return {
    httpPort: health.port,
    metrics,
    stop: () =>
      (stopped ??= (async () => {
        stopping = true;
        heartbeat.stop();
        log.info('node-bridge stopping', { graceMs: config.shutdownGraceMs, paymentsInFlight: payouts.inFlight });
        await Promise.all([payouts.stop(config.shutdownGraceMs), cancels.stop(Math.min(config.shutdownGraceMs, 2000)), invoices.stop(), liquidity.stop()]);
        await health.close();
        for (const close of closers) close();
        log.info('node-bridge stopped');
      })()),
  };
}
