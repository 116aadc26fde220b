import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { EventType, newEventItem, type EventItem } from '../../../functions/lib/events/event';
import { IdPrefix, newId } from '../../../functions/lib/ids';
import type { Table } from '../../../functions/lib/table/client';
import { readWebhookSettings, type WebhookSettings } from '../../../functions/lib/webhooks/config';
import { deliverWebhookMessage, type DeliveryOutcome, type DeliveryWorkerDependencies } from '../../../functions/lib/webhooks/deliver';
import { endpointSecretContext, newWebhookEndpointItem, type WebhookEndpointItem } from '../../../functions/lib/webhooks/endpoint';
import { insertWebhookEndpoint } from '../../../functions/lib/webhooks/endpoint-repository';
import { postWebhook } from '../../../functions/lib/webhooks/http-sender';
import type { Log } from '../../../functions/lib/runtime/log';
import { localSecretSealer } from '../../../functions/lib/webhooks/secret-sealer';
import { newWebhookSecret } from '../../../functions/lib/webhooks/signing';
import type { Resolver } from '../../../functions/lib/webhooks/ssrf-guard';
import { ClockedQueue } from './clocked-queue';
import type { ManualClock } from './manual-clock';

/** The local stack's settings, read the way a deployment reads them: from the environment. */
export function localSettings(timeoutMs?: number): WebhookSettings {
  return readWebhookSettings({
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    WEBHOOK_ALLOW_HTTP: 'true',
    ...(timeoutMs !== undefined ? { WEBHOOK_TIMEOUT_MS: String(timeoutMs) } : {}),
  });
}

/** Hostnames for tests, without DNS. */
export function stubResolver(records: Record<string, string[]>): Resolver {
  return async (hostname) => {
    const addresses = records[hostname.toLowerCase()];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

export interface CapturingLog extends Log {
  lines: string[];
}

export function capturingLog(): CapturingLog {
  const lines: string[] = [];
  const write = (level: string) => (message: string, details?: Record<string, unknown>) => void lines.push(`${level} ${message} ${JSON.stringify(details ?? {})}`);
  return { lines, debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

export const newMerchantId = () => newId(IdPrefix.merchant);

/** The tests' webhook secrets key (the local sealer, as on the local stack). */
export const testSecrets = localSecretSealer(randomBytes(32));

/** An endpoint as the create route writes it (its secret sealed), with the plaintext for the receiver to verify with. */
export async function putEndpoint(
  table: Table,
  input: { merchantId: string; url: string; events?: EventType[]; createdAt?: Date },
): Promise<WebhookEndpointItem & { signingSecret: string }> {
  const createdAt = input.createdAt ?? new Date();
  const id = newId(IdPrefix.webhookEndpoint, createdAt.getTime());
  const signingSecret = newWebhookSecret();
  const item = newWebhookEndpointItem({
    id,
    merchantId: input.merchantId,
    url: input.url,
    events: input.events,
    sealedSecret: await testSecrets.seal(signingSecret, endpointSecretContext({ merchantId: input.merchantId, endpointId: id })),
    createdAt: createdAt.toISOString(),
  });
  await insertWebhookEndpoint(table, item);
  return { ...item, signingSecret };
}

/** An event as the ledger writes it (in the same transaction as the money change). */
export async function putEvent(
  table: Table,
  input: { merchantId: string; type?: EventType; createdAt?: Date; object?: Record<string, unknown> },
): Promise<EventItem> {
  const item = newEventItem({
    type: input.type ?? EventType.invoicePaid,
    merchantId: input.merchantId,
    object: input.object ?? { id: newId(IdPrefix.invoice), status: 'paid', amount_msat: 150_000 },
    createdAt: input.createdAt ?? new Date(),
  });
  await table.doc.send(new PutCommand({ TableName: table.name, Item: item }));
  return item;
}

/** What the bus hands the fan-out for an event. */
export const domainEventDetail = (event: EventItem) => ({
  merchant_id: event.merchant_id,
  event: { id: event.id, type: event.type, created_at: event.created_at, data: event.data },
});

export interface TestWorker {
  deps: DeliveryWorkerDependencies;
  queue: ClockedQueue;
  deadLetters: ClockedQueue;
  log: CapturingLog;
}

export function testWorker(table: Table, clock: ManualClock, overrides: Partial<DeliveryWorkerDependencies> = {}): TestWorker {
  const queue = new ClockedQueue(clock);
  const deadLetters = new ClockedQueue(clock);
  const log = capturingLog();
  const deps: DeliveryWorkerDependencies = {
    table,
    queue,
    deadLetters,
    clock,
    random: Math.random,
    settings: localSettings(),
    resolve: stubResolver({}),
    send: postWebhook,
    log,
    secrets: testSecrets,
    ...overrides,
  };
  return { deps, queue, deadLetters, log };
}

/** Handles whatever is visible now (once). */
export async function handleVisible(worker: TestWorker): Promise<DeliveryOutcome[]> {
  const outcomes: DeliveryOutcome[] = [];
  for (const body of worker.queue.takeVisible()) outcomes.push(await deliverWebhookMessage(worker.deps, body));
  return outcomes;
}

/**
 * Runs the queue to empty, moving the clock to each next visible message: days of retry
 * schedule in well under a second. `onStep` sees each outcome as it happens.
 */
export async function runToEmpty(worker: TestWorker, clock: ManualClock, onStep?: (outcome: DeliveryOutcome) => void | Promise<void>, maxSteps = 5000): Promise<DeliveryOutcome[]> {
  const outcomes: DeliveryOutcome[] = [];
  for (let step = 0; step < maxSteps; step++) {
    const visible = worker.queue.takeVisible();
    if (visible.length === 0) {
      const next = worker.queue.nextVisibleAtMs();
      if (next === undefined) return outcomes;
      clock.set(next);
      continue;
    }
    for (const body of visible) {
      const outcome = await deliverWebhookMessage(worker.deps, body);
      outcomes.push(outcome);
      await onStep?.(outcome);
    }
  }
  throw new Error(`the queue did not empty within ${maxSteps} steps`);
}
