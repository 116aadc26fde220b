import { delivery } from '../delivery';
import { BusSource, LedgerDetailType } from '../../functions/lib/bus/bus-events';
import type { BusRule } from './aws/local-bus';
import type { LocalQueue, LocalQueues } from './aws/local-queue';
import type { Table } from '../../functions/lib/table/client';
import { startInvoiceExpiryTimer, EXPIRY_INTERVAL_MS, type InvoiceExpiryTimer } from '../../functions/invoice-expiry/handler';
import { startWebhookDeliveryWorker } from '../../functions/webhook-delivery/handler';
import { createFanOutHandler } from '../../functions/webhook-fanout/handler';
import { systemClock, type Clock } from '../../functions/lib/webhooks/clock';
import { readWebhookSettings, type WebhookSettings } from '../../functions/lib/webhooks/config';
import type { DeliveryWorkerDependencies } from '../../functions/lib/webhooks/deliver';
import { postWebhook } from '../../functions/lib/webhooks/http-sender';
import { silentWebhookLog, type WebhookLog } from '../../functions/lib/webhooks/log';
import { LOCAL_WEBHOOK_QUEUE, useWebhookQueues } from '../../functions/lib/webhooks/queues';
import type { SecretOpener } from '../../functions/lib/webhooks/secret-sealer';
import { systemResolver } from '../../functions/lib/webhooks/ssrf-guard';
import { asComponent } from './component-context';

export const WEBHOOK_FAN_OUT_RULE = 'webhook-fan-out';

export interface LocalWebhooksOptions {
  table: Table;
  /** The local stack's queues (the pipeline's `queues`). */
  queues: LocalQueues;
  /** Where the fan-out rule goes: the pipeline's `addRule` (or LocalBus.addRule). */
  addRule(rule: BusRule): void;
  /** Opens endpoints' sealed signing secrets: the local sealer, with the API's key. */
  secrets: SecretOpener;
  /** @default read from the environment (the local stack sets WEBHOOK_ALLOW_HTTP and WEBHOOK_ALLOW_PRIVATE_TARGETS) */
  settings?: WebhookSettings;
  clock?: Clock;
  log?: WebhookLog;
  /** Attempts in flight at once. @default 10 */
  deliveryConcurrency?: number;
  /** Long poll of the delivery queue. @default 5 */
  waitTimeSec?: number;
  /** The invoice-expiry job's period; 0 leaves it off. @default 60 s */
  expiryIntervalMs?: number;
}

export interface LocalWebhooks {
  deliveryQueue: LocalQueue;
  deadLetterQueue: LocalQueue;
  /** Stops the delivery worker and the expiry timer (the fan-out rule goes with the bus). */
  stop(): Promise<void>;
}

/**
 * Webhooks on the local stack, wired as in AWS: a bus rule "every DomainEvent → fan-out",
 * the delivery worker on the `webhook-deliveries` queue (its DLQ `webhook-deliveries-dlq`),
 * the API's redeliver route pointed at that queue, and the every-minute invoice expiry.
 */
export function startLocalWebhooks(options: LocalWebhooksOptions): LocalWebhooks {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? silentWebhookLog;
  const settings = options.settings ?? readWebhookSettings();
  const deliveryQueue = options.queues.queue(LOCAL_WEBHOOK_QUEUE, { maxReceiveCount: delivery.queues.webhookDelivery.maxReceiveCount });
  const deadLetterQueue = options.queues.deadLetterQueue(LOCAL_WEBHOOK_QUEUE);
  useWebhookQueues({ deliveries: deliveryQueue, deadLetters: deadLetterQueue });

  const fanOut = createFanOutHandler({ table: options.table, queue: deliveryQueue, clock, log });
  options.addRule({
    name: WEBHOOK_FAN_OUT_RULE,
    pattern: { source: [BusSource.ledger], 'detail-type': [LedgerDetailType.domainEvent] },
    target: { handler: asComponent('webhook-fanout', fanOut), concurrency: 4 },
  });

  const deps: DeliveryWorkerDependencies = {
    table: options.table,
    queue: deliveryQueue,
    deadLetters: deadLetterQueue,
    clock,
    random: Math.random,
    settings,
    resolve: systemResolver,
    send: postWebhook,
    log,
    secrets: options.secrets,
  };
  // The worker loop stands for the SQS event source mapping, which polls with the function's role.
  const worker = asComponent('webhook-delivery', startWebhookDeliveryWorker)({
    queue: deliveryQueue,
    deps,
    concurrency: options.deliveryConcurrency ?? 10,
    waitTimeSec: options.waitTimeSec ?? 5,
  });
  const intervalMs = options.expiryIntervalMs ?? EXPIRY_INTERVAL_MS;
  const expiry: InvoiceExpiryTimer | undefined = intervalMs > 0 ? asComponent('invoice-expiry', startInvoiceExpiryTimer)({ table: options.table, clock, log }, intervalMs) : undefined;

  return {
    deliveryQueue,
    deadLetterQueue,
    async stop() {
      await Promise.all([worker.stop(1_000), expiry?.stop()]);
      useWebhookQueues(undefined);
    },
  };
}
