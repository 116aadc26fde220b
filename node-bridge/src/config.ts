import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { delivery } from '../../infra/delivery';
import { type NamedNodeConnection, parseNodeList } from '../../functions/lib/node/node-config';
import { envProblems, presentEnv } from '../../functions/lib/runtime/env';

/**
 * The node-bridge's configuration, from environment variables, checked once at start-up:
 * a bad or missing variable stops the process with one line naming it.
 *
 * Time scale (local stack only). `LOCAL_TIME_SCALE` (a positive number, default 1)
 * multiplies the DEFAULT of every duration setting listed in DURATION_DEFAULTS below:
 * QUEUE_WAIT_TIME_SEC, PAYOUT_TIMEOUT_SEC, PAYOUT_VISIBILITY_TIMEOUT_SEC,
 * PAYOUT_RETRY_DELAY_SEC, PAYOUT_MAX_TRACK_SEC, PAYOUT_RECHECK_DELAY_SEC,
 * CANCEL_VISIBILITY_TIMEOUT_SEC, CANCEL_RETRY_DELAY_SEC, INVOICE_RECONNECT_BASE_MS,
 * INVOICE_RECONNECT_MAX_MS, INVOICE_CATCH_UP_INTERVAL_MS, PUBLISH_RETRY_BASE_MS,
 * PUBLISH_RETRY_MAX_MS, LIQUIDITY_INTERVAL_MS, LIQUIDITY_ALERT_REPEAT_MS and
 * SHUTDOWN_GRACE_MS, as infra/delivery.ts's `scaleSeconds` does for the template's
 * durations. Rules:
 *  - a duration variable set explicitly in the environment is taken as-is, never scaled;
 *  - counts stay exact (PAYOUT_CONCURRENCY, CANCEL_CONCURRENCY,
 *    LOCAL_PAYOUT_MAX_RECEIVE_COUNT, INVOICE_LIST_PAGE_SIZE), and so do thresholds, the
 *    HTTP port and LOCAL_QUEUE_POLL_INTERVAL_MS (how often the local queue stand-in looks
 *    at its table: a cost of the stand-in, not a duration SQS has);
 *  - a scaled default may be fractional (0.6 s at 0.01); explicit values keep their whole
 *    number parsing. PAYOUT_TIMEOUT_SEC goes to LND as whole seconds (timeout_seconds is an
 *    integer; 0 would mean LND's 60 s), rounded up to at least 1 (payout-worker.ts);
 *  - it is refused unless QUEUE_BACKEND=local and BUS_BACKEND=local: production never
 *    scales time.
 * Constants outside this file (the table heartbeat, the liquidity alert's own retries) are
 * not settings and are not scaled.
 */
export interface BridgeConfig {
  tableName: string;
  /** DynamoDB Local; the SDK's default endpoint when unset. */
  dynamoDbEndpoint: string | undefined;
  region: string | undefined;
  /**
   * The nodes, at least one: LIGHTNING_NODES, or the single-node variables (LIGHTNING_BACKEND,
   * LND_* or CLN_*) naming one node `default`. Each with credentials that may read and cancel
   * invoices, send and track payments, read balances: given as files or values, never secret
   * ids (ECS hands secrets over as values). Never logged. Each node has its own settlement
   * stream and cursor; payouts go to the node with the outbound liquidity (recorded on the
   * withdrawal), cancels to the invoice's node. Ids must be those the API's list gives them.
   */
  nodes: [NamedNodeConnection, ...NamedNodeConnection[]];
  queues:
    | { backend: 'sqs'; payoutQueueUrl: string; invoiceCancelQueueUrl: string }
    | { backend: 'local'; tableName: string; payoutQueueName: string; invoiceCancelQueueName: string; pollIntervalMs: number; payoutMaxReceiveCount: number };
  bus: { backend: 'eventbridge'; eventBusName: string } | { backend: 'local'; tableName: string; ingressQueueName: string; pollIntervalMs: number };
  http: { host: string; port: number };
  invoices: {
    reconnectBaseMs: number;
    reconnectMaxMs: number;
    /** ListInvoices catch-up besides the one after every (re)connect. */
    catchUpIntervalMs: number;
    listPageSize: number;
  };
  publish: { retryBaseMs: number; retryMaxMs: number };
  payouts: {
    concurrency: number;
    /** SendPaymentV2 timeout_seconds: how long LND looks for a route. */
    paymentTimeoutSec: number;
    visibilityTimeoutSec: number;
    waitTimeSec: number;
    /** Retry of a payout whose handling failed (node unreachable, ...). */
    retryDelaySec: number;
    /** A payment still in flight after this long frees its worker slot: the message is re-queued with a delay. */
    maxTrackSec: number;
    recheckDelaySec: number;
  };
  cancels: { concurrency: number; visibilityTimeoutSec: number; retryDelaySec: number };
  liquidity: { intervalMs: number; minOutboundMsat: number; minInboundMsat: number; alertRepeatMs: number };
  shutdownGraceMs: number;
  /** LOCAL_TIME_SCALE: what the unset durations' defaults were multiplied by (1 outside the local stack). */
  timeScale: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

const integer = (name: string, min = 0) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .refine((value) => Number.isSafeInteger(value) && value >= min, `${name} must be a safe integer >= ${min}`);

/**
 * The production default of every duration setting, in the unit its name ends with: the
 * one list LOCAL_TIME_SCALE multiplies (see the comment at the top).
 */
export const DURATION_DEFAULTS = {
  QUEUE_WAIT_TIME_SEC: 20,
  PAYOUT_TIMEOUT_SEC: 60,
  PAYOUT_VISIBILITY_TIMEOUT_SEC: 60,
  PAYOUT_RETRY_DELAY_SEC: 10,
  PAYOUT_MAX_TRACK_SEC: 15,
  PAYOUT_RECHECK_DELAY_SEC: 30,
  CANCEL_VISIBILITY_TIMEOUT_SEC: 30,
  CANCEL_RETRY_DELAY_SEC: 10,
  INVOICE_RECONNECT_BASE_MS: 500,
  INVOICE_RECONNECT_MAX_MS: 30_000,
  INVOICE_CATCH_UP_INTERVAL_MS: 300_000,
  PUBLISH_RETRY_BASE_MS: 200,
  PUBLISH_RETRY_MAX_MS: 10_000,
  LIQUIDITY_INTERVAL_MS: 60_000,
  LIQUIDITY_ALERT_REPEAT_MS: 3_600_000,
  SHUTDOWN_GRACE_MS: 10_000,
} as const;

type DurationName = keyof typeof DURATION_DEFAULTS;

const envSchema = z
  .object({
    // A plain decimal such as 0.02; see the comment at the top.
    LOCAL_TIME_SCALE: z
      .string()
      .regex(/^(\d+\.?\d*|\.\d+)$/, 'LOCAL_TIME_SCALE must be a positive number such as 0.02')
      .transform(Number)
      .refine((value) => Number.isFinite(value) && value > 0, 'LOCAL_TIME_SCALE must be a positive number such as 0.02')
      .default(1),

    TABLE_NAME: z.string({ error: 'TABLE_NAME must name the DynamoDB table' }).min(1, 'TABLE_NAME must name the DynamoDB table'),
    DYNAMODB_ENDPOINT: z.url('DYNAMODB_ENDPOINT must be a URL such as http://127.0.0.1:8000').optional(),
    AWS_REGION: z.string().min(1).optional(),

    // The nodes' variables (LIGHTNING_NODES, or LIGHTNING_BACKEND with LND_* or CLN_*): functions/lib/node/node-config.ts.

    QUEUE_BACKEND: z.enum(['sqs', 'local']).default('sqs'),
    PAYOUT_QUEUE_URL: z.url('PAYOUT_QUEUE_URL must be the URL of the payout queue').optional(),
    INVOICE_CANCEL_QUEUE_URL: z.url('INVOICE_CANCEL_QUEUE_URL must be the URL of the invoice cancel queue').optional(),
    LOCAL_QUEUE_TABLE: z.string().min(3).optional(),
    PAYOUT_QUEUE_NAME: z.string().min(1).default('payout'),
    INVOICE_CANCEL_QUEUE_NAME: z.string().min(1).default('invoice-cancel'),
    LOCAL_QUEUE_POLL_INTERVAL_MS: integer('LOCAL_QUEUE_POLL_INTERVAL_MS', 1).default(100),
    // The template's count (infra/delivery.ts), so the local queue dead-letters when SQS would.
    LOCAL_PAYOUT_MAX_RECEIVE_COUNT: integer('LOCAL_PAYOUT_MAX_RECEIVE_COUNT', 1).default(delivery.queues.payout.maxReceiveCount),

    BUS_BACKEND: z.enum(['eventbridge', 'local']).default('eventbridge'),
    EVENT_BUS_NAME: z.string().min(1).optional(),
    LOCAL_BUS_INGRESS_QUEUE: z.string().min(1).default('bus-ingress'),

    BRIDGE_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
    BRIDGE_HTTP_PORT: integer('BRIDGE_HTTP_PORT').default(9090),

    INVOICE_RECONNECT_BASE_MS: integer('INVOICE_RECONNECT_BASE_MS', 1).optional(),
    INVOICE_RECONNECT_MAX_MS: integer('INVOICE_RECONNECT_MAX_MS', 1).optional(),
    INVOICE_CATCH_UP_INTERVAL_MS: integer('INVOICE_CATCH_UP_INTERVAL_MS', 100).optional(),
    INVOICE_LIST_PAGE_SIZE: integer('INVOICE_LIST_PAGE_SIZE', 1).default(500),
    PUBLISH_RETRY_BASE_MS: integer('PUBLISH_RETRY_BASE_MS', 1).optional(),
    PUBLISH_RETRY_MAX_MS: integer('PUBLISH_RETRY_MAX_MS', 1).optional(),

    PAYOUT_CONCURRENCY: integer('PAYOUT_CONCURRENCY', 1).default(8),
    PAYOUT_TIMEOUT_SEC: integer('PAYOUT_TIMEOUT_SEC', 1).optional(),
    PAYOUT_VISIBILITY_TIMEOUT_SEC: integer('PAYOUT_VISIBILITY_TIMEOUT_SEC', 2).optional(),
    QUEUE_WAIT_TIME_SEC: integer('QUEUE_WAIT_TIME_SEC').optional(),
    PAYOUT_RETRY_DELAY_SEC: integer('PAYOUT_RETRY_DELAY_SEC').optional(),
    // Short on purpose: a handler follows its payment only this long, then re-queues it, so
    // payments that hang (stuck HTLCs) cannot hold every payout slot. Our stream ending does
    // not end the payment at the node; the next look tracks it again.
    PAYOUT_MAX_TRACK_SEC: integer('PAYOUT_MAX_TRACK_SEC', 1).optional(),
    PAYOUT_RECHECK_DELAY_SEC: integer('PAYOUT_RECHECK_DELAY_SEC').optional(),

    CANCEL_CONCURRENCY: integer('CANCEL_CONCURRENCY', 1).default(4),
    CANCEL_VISIBILITY_TIMEOUT_SEC: integer('CANCEL_VISIBILITY_TIMEOUT_SEC', 1).optional(),
    CANCEL_RETRY_DELAY_SEC: integer('CANCEL_RETRY_DELAY_SEC').optional(),

    LIQUIDITY_INTERVAL_MS: integer('LIQUIDITY_INTERVAL_MS', 100).optional(),
    LIQUIDITY_MIN_OUTBOUND_MSAT: integer('LIQUIDITY_MIN_OUTBOUND_MSAT').default(0),
    LIQUIDITY_MIN_INBOUND_MSAT: integer('LIQUIDITY_MIN_INBOUND_MSAT').default(0),
    LIQUIDITY_ALERT_REPEAT_MS: integer('LIQUIDITY_ALERT_REPEAT_MS', 1).optional(),

    SHUTDOWN_GRACE_MS: integer('SHUTDOWN_GRACE_MS').optional(),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  });

type Env = Record<string, string | undefined>;

/** Checks across variables, run on what is set even when single variables are bad, so one message names everything. */
function crossCheck(env: Env): string[] {
  const problems: string[] = [];
  const set = (name: string) => env[name] !== undefined;
  const queues = env.QUEUE_BACKEND ?? 'sqs';
  const bus = env.BUS_BACKEND ?? 'eventbridge';
  if (queues === 'sqs' && !(set('PAYOUT_QUEUE_URL') && set('INVOICE_CANCEL_QUEUE_URL'))) problems.push('QUEUE_BACKEND=sqs needs PAYOUT_QUEUE_URL and INVOICE_CANCEL_QUEUE_URL');
  if (queues === 'local' && !set('LOCAL_QUEUE_TABLE')) problems.push('QUEUE_BACKEND=local needs LOCAL_QUEUE_TABLE');
  if (bus === 'eventbridge' && !set('EVENT_BUS_NAME')) problems.push('BUS_BACKEND=eventbridge needs EVENT_BUS_NAME');
  if (bus === 'local' && !set('LOCAL_QUEUE_TABLE')) problems.push('BUS_BACKEND=local needs LOCAL_QUEUE_TABLE');
  if (set('LOCAL_TIME_SCALE') && (queues !== 'local' || bus !== 'local')) {
    problems.push('LOCAL_TIME_SCALE is for the local stack only: it needs QUEUE_BACKEND=local and BUS_BACKEND=local (production never scales time)');
  }
  return problems;
}

export class BridgeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BridgeConfigError';
  }
}

export function readBridgeConfig(env: NodeJS.ProcessEnv = process.env, readFile: (path: string) => Buffer = (path) => readFileSync(path)): BridgeConfig {
  const present = presentEnv(env);
  const parsed = envSchema.safeParse(present);
  const nodes = parseNodeList(present, { role: 'payments', readFile });
  const problems = [...(parsed.success ? [] : envProblems(parsed.error)), ...nodes.problems, ...crossCheck(present)];
  if (!parsed.success || !nodes.nodes || problems.length > 0) throw new BridgeConfigError(`Invalid node-bridge configuration: ${problems.join('; ')}`);
  const vars = parsed.data;
  // Set explicitly: as given. Unset: the production default × LOCAL_TIME_SCALE (possibly fractional).
  const duration = (name: DurationName): number => vars[name] ?? DURATION_DEFAULTS[name] * vars.LOCAL_TIME_SCALE;
  return {
    tableName: vars.TABLE_NAME,
    dynamoDbEndpoint: vars.DYNAMODB_ENDPOINT,
    region: vars.AWS_REGION,
    nodes: nodes.nodes as BridgeConfig['nodes'],
    queues:
      vars.QUEUE_BACKEND === 'sqs'
        ? { backend: 'sqs', payoutQueueUrl: vars.PAYOUT_QUEUE_URL!, invoiceCancelQueueUrl: vars.INVOICE_CANCEL_QUEUE_URL! }
        : {
            backend: 'local',
            tableName: vars.LOCAL_QUEUE_TABLE!,
            payoutQueueName: vars.PAYOUT_QUEUE_NAME,
            invoiceCancelQueueName: vars.INVOICE_CANCEL_QUEUE_NAME,
            pollIntervalMs: vars.LOCAL_QUEUE_POLL_INTERVAL_MS,
            payoutMaxReceiveCount: vars.LOCAL_PAYOUT_MAX_RECEIVE_COUNT,
          },
    bus: vars.BUS_BACKEND === 'eventbridge' ? { backend: 'eventbridge', eventBusName: vars.EVENT_BUS_NAME! } : { backend: 'local', tableName: vars.LOCAL_QUEUE_TABLE!, ingressQueueName: vars.LOCAL_BUS_INGRESS_QUEUE, pollIntervalMs: vars.LOCAL_QUEUE_POLL_INTERVAL_MS },
    http: { host: vars.BRIDGE_HTTP_HOST, port: vars.BRIDGE_HTTP_PORT },
    invoices: {
      reconnectBaseMs: duration('INVOICE_RECONNECT_BASE_MS'),
      reconnectMaxMs: duration('INVOICE_RECONNECT_MAX_MS'),
      catchUpIntervalMs: duration('INVOICE_CATCH_UP_INTERVAL_MS'),
      listPageSize: vars.INVOICE_LIST_PAGE_SIZE,
    },
    publish: { retryBaseMs: duration('PUBLISH_RETRY_BASE_MS'), retryMaxMs: duration('PUBLISH_RETRY_MAX_MS') },
    payouts: {
      concurrency: vars.PAYOUT_CONCURRENCY,
      paymentTimeoutSec: duration('PAYOUT_TIMEOUT_SEC'),
      visibilityTimeoutSec: duration('PAYOUT_VISIBILITY_TIMEOUT_SEC'),
      waitTimeSec: duration('QUEUE_WAIT_TIME_SEC'),
      retryDelaySec: duration('PAYOUT_RETRY_DELAY_SEC'),
      maxTrackSec: duration('PAYOUT_MAX_TRACK_SEC'),
      recheckDelaySec: duration('PAYOUT_RECHECK_DELAY_SEC'),
    },
    cancels: {
      concurrency: vars.CANCEL_CONCURRENCY,
      visibilityTimeoutSec: duration('CANCEL_VISIBILITY_TIMEOUT_SEC'),
      retryDelaySec: duration('CANCEL_RETRY_DELAY_SEC'),
    },
    liquidity: {
      intervalMs: duration('LIQUIDITY_INTERVAL_MS'),
      minOutboundMsat: vars.LIQUIDITY_MIN_OUTBOUND_MSAT,
      minInboundMsat: vars.LIQUIDITY_MIN_INBOUND_MSAT,
      alertRepeatMs: duration('LIQUIDITY_ALERT_REPEAT_MS'),
    },
    shutdownGraceMs: duration('SHUTDOWN_GRACE_MS'),
    timeScale: vars.LOCAL_TIME_SCALE,
    logLevel: vars.LOG_LEVEL,
  };
}
