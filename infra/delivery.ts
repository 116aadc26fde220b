/**
 * Delivery settings of every queue, rule target, stream source and asynchronous invoke of
 * the service: ONE place, read by the CDK constructs (the template) and by the local stack
 * (local queues, bus, stream poller, the bridge's local queue settings), so both deliver
 * the same way. Plain numbers and names only: no CDK imports (the bridge and the local
 * stack load this file too). test/infra/delivery.test.ts checks the synthesized template
 * against these values.
 *
 * Durations are seconds. The local stack may run them under a uniform time scale
 * (`scaleSeconds`): durations × factor, counts exact (see infra/local/README.md).
 */

export interface QueueDelivery {
  /** How long a received message stays hidden. For a Lambda consumer: ≥ 6 × its timeout (AWS's advice). */
  readonly visibilityTimeoutSec: number;
  /** Receives before SQS moves the message to the queue's DLQ. */
  readonly maxReceiveCount: number;
  readonly retentionSec: number;
  /** The DLQ's retention (for a standard queue the clock starts at the original enqueue). */
  readonly deadLetterRetentionSec: number;
  /** Messages per receive (the event source mapping's batch size, or the bridge's receive). */
  readonly batchSize: number;
  /** How long the event source mapping gathers a batch. */
  readonly maxBatchingWindowSec: number;
}

/** A Lambda fed by an SQS queue through an event source mapping with ReportBatchItemFailures. */
export interface ConsumerDelivery extends QueueDelivery {
  /** The function's timeout; the queue's visibility timeout is at least 6 × this. */
  readonly functionTimeoutSec: number;
  /** Concurrent invocations the event source mapping may run. */
  readonly maxConcurrency: number;
}

/** An EventBridge rule target's own retry policy: it covers only the hand-off to the target. */
export interface RuleTargetDelivery {
  readonly retryAttempts: number;
  readonly maxEventAgeSec: number;
  /** Where EventBridge parks an event it could not hand off. */
  readonly deadLetterQueue: string;
}

/** Lambda's asynchronous invoke (EventInvokeConfig). Lambda's own default: 2 retries, 6 h, then discard. */
export interface AsyncInvokeDelivery {
  readonly retryAttempts: number;
  readonly maxEventAgeSec: number;
  /** On-failure destination (a queue name here), never a silent discard. */
  readonly onFailure: string;
}

export interface StreamDelivery {
  readonly batchSize: number;
  readonly retryAttempts: number;
  readonly maxRecordAgeSec: number;
  readonly bisectBatchOnError: boolean;
  /** Lambda sends the failed batch's description (shard, sequence numbers; not the data) here. */
  readonly onFailure: string;
}

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A bus consumer: 30 s per invoke, hidden 6 × that, retried every 3 min for 25 h (500 receives) before its DLQ. */
const busConsumer: ConsumerDelivery = {
  functionTimeoutSec: 30,
  visibilityTimeoutSec: 6 * 30,
  maxReceiveCount: 500,
  retentionSec: 14 * DAY,
  deadLetterRetentionSec: 14 * DAY,
  batchSize: 10,
  maxBatchingWindowSec: 0,
  maxConcurrency: 10,
};

export const delivery = {
  queues: {
    /**
     * Withdrawals for the bridge. The bridge receives with its own (shorter) visibility and
     * extends it while a payment is in flight; the DLQ only catches messages it could not
     * even start.
     */
    payout: {
      visibilityTimeoutSec: 5 * MINUTE,
      maxReceiveCount: 10,
      retentionSec: 4 * DAY,
      deadLetterRetentionSec: 14 * DAY,
      batchSize: 10,
      maxBatchingWindowSec: 0,
    },
    invoiceCancel: {
      visibilityTimeoutSec: 5 * MINUTE,
      maxReceiveCount: 10,
      retentionSec: 4 * DAY,
      deadLetterRetentionSec: 14 * DAY,
      batchSize: 10,
      maxBatchingWindowSec: 0,
    },
    /** Webhook deliveries: the function re-sends with a delay for the published retry schedule. */
    webhookDelivery: {
      functionTimeoutSec: 30,
      visibilityTimeoutSec: 6 * 30,
      maxReceiveCount: 5,
      retentionSec: 4 * DAY,
      deadLetterRetentionSec: 14 * DAY,
      batchSize: 10,
      maxBatchingWindowSec: 0,
      maxConcurrency: 20,
    },
    /** Outbox records parked with their data (and stream batches Lambda gave up on); read by `npm run admin -- outbox:redrive`. */
    outboxFailures: {
      visibilityTimeoutSec: 5 * MINUTE,
      maxReceiveCount: 100,
      retentionSec: 14 * DAY,
      deadLetterRetentionSec: 14 * DAY,
      batchSize: 10,
      maxBatchingWindowSec: 0,
    },
    settleInvoice: busConsumer,
    payoutResult: busConsumer,
    webhookFanout: busConsumer,
  },
  /** Every rule → SQS target: EventBridge retries the hand-off 185 times over 24 h, then parks the event. */
  ruleTargets: {
    settleInvoice: { retryAttempts: 185, maxEventAgeSec: DAY, deadLetterQueue: 'ruleTargetFailures' },
    payoutResult: { retryAttempts: 185, maxEventAgeSec: DAY, deadLetterQueue: 'ruleTargetFailures' },
    webhookFanout: { retryAttempts: 185, maxEventAgeSec: DAY, deadLetterQueue: 'ruleTargetFailures' },
    /** The every-minute schedule → invoice-expiry (a Lambda target: the only asynchronous one left). */
    invoiceExpiry: { retryAttempts: 2, maxEventAgeSec: 5 * MINUTE, deadLetterQueue: 'asyncInvokeFailures' },
  },
  /** The DLQ of the rule targets: a plain queue, 14 days. */
  ruleTargetFailures: { retentionSec: 14 * DAY },
  /** The table's stream → outbox function. A record that fails its schema is parked by the function itself (with its data). */
  stream: {
    batchSize: 100,
    retryAttempts: 1000,
    maxRecordAgeSec: DAY,
    bisectBatchOnError: true,
    onFailure: 'outboxFailures',
  },
  /**
   * Asynchronous invokes that remain: invoice-expiry (schedule). Lambda's 2 retries, no
   * older than 5 min (the next minute's run does the same work), then a record of the failed
   * run in its on-failure queue (alarmed). Nothing is lost by the discard: expiry is a sweep.
   */
  asyncInvokes: {
    invoiceExpiry: { retryAttempts: 2, maxEventAgeSec: 5 * MINUTE, onFailure: 'asyncInvokeFailures' },
  },
  asyncInvokeFailures: { retentionSec: 14 * DAY },
} as const satisfies {
  queues: Record<string, QueueDelivery | ConsumerDelivery>;
  ruleTargets: Record<string, RuleTargetDelivery>;
  ruleTargetFailures: { retentionSec: number };
  stream: StreamDelivery;
  asyncInvokes: Record<string, AsyncInvokeDelivery>;
  asyncInvokeFailures: { retentionSec: number };
};

export type QueueName = keyof typeof delivery.queues;

/** A duration of this module under the local stack's time scale (1 = real time). */
export function scaleSeconds(seconds: number, timeScale: number): number {
  return seconds * timeScale;
}
