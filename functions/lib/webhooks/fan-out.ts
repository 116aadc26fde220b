import { domainEventDetailSchema } from '../bus/bus-events';
import type { Table } from '../table/client';
import type { Clock } from '../runtime/clock';
import type { Log } from '../runtime/log';
import { EndpointStatus, subscribesTo } from './endpoint';
import { allWebhookEndpoints } from './endpoint-repository';
import { startFirstDelivery, type QueueSender } from './series';

export interface FanOutDependencies {
  table: Table;
  /** The webhook queue: one message per (event, endpoint). */
  queue: QueueSender;
  clock: Clock;
  log: Log;
}

/**
 * One domain event (the `detail` of a `DomainEvent` from `lightning-payments.ledger`) →
 * one delivery per enabled endpoint of its merchant that subscribes to its type, each its
 * own queue message. Safe to run again for the same event. Throws when the table or the
 * queue fails, so the bus (or the local rule) retries the whole event.
 */
export async function fanOutDomainEvent(deps: FanOutDependencies, detail: unknown): Promise<{ endpointIds: string[] }> {
  const { merchant_id: merchantId, event } = domainEventDetailSchema.parse(detail);
  const endpoints = await allWebhookEndpoints(deps.table, merchantId);
  const targets = endpoints.filter((endpoint) => endpoint.status === EndpointStatus.enabled && subscribesTo(endpoint, event.type));
  const now = deps.clock.now();
  await Promise.all(
    targets.map((endpoint) => startFirstDelivery(deps.table, deps.queue, { eventId: event.id, endpointId: endpoint.id, merchantId, now })),
  );
  if (targets.length > 0) deps.log.info('webhook deliveries queued', { event_id: event.id, type: event.type, endpoints: targets.length });
  return { endpointIds: targets.map((endpoint) => endpoint.id) };
}
