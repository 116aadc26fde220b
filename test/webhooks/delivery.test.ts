import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EventType } from '../../functions/lib/events/event';
import { AttemptStatus, DeliveryStateStatus, type DeadLetter, type DeliveryMessage } from '../../functions/lib/webhooks/delivery';
import { allDeliveriesOf, findDeliveryState } from '../../functions/lib/webhooks/delivery-repository';
import { deliverWebhookMessage, DeliveryOutcome } from '../../functions/lib/webhooks/deliver';
import { EndpointStatus } from '../../functions/lib/webhooks/endpoint';
import { deleteWebhookEndpoint, findWebhookEndpoint } from '../../functions/lib/webhooks/endpoint-repository';
import { fanOutDomainEvent } from '../../functions/lib/webhooks/fan-out';
import { RETRY_DELAYS_MS } from '../../functions/lib/webhooks/retry-schedule';
import { useTestTable } from '../support/table';
import { domainEventDetail, handleVisible, localSettings, newMerchantId, putEndpoint, putEvent, testWorker, type TestWorker } from './support/fixtures';
import { ManualClock } from './support/manual-clock';
import { closedPort, startReceiver, type Receiver } from './support/receiver';

describe('webhook delivery', () => {
  const table = useTestTable();
  let receiver: Receiver;
  let other: Receiver;
  let clock: ManualClock;
  let worker: TestWorker;

  beforeAll(async () => {
    receiver = await startReceiver();
    other = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await other.close();
  });
  beforeEach(() => {
    receiver.received.length = 0;
    receiver.reply = () => ({ status: 200 });
    other.received.length = 0;
    clock = new ManualClock(Date.now());
    worker = testWorker(table, clock, { random: () => 0 });
  });

  /** An endpoint on the receiver, an event, and the fan-out's queue message(s) for it. */
  async function scenario(input: { url?: string; events?: EventType[]; type?: EventType } = {}) {
    const merchantId = newMerchantId();
    const endpoint = await putEndpoint(table, { merchantId, url: input.url ?? receiver.url, ...(input.events ? { events: input.events } : {}) });
    receiver.secret = endpoint.signingSecret;
    const event = await putEvent(table, { merchantId, type: input.type ?? EventType.invoicePaid, createdAt: clock.now() });
    const fanned = await fanOutDomainEvent({ table, queue: worker.queue, clock, log: worker.log }, domainEventDetail(event));
    return { merchantId, endpoint, event, fanned };
  }

  it('POSTs the event, signed per Standard Webhooks, and logs the attempt', async () => {
    const { endpoint, event } = await scenario();

    expect(await handleVisible(worker)).toEqual([DeliveryOutcome.succeeded]);

    expect(receiver.received).toHaveLength(1);
    const [delivery] = receiver.received;
    expect(delivery!.verifyError).toBeUndefined();
    expect(delivery!.payload).toEqual({ id: event.id, type: 'invoice.paid', created_at: event.created_at, data: event.data });
    expect(delivery!.headers['webhook-id']).toBe(event.id);
    expect(delivery!.headers['webhook-timestamp']).toBe(String(Math.floor(clock.nowMs() / 1000)));
    expect(delivery!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(delivery!.headers['content-type']).toBe('application/json');

    const attempts = await allDeliveriesOf(table, event.id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ endpoint_id: endpoint.id, attempt: 1, status: AttemptStatus.succeeded, response_status: 200, error: null });
    expect(attempts[0]!.id).toMatch(/^dlv_/);
    expect(attempts[0]!.duration_ms).toBeGreaterThanOrEqual(0);
    expect((await findDeliveryState(table, event.id, endpoint.id))?.status).toBe(DeliveryStateStatus.succeeded);
  });

  it('fans out one message per subscribed, enabled endpoint of the merchant, and only once', async () => {
    const merchantId = newMerchantId();
    const all = await putEndpoint(table, { merchantId, url: receiver.url });
    const paidOnly = await putEndpoint(table, { merchantId, url: receiver.url, events: [EventType.invoicePaid] });
    await putEndpoint(table, { merchantId, url: receiver.url, events: [EventType.withdrawalFailed] });
    const gone = await putEndpoint(table, { merchantId, url: receiver.url });
    await table.doc.send(
      new (await import('@aws-sdk/lib-dynamodb')).UpdateCommand({
        TableName: table.name,
        Key: { pk: gone.pk, sk: gone.sk },
        UpdateExpression: 'SET #status = :disabled',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':disabled': EndpointStatus.disabled },
      }),
    );
    await putEndpoint(table, { merchantId: newMerchantId(), url: receiver.url }); // someone else's
    const event = await putEvent(table, { merchantId, type: EventType.invoicePaid });

    const deps = { table, queue: worker.queue, clock, log: worker.log };
    const first = await fanOutDomainEvent(deps, domainEventDetail(event));
    expect(first.endpointIds.sort()).toEqual([all.id, paidOnly.id].sort());
    const messages = worker.queue.bodies() as DeliveryMessage[];
    expect(messages.map((message) => message.endpoint_id).sort()).toEqual([all.id, paidOnly.id].sort());
    expect(messages.every((message) => message.attempt === 1 && message.series === 1 && message.event_id === event.id)).toBe(true);

    // The bus delivers at least once: a second fan-out re-sends only what has not been tried yet,
    // and the worker makes one attempt per endpoint in all.
    await fanOutDomainEvent(deps, domainEventDetail(event));
    expect(worker.queue.size).toBe(4);
    const outcomes = await handleVisible(worker);
    expect(outcomes.filter((outcome) => outcome === DeliveryOutcome.succeeded)).toHaveLength(2);
    expect(outcomes.filter((outcome) => outcome === DeliveryOutcome.stale)).toHaveLength(2);
    expect(await allDeliveriesOf(table, event.id)).toHaveLength(2);
    await fanOutDomainEvent(deps, domainEventDetail(event));
    expect(worker.queue.size).toBe(0);
  });

  it('retries a 429 no sooner than its Retry-After (seconds), not at the 5 s of the schedule', async () => {
    receiver.reply = (_request, index) => (index === 0 ? { status: 429, headers: { 'retry-after': '120' } } : { status: 200 });
    const { event, endpoint } = await scenario();

    expect(await handleVisible(worker)).toEqual([DeliveryOutcome.retrying]);
    const state = await findDeliveryState(table, event.id, endpoint.id);
    expect(Date.parse(state!.next_attempt_at!) - clock.nowMs()).toBeGreaterThanOrEqual(120_000);

    clock.advance(119_000);
    expect(await handleVisible(worker)).toEqual([]);
    expect(receiver.received).toHaveLength(1);
    clock.advance(1_000);
    expect(await handleVisible(worker)).toEqual([DeliveryOutcome.succeeded]);
    expect((await allDeliveriesOf(table, event.id)).map((item) => [item.attempt, item.response_status])).toEqual([
      [1, 429],
      [2, 200],
    ]);
  });

  it.each([502, 503, 504])('honours Retry-After as an HTTP-date on a %i', async (status) => {
    const retryAt = new Date(Math.ceil((clock.nowMs() + 600_000) / 1000) * 1000);
    receiver.reply = (_request, index) => (index === 0 ? { status, headers: { 'retry-after': retryAt.toUTCString() } } : { status: 200 });
    const { event, endpoint } = await scenario();

    await handleVisible(worker);
    const state = await findDeliveryState(table, event.id, endpoint.id);
    expect(Date.parse(state!.next_attempt_at!)).toBeGreaterThanOrEqual(retryAt.getTime());
  });

  it('follows the schedule when Retry-After asks for less than it', async () => {
    receiver.reply = () => ({ status: 429, headers: { 'retry-after': '1' } });
    const { event, endpoint } = await scenario();
    await handleVisible(worker);
    const state = await findDeliveryState(table, event.id, endpoint.id);
    expect(Date.parse(state!.next_attempt_at!) - clock.nowMs()).toBe(RETRY_DELAYS_MS[0]);
  });

  it('stops at once, parked for redelivery, when Retry-After asks for more than 24 h', async () => {
    receiver.reply = () => ({ status: 429, headers: { 'retry-after': String(25 * 3600) } });
    const { event, endpoint } = await scenario();
    expect(await handleVisible(worker)).toEqual([DeliveryOutcome.failed]);
    expect((await findDeliveryState(table, event.id, endpoint.id))?.status).toBe(DeliveryStateStatus.failed);
    expect(worker.deadLetters.size).toBe(1);
  });

  it('disables the endpoint on 410 Gone: no further attempts, nothing more delivered to it', async () => {
    receiver.reply = () => ({ status: 410 });
    const { merchantId, event, endpoint } = await scenario();

    expect(await handleVisible(worker)).toEqual([DeliveryOutcome.failed]);
    expect((await findWebhookEndpoint(table, endpoint.id))?.status).toBe(EndpointStatus.disabled);
    expect(await allDeliveriesOf(table, event.id)).toEqual([
      expect.objectContaining({ attempt: 1, status: AttemptStatus.failed, response_status: 410, error: '410 Gone: the endpoint is disabled' }),
    ]);
    expect(worker.queue.size).toBe(0);
    expect(JSON.parse(worker.deadLetters.takeVisible()[0]!) as DeadLetter).toMatchObject({ event_id: event.id, endpoint_id: endpoint.id, attempts: 1 });

    const later = await putEvent(table, { merchantId });
    const fanned = await fanOutDomainEvent({ table, queue: worker.queue, clock, log: worker.log }, domainEventDetail(later));
    expect(fanned.endpointIds).toEqual([]);
    expect(receiver.received).toHaveLength(1);
  });

  it('stops the attempts still scheduled for an endpoint that answered 410 to another event', async () => {
    receiver.reply = () => ({ status: 500 });
    const { merchantId, event, endpoint } = await scenario();
    expect(await handleVisible(worker)).toEqual([DeliveryOutcome.retrying]);

    receiver.reply = () => ({ status: 410 });
    const second = await putEvent(table, { merchantId, type: EventType.invoiceExpired });
    await fanOutDomainEvent({ table, queue: worker.queue, clock, log: worker.log }, domainEventDetail(second));
    expect(await handleVisible(worker)).toEqual([DeliveryOutcome.failed]);

    clock.advance(6_000);
    expect(await handleVisible(worker)).toEqual([DeliveryOutcome.cancelled]);
    expect(receiver.received).toHaveLength(2);
    expect((await findDeliveryState(table, event.id, endpoint.id))?.status).toBe(DeliveryStateStatus.cancelled);
  });

  it('treats a timeout as a failed attempt without a status (short timeout here; 15 s by default)', async () => {
    worker = testWorker(table, clock, { random: () => 0, settings: localSettings(300) });
    receiver.reply = () => ({ hang: true });
    const { event } = await scenario();

    const started = Date.now();
    expect(await handleVisible(worker)).toEqual([DeliveryOutcome.retrying]);
    expect(Date.now() - started).toBeLessThan(5_000);
    const [attempt] = await allDeliveriesOf(table, event.id);
    expect(attempt).toMatchObject({ status: AttemptStatus.failed, response_status: null, error: 'timed out after 300 ms' });
    expect(attempt!.duration_ms).toBeGreaterThanOrEqual(290);
    expect(localSettings().timeoutMs).toBe(15_000);
  });

  it('treats a refused connection as a failed attempt, and retries it', async () => {
    const { event } = await scenario({ url: `http://127.0.0.1:${await closedPort()}/hooks` });
    expect(await handleVisible(worker)).toEqual([DeliveryOutcome.retrying]);
    expect(await allDeliveriesOf(table, event.id)).toEqual([
      expect.objectContaining({ status: AttemptStatus.failed, response_status: null, error: 'connection refused' }),
    ]);
  });

  it.each([301, 302, 307, 308])('treats a %i as a failure and does not follow the redirect', async (status) => {
    receiver.reply = () => ({ status, headers: { location: other.url } });
    const { event } = await scenario();
    expect(await handleVisible(worker)).toEqual([DeliveryOutcome.retrying]);
    expect(other.received).toHaveLength(0);
    expect(await allDeliveriesOf(table, event.id)).toEqual([
      expect.objectContaining({ status: AttemptStatus.failed, response_status: status, error: `redirect (HTTP ${status}) not followed` }),
    ]);
  });

  it('makes no attempt for an endpoint deleted before its turn', async () => {
    receiver.reply = () => ({ status: 500 });
    const { merchantId, event, endpoint } = await scenario();
    await handleVisible(worker);
    await deleteWebhookEndpoint(table, merchantId, endpoint.id);
    clock.advance(6_000);
    expect(await handleVisible(worker)).toEqual([DeliveryOutcome.cancelled]);
    expect(await allDeliveriesOf(table, event.id)).toHaveLength(1);
  });

  it('records an attempt once when the same message is handled twice at the same time', async () => {
    const { event } = await scenario();
    const [body] = worker.queue.takeVisible();
    const outcomes = await Promise.all([deliverWebhookMessage(worker.deps, body!), deliverWebhookMessage(worker.deps, body!)]);
    expect(outcomes.filter((outcome) => outcome === DeliveryOutcome.succeeded)).toHaveLength(1);
    expect(await allDeliveriesOf(table, event.id)).toHaveLength(1);
  });

  it('queues the next attempt again when a worker died between recording an attempt and queueing the next', async () => {
    receiver.reply = () => ({ status: 500 });
    const { event, endpoint } = await scenario();
    const [body] = worker.queue.takeVisible();
    await deliverWebhookMessage(worker.deps, body!);
    expect(worker.queue.size).toBe(1);
    worker.queue.clear(); // the next attempt's message "never got sent"

    // SQS shows the first message again (it was never deleted): the worker sees the attempt
    // recorded and queues the next one instead of trying twice.
    expect(await deliverWebhookMessage(worker.deps, body!)).toBe(DeliveryOutcome.stale);
    expect(receiver.received).toHaveLength(1);
    const [next] = worker.queue.bodies() as DeliveryMessage[];
    expect(next).toMatchObject({ event_id: event.id, endpoint_id: endpoint.id, attempt: 2 });
  });

  it('never writes the secret into the delivery log, the state, the queue or the logs', async () => {
    receiver.reply = (_request, index) => (index === 0 ? { status: 500 } : { status: 200 });
    const { event, endpoint } = await scenario();
    await handleVisible(worker);
    clock.advance(6_000);
    await handleVisible(worker);
    const stored = JSON.stringify([await allDeliveriesOf(table, event.id), await findDeliveryState(table, event.id, endpoint.id)]);
    const secretKey = endpoint.signingSecret.slice('whsec_'.length);
    for (const text of [stored, JSON.stringify(worker.queue.sent), worker.log.lines.join('\n')]) {
      expect(text).not.toContain(secretKey);
      expect(text).not.toContain(endpoint.url);
    }
  });

  it('refuses a malformed queue message by throwing, so the queue redelivers it and finally parks it in its DLQ', async () => {
    await expect(deliverWebhookMessage(worker.deps, '{"event_id":"nope"}')).rejects.toThrow();
    await expect(deliverWebhookMessage(worker.deps, 'not json')).rejects.toThrow();
  });
});
