import { delivery } from '../delivery';
import { BusSource, LedgerDetailType } from '../../functions/lib/bus/bus-events';
import { type Log, silentLog } from '../../functions/lib/runtime/log';
import { type Clock, systemClock } from '../../functions/lib/runtime/clock';
import { ruleTargetRetry, type BusRule } from './aws/local-bus';
import type { LocalQueue, LocalQueues } from './aws/local-queue';
import type { Table } from '../../functions/lib/table/client';
import { expireDueInvoices } from '../../functions/invoice-expiry/expire-due-invoices';
import { createDeliveryHandler } from '../../functions/webhook-delivery/handler';
import { createFanOutConsumer } from '../../functions/webhook-fanout/handler';
import { readWebhookSettings, type WebhookSettings } from '../../functions/lib/webhooks/config';
import type { DeliveryWorkerDependencies } from '../../functions/lib/webhooks/deliver';
import { postWebhook } from '../../functions/lib/webhooks/http-sender';
import { LOCAL_WEBHOOK_QUEUE, useWebhookQueues } from '../../functions/lib/webhooks/queues';
import type { SecretOpener } from '../../functions/lib/webhooks/secret-sealer';
import { systemResolver } from '../../functions/lib/webhooks/ssrf-guard';
import { asComponent } from './component-context';
import { asyncInvokeSettings, startAsyncInvoker } from './aws/async-invoke';
import { startSchedule } from './aws/schedule';
import { startSqsEventSource } from './aws/sqs-event-source';

export const WEBHOOK_FAN_OUT_RULE = 'webhook-fan-out';
export const WEBHOOK_FAN_OUT_QUEUE = 'webhook-fanout';
/** The template's `rate(1 minute)` schedule of invoice-expiry. */
export const EXPIRY_INTERVAL_MS = 60_000;

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
  log?: Log;
  /** Long poll of the queues. @default 5 */
  waitTimeSec?: number;
  /** The template's delivery durations × this (see PipelineTiming.timeScale). @default 1 */
  timeScale?: number;
  /** The invoice-expiry job's period; 0 leaves it off. @default 60 s */
  expiryIntervalMs?: number;
}

export interface LocalWebhooks {
  deliveryQueue: LocalQueue;
  deadLetterQueue: LocalQueue;
  /** Stops the event sources and the expiry schedule (the fan-out rule goes with the bus). */
  stop(): Promise<void>;
}

/**
 * Webhooks on the local stack, wired as in AWS: a bus rule "every DomainEvent → fan-out",
 * the delivery worker on the `webhook-deliveries` queue (its DLQ `webhook-deliveries-dlq`),
 * the API's redeliver route pointed at that queue, and the every-minute invoice expiry.
 */
export function startLocalWebhooks(options: LocalWebhooksOptions): LocalWebhooks {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? silentLog;
  const settings = options.settings ?? readWebhookSettings();
  const deliveryQueue = options.queues.queue(LOCAL_WEBHOOK_QUEUE, { maxReceiveCount: delivery.queues.webhookDelivery.maxReceiveCount });
  const deadLetterQueue = options.queues.deadLetterQueue(LOCAL_WEBHOOK_QUEUE);
  useWebhookQueues({ deliveries: deliveryQueue, deadLetters: deadLetterQueue });

  const timeScale = options.timeScale ?? 1;
  const waitTimeSec = options.waitTimeSec ?? 5;

  // DomainEvent rule → fan-out queue (DLQ) → SQS event source → the fan-out function.
  const fanOutSettings = delivery.queues.webhookFanout;
  const fanOutQueue = options.queues.queue(WEBHOOK_FAN_OUT_QUEUE, { maxReceiveCount: fanOutSettings.maxReceiveCount });
  options.addRule({
    name: WEBHOOK_FAN_OUT_RULE,
    pattern: { source: [BusSource.ledger], 'detail-type': [LedgerDetailType.domainEvent] },
    target: { queue: fanOutQueue, retry: ruleTargetRetry(delivery.ruleTargets.webhookFanout) },
  });
  const fanOut = startSqsEventSource({
    queue: fanOutQueue,
    handler: asComponent('webhook-fanout', createFanOutConsumer({ table: options.table, queue: deliveryQueue, clock, log }, { deadLetters: options.queues.deadLetterQueue(WEBHOOK_FAN_OUT_QUEUE) })),
    delivery: fanOutSettings,
    timeScale,
    waitTimeSec,
    log,
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
  // The delivery queue → SQS event source → the delivery function (its re-sends with a delay make the retry schedule).
  const deliveries = startSqsEventSource({
    queue: deliveryQueue,
    handler: asComponent('webhook-delivery', createDeliveryHandler(deps)),
    delivery: delivery.queues.webhookDelivery,
    timeScale,
    waitTimeSec,
    log,
  });

  // The every-minute schedule → invoice-expiry, an asynchronous invoke with its EventInvokeConfig and on-failure queue.
  const intervalMs = options.expiryIntervalMs ?? EXPIRY_INTERVAL_MS;
  const expiry =
    intervalMs > 0
      ? startAsyncInvoker({
          queues: options.queues,
          functionName: 'invoice-expiry',
          handler: asComponent('invoice-expiry', async () => void (await expireDueInvoices({ table: options.table, clock, log }))),
          settings: asyncInvokeSettings(delivery.asyncInvokes.invoiceExpiry),
          timeScale,
          waitTimeSec,
          log,
        })
      : undefined;
  const schedule = expiry ? startSchedule({ intervalMs, fire: (event) => expiry.invoke(event) }) : undefined;

  return {
    deliveryQueue,
    deadLetterQueue,
    async stop() {
      await schedule?.stop();
      await Promise.all([fanOut.stop(), deliveries.stop(), expiry?.stop(1_000)]);
      useWebhookQueues(undefined);
    },
  };
}

