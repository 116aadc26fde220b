import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AttemptStatus, DeliveryStateStatus, type DeadLetter } from '../../functions/lib/webhooks/delivery';
import { allDeliveriesOf, findDeliveryState } from '../../functions/lib/webhooks/delivery-repository';
import { DeliveryOutcome } from '../../functions/lib/webhooks/deliver';
import { fanOutDomainEvent } from '../../functions/lib/webhooks/fan-out';
import { JITTER_FRACTION, MAX_ATTEMPTS, RETRY_DELAYS_MS } from '../../functions/lib/webhooks/retry-schedule';
import { MAX_QUEUE_DELAY_SEC, startRedelivery } from '../../functions/lib/webhooks/series';
import { useTestTable } from '../support/table';
import { domainEventDetail, newMerchantId, putEndpoint, putEvent, runToEmpty, testWorker } from './support/fixtures';
import { ManualClock } from './support/manual-clock';
import { startReceiver, type Receiver } from './support/receiver';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A seeded generator, so the jitter differs from retry to retry but the run is repeatable. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('webhook retry schedule (controllable clock)', () => {
  const table = useTestTable();
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('makes ten attempts at the contract times within jitter, then marks the delivery failed, parks it in the DLQ, and redelivers it on request', async () => {
    // Date is faked only so that the receiver's standardwebhooks Webhook.verify, which checks
    // the timestamp against Date.now(), lives on the same simulated timeline as the worker.
    vi.useFakeTimers({ toFake: ['Date'] });
    const clock = new ManualClock(Date.UTC(2026, 10, 21, 10, 0, 0), (ms) => vi.setSystemTime(ms));
    const worker = testWorker(table, clock, { random: seededRandom(42) });
    const merchantId = newMerchantId();
    const endpoint = await putEndpoint(table, { merchantId, url: receiver.url });
    receiver.secret = endpoint.signingSecret;
    receiver.reply = () => ({ status: 500 });
    const arrivals: number[] = [];
    const timestamps: string[] = [];
    const signatures: string[] = [];
    receiver.reply = (request) => {
      arrivals.push(clock.nowMs());
      timestamps.push(String(request.headers['webhook-timestamp']));
      signatures.push(String(request.headers['webhook-signature']));
      return { status: 500 };
    };
    const event = await putEvent(table, { merchantId, createdAt: clock.now() });
    const startMs = clock.nowMs();

    await fanOutDomainEvent({ table, queue: worker.queue, clock, log: worker.log }, domainEventDetail(event));
    const outcomes = await runToEmpty(worker, clock);

    // Ten attempts, each verified by the standardwebhooks library, each with its own timestamp and signature.
    expect(arrivals).toHaveLength(MAX_ATTEMPTS);
    expect(receiver.received.every((delivery) => delivery.verifyError === undefined)).toBe(true);
    expect(new Set(timestamps).size).toBe(MAX_ATTEMPTS);
    expect(new Set(signatures).size).toBe(MAX_ATTEMPTS);

    // At once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h after each failure,
    // never sooner and at most 10 % later (the jitter); seconds of slack for the hop rounding.
    expect(arrivals[0]).toBe(startMs);
    const gaps = arrivals.slice(1).map((at, index) => at - arrivals[index]!);
    expect(RETRY_DELAYS_MS).toEqual([5_000, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 14 * HOUR, 20 * HOUR, 24 * HOUR]);
    gaps.forEach((gap, index) => {
      const base = RETRY_DELAYS_MS[index]!;
      expect(gap, `gap before attempt ${index + 2}`).toBeGreaterThanOrEqual(base);
      expect(gap, `gap before attempt ${index + 2}`).toBeLessThanOrEqual(base * (1 + JITTER_FRACTION) + 1_000);
    });
    expect(new Set(gaps.map((gap, index) => gap / RETRY_DELAYS_MS[index]!)).size).toBeGreaterThan(1); // jitter really varies
    const totalHours = (arrivals[MAX_ATTEMPTS - 1]! - startMs) / HOUR;
    expect(totalHours).toBeGreaterThan(75.5);
    expect(totalHours).toBeLessThan(84);

    // Waits beyond SQS's 15-minute delay were made of hops, none longer than SQS allows.
    expect(worker.queue.sent.every((message) => message.delaySec <= MAX_QUEUE_DELAY_SEC)).toBe(true);
    expect(outcomes.filter((outcome) => outcome === DeliveryOutcome.deferred).length).toBeGreaterThan(280);
    expect(outcomes.filter((outcome) => outcome === DeliveryOutcome.retrying)).toHaveLength(MAX_ATTEMPTS - 1);
    expect(outcomes.at(-1)).toBe(DeliveryOutcome.failed);

    // Every attempt is in the log; the delivery is failed and parked in the DLQ.
    const attempts = (await allDeliveriesOf(table, event.id)).sort((a, b) => a.attempt - b.attempt);
    expect(attempts.map((attempt) => attempt.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(attempts.map((attempt) => Date.parse(attempt.attempted_at))).toEqual(arrivals);
    expect(attempts.every((attempt) => attempt.status === AttemptStatus.failed && attempt.response_status === 500 && attempt.error === 'HTTP 500')).toBe(true);
    const state = await findDeliveryState(table, event.id, endpoint.id);
    expect(state).toMatchObject({ status: DeliveryStateStatus.failed, attempts: 10, series_attempts: 10, next_attempt_at: null });
    const letters = worker.deadLetters.takeVisible().map((body) => JSON.parse(body) as DeadLetter);
    expect(letters).toEqual([expect.objectContaining({ event_id: event.id, endpoint_id: endpoint.id, attempts: 10, reason: 'HTTP 500' })]);

    // A day later the receiver works again and the merchant redelivers: a new series, first attempt at once.
    clock.advance(24 * HOUR);
    receiver.reply = () => ({ status: 204 });
    await startRedelivery(table, worker.queue, { eventId: event.id, endpointId: endpoint.id, merchantId, now: clock.now() });
    expect(await runToEmpty(worker, clock)).toEqual([DeliveryOutcome.succeeded]);
    expect(receiver.received.at(-1)!.verifyError).toBeUndefined();
    const after = (await allDeliveriesOf(table, event.id)).sort((a, b) => a.attempt - b.attempt);
    expect(after.at(-1)).toMatchObject({ attempt: 11, status: AttemptStatus.succeeded, response_status: 204, error: null });
    expect(await findDeliveryState(table, event.id, endpoint.id)).toMatchObject({ status: DeliveryStateStatus.succeeded, series: 2, attempts: 11 });
  });

  it('a redelivery while attempts are still scheduled replaces them: the old series cannot attempt again', async () => {
    const clock = new ManualClock(Date.now());
    const worker = testWorker(table, clock, { random: () => 0 });
    const merchantId = newMerchantId();
    const endpoint = await putEndpoint(table, { merchantId, url: receiver.url });
    receiver.secret = endpoint.signingSecret;
    let calls = 0;
    receiver.reply = () => (++calls === 1 ? { status: 500 } : { status: 200 });
    const event = await putEvent(table, { merchantId });
    await fanOutDomainEvent({ table, queue: worker.queue, clock, log: worker.log }, domainEventDetail(event));
    await runToEmpty(worker, clock, async (outcome) => {
      // Right after the first failure the merchant asks for a redelivery.
      if (outcome === DeliveryOutcome.retrying) await startRedelivery(table, worker.queue, { eventId: event.id, endpointId: endpoint.id, merchantId, now: clock.now() });
    });
    expect(calls).toBe(2);
    const attempts = (await allDeliveriesOf(table, event.id)).sort((a, b) => a.attempt - b.attempt);
    expect(attempts.map((attempt) => [attempt.attempt, attempt.series, attempt.status])).toEqual([
      [1, 1, AttemptStatus.failed],
      [2, 2, AttemptStatus.succeeded],
    ]);
  });
});
