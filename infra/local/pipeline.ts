import { BusSource, NodeDetailType } from '../../functions/lib/bus/bus-events';
import type { EventBus } from '../../functions/lib/bus/event-bus';
import { LocalBus, ruleTargetRetry, type BusRule } from './aws/local-bus';
import { type Log, silentLog } from '../../functions/lib/runtime/log';
import { type Metrics, noMetrics } from '../../functions/lib/runtime/metrics';
import { LocalQueues, localQueueName, type LocalQueue } from './aws/local-queue';
import { createTable, type Table } from '../../functions/lib/table/client';
import { processOutboxRecords } from '../../functions/outbox/outbox';
import { createPayoutResultConsumer } from '../../functions/payout-result/payout-result';
import { createSettleInvoiceConsumer } from '../../functions/settle-invoice/settle-invoice';
import { delivery, scaleSeconds, type ConsumerDelivery } from '../delivery';
import { startSqsEventSource, type SqsEventSource } from './aws/sqs-event-source';
import { spawnBridgeProcess, type BridgeProcess } from './bridge-process';
import { localDynamoDbClient } from './dynamodb-local';
import { ensureLocalQueueTable, localQueueTableName } from './aws/local-queue-table';
import { startStreamPoller, type StreamPoller } from './aws/stream-poller';
import { asComponent } from './component-context';
import { nodeEnv, type PipelineNode } from './local-node';

export const PAYOUT_QUEUE = 'payout';
export const INVOICE_CANCEL_QUEUE = 'invoice-cancel';
export const OUTBOX_FAILURES_QUEUE = 'outbox-failures';
export const SETTLE_INVOICE_RULE = 'settle-invoice';
export const PAYOUT_RESULT_RULE = 'payout-result';
/** The queues the rules feed (as in the template: rule → SQS queue → consumer function). */
export const SETTLE_INVOICE_QUEUE = 'settle-invoice';
export const PAYOUT_RESULT_QUEUE = 'payout-result';
/** Where rule targets park events they could not hand off (the template's RuleTargetFailures queue). */
export const RULE_TARGET_FAILURES_QUEUE = localQueueName(delivery.ruleTargets.settleInvoice.deadLetterQueue);

export type { PipelineNode } from './local-node';

export interface PipelineTiming {
  /** Long polls of queues fed by another process (the bus ingress here, payout and cancel queues in the bridge). */
  crossProcessPollMs: number;
  /** Fallback polls of queues fed in-process (those wake at once on a send). */
  inProcessPollMs: number;
  /**
   * The template's delivery durations (infra/delivery.ts: visibility timeouts, function
   * timeouts, retry windows, event and record ages) × this; counts (receives before a DLQ,
   * retry attempts, batch sizes) stay exact. 1 is AWS's own pace.
   */
  timeScale: number;
  /** Idle pause of the stream poller. */
  streamIdlePollMs: number;
  /** Environment of the bridge that goes with this timing. */
  bridgeEnv: Record<string, string>;
}

/** Production-like pace for `npm start`. */
export const DEFAULT_TIMING: PipelineTiming = {
  crossProcessPollMs: 100,
  inProcessPollMs: 1000,
  timeScale: 1,
  streamIdlePollMs: 200,
  bridgeEnv: {},
};

/** Small timeouts and backoffs so tests see redeliveries, reconnects and retries within seconds. */
export const FAST_TIMING: PipelineTiming = {
  crossProcessPollMs: 40,
  inProcessPollMs: 400,
  // A consumer's 30 s timeout is 1.5 s, its queue's 180 s visibility (the retry interval of a failed record) 9 s.
  timeScale: 0.05,
  streamIdlePollMs: 60,
  bridgeEnv: {
    LOCAL_QUEUE_POLL_INTERVAL_MS: '40',
    QUEUE_WAIT_TIME_SEC: '2',
    PAYOUT_VISIBILITY_TIMEOUT_SEC: '3',
    PAYOUT_RETRY_DELAY_SEC: '1',
    PAYOUT_TIMEOUT_SEC: '1',
    PAYOUT_RECHECK_DELAY_SEC: '1',
    CANCEL_VISIBILITY_TIMEOUT_SEC: '3',
    CANCEL_RETRY_DELAY_SEC: '1',
    INVOICE_RECONNECT_BASE_MS: '50',
    INVOICE_RECONNECT_MAX_MS: '1000',
    INVOICE_CATCH_UP_INTERVAL_MS: '3000',
    PUBLISH_RETRY_BASE_MS: '20',
    PUBLISH_RETRY_MAX_MS: '500',
    LIQUIDITY_INTERVAL_MS: '1000',
    SHUTDOWN_GRACE_MS: '500',
  },
};

export interface PipelineOptions {
  tableName: string;
  dynamoDbEndpoint: string;
  /** The node the bridge streams settlements from and pays with (LND or Core Lightning). */
  node: PipelineNode;
  /** @default `${tableName}-local-queues` */
  queueTableName?: string;
  /** More bus rules, added before anything starts (webhook fan-out, test recorders). */
  extraRules?: BusRule[];
  /** Start the node-bridge child process. @default true */
  startBridge?: boolean;
  /** Environment for the bridge on top of the pipeline's (any variable of node-bridge/src/config.ts). */
  bridgeEnv?: Record<string, string>;
  /** Appends the bridge's log lines to this file. */
  bridgeLogFile?: string;
  /** @default DEFAULT_TIMING */
  timing?: PipelineTiming;
  /** Wraps the bus the outbox publishes to (fault injection). */
  wrapOutboxBus?: (bus: EventBus) => EventBus;
  log?: Log;
  /** Counters of the outbox and the consumers (CloudWatch EMF in AWS). */
  metrics?: Metrics;
}

export interface Pipeline {
  table: Table;
  queues: LocalQueues;
  payoutQueue: LocalQueue;
  invoiceCancelQueue: LocalQueue;
  /** The consumers' queues, as the rules feed them (their DLQs: `queues.deadLetterQueue(name)`). */
  settleInvoiceQueue: LocalQueue;
  payoutResultQueue: LocalQueue;
  /** Outbox records that can never become a message, parked with their data; stream batches given up on. */
  outboxFailuresQueue: LocalQueue;
  bus: LocalBus;
  /** Same as bus.addRule: any time, before or after start. */
  addRule(rule: BusRule): void;
  /** The running node-bridge child, if any. */
  readonly bridge: BridgeProcess | undefined;
  /** The bridge's environment: what the child gets, or what readBridgeConfig needs to run one in-process. */
  bridgeEnv(extra?: Record<string, string>): Record<string, string>;
  /** Starts the node-bridge child (after a kill, or when startBridge was false); resolves when it is ready. */
  startBridge(extraEnv?: Record<string, string>): Promise<BridgeProcess>;
  /** Signals the bridge and waits for it to exit (SIGTERM: graceful; SIGKILL: a crash). */
  killBridge(signal?: NodeJS.Signals): Promise<void>;
  /** Stops everything, the bridge child included. Data stays in the tables. */
  stop(): Promise<void>;
}

/**
 * The payment pipeline on one machine, with the same handlers as in AWS: the table's real
 * stream (DynamoDB Local) → outbox handler → payout and cancel queues and the bus; bus
 * rules → the settle-invoice and payout-result handlers; and the node-bridge as a child
 * process talking to the node (LND, Core Lightning or their simulators) over gRPC. Queues and the bus live in a
 * DynamoDB table of their own, so every process shares them and nothing is lost when one
 * is killed.
 */
export async function startPipeline(options: PipelineOptions): Promise<Pipeline> {
  const timing = options.timing ?? DEFAULT_TIMING;
  const log = options.log ?? silentLog;
  const metrics = options.metrics ?? noMetrics;
  const queueTableName = options.queueTableName ?? localQueueTableName(options.tableName);
  const clientConfig = {
    endpoint: options.dynamoDbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  const admin = localDynamoDbClient(options.dynamoDbEndpoint);
  await ensureLocalQueueTable(admin, queueTableName);
  admin.destroy();

  const table = createTable(options.tableName, clientConfig);
  const queueTable = createTable(queueTableName, clientConfig);
  const queues = new LocalQueues(queueTable, { pollIntervalMs: timing.inProcessPollMs });
  // The template's redrive counts (infra/delivery.ts), not kinder ones.
  const payoutQueue = queues.queue(PAYOUT_QUEUE, { maxReceiveCount: delivery.queues.payout.maxReceiveCount });
  const invoiceCancelQueue = queues.queue(INVOICE_CANCEL_QUEUE, { maxReceiveCount: delivery.queues.invoiceCancel.maxReceiveCount });
  const outboxFailuresQueue = queues.queue(OUTBOX_FAILURES_QUEUE, { maxReceiveCount: delivery.queues.outboxFailures.maxReceiveCount });
  const bus = new LocalBus({ queues, ingressPollIntervalMs: timing.crossProcessPollMs, timeScale: timing.timeScale, log });

  // rule → queue (with its DLQ) → SQS event source → the consumer function, as in the template.
  const consumerQueue = (name: string, settings: ConsumerDelivery) =>
    queues.queue(name, { maxReceiveCount: settings.maxReceiveCount, defaultVisibilityTimeoutSec: scaleSeconds(settings.visibilityTimeoutSec, timing.timeScale) });
  const settleInvoiceQueue = consumerQueue(SETTLE_INVOICE_QUEUE, delivery.queues.settleInvoice);
  const payoutResultQueue = consumerQueue(PAYOUT_RESULT_QUEUE, delivery.queues.payoutResult);
  bus.addRule({
    name: SETTLE_INVOICE_RULE,
    pattern: { source: [BusSource.node], 'detail-type': [NodeDetailType.invoiceSettled] },
    target: { queue: settleInvoiceQueue, retry: ruleTargetRetry(delivery.ruleTargets.settleInvoice) },
  });
  bus.addRule({
    name: PAYOUT_RESULT_RULE,
    pattern: { source: [BusSource.node], 'detail-type': [NodeDetailType.paymentSucceeded, NodeDetailType.paymentFailed] },
    target: { queue: payoutResultQueue, retry: ruleTargetRetry(delivery.ruleTargets.payoutResult) },
  });
  for (const rule of options.extraRules ?? []) bus.addRule(rule);
  bus.start();

  const consumerDeps = (queueName: string) => ({ table, log, metrics, deadLetters: queues.deadLetterQueue(queueName) });
  const eventSources: SqsEventSource[] = [
    startSqsEventSource({
      queue: settleInvoiceQueue,
      handler: asComponent('settle-invoice', createSettleInvoiceConsumer(consumerDeps(SETTLE_INVOICE_QUEUE))),
      delivery: delivery.queues.settleInvoice,
      timeScale: timing.timeScale,
      log,
    }),
    startSqsEventSource({
      queue: payoutResultQueue,
      handler: asComponent('payout-result', createPayoutResultConsumer(consumerDeps(PAYOUT_RESULT_QUEUE))),
      delivery: delivery.queues.payoutResult,
      timeScale: timing.timeScale,
      log,
    }),
  ];

  const outboxBus = options.wrapOutboxBus ? options.wrapOutboxBus(bus) : bus;
  const poller: StreamPoller = startStreamPoller({
    dynamoDbEndpoint: options.dynamoDbEndpoint,
    tableName: options.tableName,
    checkpoints: queueTable,
    idlePollMs: timing.streamIdlePollMs,
    batchSize: delivery.stream.batchSize,
    errorHandling: { ...delivery.stream, onFailure: outboxFailuresQueue },
    timeScale: timing.timeScale,
    log,
    handler: asComponent('outbox', (event) => processOutboxRecords(event.Records, { payoutQueue, invoiceCancelQueue, failures: outboxFailuresQueue, bus: outboxBus, log, metrics })),
  });

  const bridgeEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
    TABLE_NAME: options.tableName,
    DYNAMODB_ENDPOINT: options.dynamoDbEndpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    ...nodeEnv(options.node, 'payments'),
    QUEUE_BACKEND: 'local',
    BUS_BACKEND: 'local',
    LOCAL_QUEUE_TABLE: queueTableName,
    PAYOUT_QUEUE_NAME: PAYOUT_QUEUE,
    INVOICE_CANCEL_QUEUE_NAME: INVOICE_CANCEL_QUEUE,
    LOCAL_PAYOUT_MAX_RECEIVE_COUNT: String(delivery.queues.payout.maxReceiveCount),
    LOCAL_QUEUE_POLL_INTERVAL_MS: String(timing.crossProcessPollMs),
    BRIDGE_HTTP_HOST: '127.0.0.1',
    BRIDGE_HTTP_PORT: '0',
    ...timing.bridgeEnv,
    ...options.bridgeEnv,
    ...extra,
  });

  let bridge: BridgeProcess | undefined;
  const killOnExit = () => {
    if (bridge?.running) process.kill(bridge.pid, 'SIGKILL');
  };
  process.on('exit', killOnExit);

  const pipeline: Pipeline = {
    table,
    queues,
    payoutQueue,
    invoiceCancelQueue,
    settleInvoiceQueue,
    payoutResultQueue,
    outboxFailuresQueue,
    bus,
    addRule: (rule) => bus.addRule(rule),
    get bridge() {
      return bridge;
    },
    bridgeEnv,
    async startBridge(extraEnv = {}) {
      if (bridge?.running) throw new Error('the node-bridge is already running');
      bridge = await spawnBridgeProcess({ env: bridgeEnv(extraEnv), ...(options.bridgeLogFile ? { logFile: options.bridgeLogFile } : {}) });
      return bridge;
    },
    async killBridge(signal = 'SIGTERM') {
      await bridge?.kill(signal);
    },
    async stop() {
      try {
        await bridge?.kill('SIGTERM', 5_000);
      } finally {
        process.off('exit', killOnExit);
        await poller.stop();
        await bus.stop();
        await Promise.all(eventSources.map((source) => source.stop()));
        table.doc.destroy();
        queueTable.doc.destroy();
      }
    },
  };
  if (options.startBridge ?? true) {
    try {
      await pipeline.startBridge();
    } catch (error) {
      await pipeline.stop();
      throw error;
    }
  }
  return pipeline;
}
