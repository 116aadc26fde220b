import type { EventBridgeEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { deadLettersFromEnv } from '../lib/queue/queue-from-env';
import { lazily, tableFromEnv } from '../lib/runtime/env';
import { systemClock } from '../lib/runtime/clock';
import { powertoolsLog } from '../lib/runtime/log';
import { BusSource, LedgerDetailType } from '../lib/bus/bus-events';
import { busEventBatchHandler, type BusConsumerDeps } from '../lib/queue/sqs-batch';
import { fanOutDomainEvent, type FanOutDependencies } from '../lib/webhooks/fan-out';
import { webhookQueues } from '../lib/webhooks/queues';

export type DomainBusEvent = EventBridgeEvent<string, unknown>;

/**
 * One `DomainEvent` from `lightning-payments.ledger`: one delivery per subscribed endpoint.
 * Throws on table or queue trouble so the event is delivered again.
 */
export function createFanOutHandler(deps: FanOutDependencies | (() => FanOutDependencies)) {
  const get = typeof deps === 'function' ? deps : () => deps;
  return async (event: DomainBusEvent): Promise<void> => {
    const dependencies = get();
    if (event.source !== BusSource.ledger || event['detail-type'] !== LedgerDetailType.domainEvent) {
      dependencies.log.warn('webhook fan-out ignored an event that is not a domain event', { source: event.source, detailType: event['detail-type'] });
      return;
    }
    await fanOutDomainEvent(dependencies, event.detail);
  };
}

/** SQS batches from the fan-out queue (fed by the DomainEvent rule); a detail that fails its schema is parked in the queue's DLQ. */
export function createFanOutConsumer(
  deps: FanOutDependencies | (() => FanOutDependencies),
  consumer: Omit<BusConsumerDeps, 'log'> | (() => Omit<BusConsumerDeps, 'log'>),
): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const get = typeof deps === 'function' ? deps : () => deps;
  const getConsumer = typeof consumer === 'function' ? consumer : () => consumer;
  const fanOut = createFanOutHandler(get);
  return (event) => busEventBatchHandler('webhook-fanout', { ...getConsumer(), log: get().log }, fanOut)(event);
}

const processDependencies = lazily((): FanOutDependencies => {
  const log = powertoolsLog('lightning-payments-webhook-fanout');
  return { table: tableFromEnv(), queue: webhookQueues(log).deliveries, clock: systemClock, log };
});
const processDeadLetters = lazily(() => ({ deadLetters: deadLettersFromEnv() }));

/** Lambda entry point (SQS event source with ReportBatchItemFailures on the fan-out queue). */
export const handler = createFanOutConsumer(processDependencies, processDeadLetters);
