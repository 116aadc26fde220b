import type { EventBridgeEvent } from 'aws-lambda';
import { BusSource, LedgerDetailType } from '../lib/bus/bus-events';
import { systemClock } from '../lib/webhooks/clock';
import { lazily, tableFromEnv } from '../lib/webhooks/environment';
import { fanOutDomainEvent, type FanOutDependencies } from '../lib/webhooks/fan-out';
import { powertoolsWebhookLog } from '../lib/webhooks/log';
import { webhookQueues } from '../lib/webhooks/queues';

export type DomainBusEvent = EventBridgeEvent<string, unknown>;

/**
 * The bus target for every `DomainEvent` from `lightning-payments.ledger`: one delivery per
 * subscribed endpoint. Throws on table or queue trouble so the bus retries the event.
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

const processDependencies = lazily((): FanOutDependencies => {
  const log = powertoolsWebhookLog('lightning-payments-webhook-fanout');
  return { table: tableFromEnv(), queue: webhookQueues(log).deliveries, clock: systemClock, log };
});

/** Lambda entry point (EventBridge rule target). */
export const handler = createFanOutHandler(processDependencies);
