import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { BusSource, LedgerDetailType, NodeDetailType } from '../../functions/lib/bus/bus-events';
import { matchesPattern, type EventPattern } from '../../functions/lib/bus/event-pattern';
import { LocalBus, LocalBusClient, type BusEvent } from '../../infra/local/aws/local-bus';
import type { Queue } from '../../functions/lib/queue/queue';
import { LocalQueues, type LocalQueue } from '../../infra/local/aws/local-queue';
import { ManualTimeSource } from '../../infra/local/aws/manual-time';
import { startSchedule } from '../../infra/local/aws/schedule';
import { systemTime, type TimeSource } from '../../functions/lib/runtime/clock';
import { useLocalQueueTable, waitUntil } from '../support/pipeline-harness';

describe('event patterns (the EventBridge subset the local bus matches)', () => {
  const event = {
    source: 'lightning-payments.ledger',
    'detail-type': 'DomainEvent',
    detail: { merchant_id: 'mch_1', event: { type: 'invoice.paid', tags: ['a', 'b'], amount: 5 } },
  };
  const cases: Array<[string, EventPattern, boolean]> = [
    ['source and detail-type', { source: ['lightning-payments.ledger'], 'detail-type': ['DomainEvent'] }, true],
    ['any of several values', { 'detail-type': ['InvoiceSettled', 'DomainEvent'] }, true],
    ['another source', { source: ['lightning-payments.node'] }, false],
    ['prefix', { source: [{ prefix: 'lightning-payments.' }] }, true],
    ['nested detail field', { detail: { event: { type: ['invoice.paid'] } } }, true],
    ['nested detail field, other value', { detail: { event: { type: ['withdrawal.failed'] } } }, false],
    ['anything-but a value', { detail: { event: { type: [{ 'anything-but': 'invoice.expired' }] } } }, true],
    ['anything-but a list that holds it', { detail: { event: { type: [{ 'anything-but': ['invoice.paid', 'x'] }] } } }, false],
    ['anything-but a prefix', { detail: { merchant_id: [{ 'anything-but': { prefix: 'mch_' } }] } }, false],
    ['array in the event: any element', { detail: { event: { tags: ['b'] } } }, true],
    ['number literal', { detail: { event: { amount: [5] } } }, true],
    ['exists', { detail: { merchant_id: [{ exists: true }] } }, true],
    ['does not exist', { detail: { account_id: [{ exists: false }] } }, true],
    ['missing field', { detail: { account_id: ['x'] } }, false],
  ];
  it.each(cases)('%s', (_name, pattern, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });
});

/**
 * The bus runs on a ManualTimeSource at AWS's own durations (time scale 1): a test advances
 * it by a retry interval once that retry is scheduled, then awaits the next attempt. One
 * test keeps real time as a smoke test of the system clock ("... in real time").
 */
describe('LocalBus', () => {
  const store = useLocalQueueTable();
  const buses: LocalBus[] = [];
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.stop()));
  });
  const startBus = <Time extends TimeSource>(time: Time, options: Partial<ConstructorParameters<typeof LocalBus>[0]>) => {
    const queues = new LocalQueues(store.table, { pollIntervalMs: 10, time });
    const ingressQueueName = options.ingressQueueName ?? `ingress-${randomUUID()}`;
    const bus = new LocalBus({ queues, ...options, ingressQueueName });
    buses.push(bus);
    return { bus, queues, time, ingress: queues.queue(ingressQueueName) };
  };
  const newBus = (options: Partial<ConstructorParameters<typeof LocalBus>[0]> = {}) => startBus(new ManualTimeSource(), options);
  /** Resolves once the one message of `queue` is hidden for `delayMs` from now: the next attempt is scheduled. */
  const retryScheduled = (queue: LocalQueue, time: ManualTimeSource, delayMs: number) =>
    waitUntil(async () => {
      const items = await queue.peekAll();
      return items.length === 1 && Number(items[0]!.visible_sk.slice(0, 15)) - time.nowMs() === delayMs;
    }, { timeoutMs: 5_000, intervalMs: 20, message: `the next attempt scheduled ${delayMs} ms on` });
  const settled = { source: BusSource.node, detailType: NodeDetailType.invoiceSettled, detail: { payment_hash: 'ab' } };
  const domainEvent = { source: BusSource.ledger, detailType: LedgerDetailType.domainEvent, detail: { merchant_id: 'mch_1' } };

  it('delivers matching events to a queue target as EventBridge envelopes, and nothing else', async () => {
    const { bus, queues } = newBus();
    const target = queues.queue(`target-${randomUUID()}`);
    bus.addRule({ name: 'settlements', pattern: { source: [BusSource.node], 'detail-type': [NodeDetailType.invoiceSettled] }, target: { queue: target } });
    let routed = 0;
    bus.onEvent(() => routed++);
    bus.start();

    expect(await bus.putEvents([settled, domainEvent])).toEqual({ failed: [] });
    await waitUntil(() => routed === 2, { message: 'both events routed' });

    const [message] = await target.receive({ maxMessages: 10, waitTimeSec: 5 });
    const event = JSON.parse(message!.body) as BusEvent;
    expect(event).toMatchObject({ version: '0', source: BusSource.node, 'detail-type': NodeDetailType.invoiceSettled, detail: settled.detail, region: 'local' });
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(await target.receive({ maxMessages: 10, waitTimeSec: 0 })).toEqual([]);
  });

  it('lets another process put events (a client over the same table) and routes them', async () => {
    const ingressQueueName = `ingress-${randomUUID()}`;
    const { bus, time } = newBus({ ingressQueueName, ingressPollIntervalMs: 30 });
    const received: BusEvent[] = [];
    bus.addRule({ name: 'all', pattern: { source: [{ prefix: 'lightning-payments.' }] }, target: { handler: async (event) => void received.push(event) } });
    bus.start();

    // Another process on the same machine: same table, same clock.
    const otherProcess = new LocalBusClient(new LocalQueues(store.table, { time }).queue(ingressQueueName));
    await otherProcess.putEvents([settled, domainEvent]);

    await waitUntil(() => received.length === 2, { message: 'both events' });
    expect(received.map((event) => event['detail-type']).sort()).toEqual(['DomainEvent', 'InvoiceSettled']);
  });

  it('accepts rules added after start (another feature plugging in)', async () => {
    const { bus } = newBus();
    bus.start();
    const fanOut: BusEvent[] = [];
    bus.addRule({
      name: 'webhook-fan-out',
      pattern: { source: [BusSource.ledger], 'detail-type': [LedgerDetailType.domainEvent] },
      target: { handler: async (event) => void fanOut.push(event) },
    });
    await bus.putEvents([domainEvent, settled]);
    await waitUntil(() => fanOut.length === 1);
    expect(fanOut[0]!.detail).toEqual(domainEvent.detail);
    expect(() => bus.addRule({ name: 'webhook-fan-out', pattern: {}, target: { handler: async () => {} } })).toThrow(/already has a rule/);
  });

  it('a function target that keeps failing: two retries, then its on-failure destination gets the invocation record', async () => {
    const { bus, queues, time } = newBus();
    const destination = `on-failure-${randomUUID()}`;
    const name = `failing-${randomUUID()}`;
    const attempts: number[] = [];
    bus.addRule({
      name,
      pattern: { source: [BusSource.node] },
      target: {
        asyncInvoke: { retryAttempts: 2, maxEventAgeSec: 3600, onFailure: destination },
        handler: async () => {
          attempts.push(time.nowMs());
          throw new Error('downstream is down');
        },
      },
    });
    bus.start();
    await bus.putEvents([settled]);

    // Lambda's one minute before the second attempt, two before the third.
    for (const delayMs of [60_000, 120_000]) {
      await retryScheduled(bus.ruleQueue(name) as LocalQueue, time, delayMs);
      time.advance(delayMs);
    }
    const [failure] = await waitUntil(async () => {
      const items = await queues.queue(destination).peekAll();
      return items.length > 0 ? items : undefined;
    }, { message: 'invocation record' });
    expect(attempts).toHaveLength(3);
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(60_000);
    expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(120_000);
    const record = JSON.parse(failure!.body);
    expect(record).toMatchObject({
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: { 'detail-type': NodeDetailType.invoiceSettled, detail: settled.detail },
      responsePayload: { errorMessage: 'downstream is down' },
    });
  });

  it('a function target without a destination loses the event after two retries, as Lambda does by default', async () => {
    const { bus, time } = newBus();
    const name = `discarding-${randomUUID()}`;
    let calls = 0;
    bus.addRule({ name, pattern: { source: [BusSource.node] }, target: { handler: async () => {
      calls++;
      throw new Error('always');
    } } });
    bus.start();
    await bus.putEvents([settled]);
    for (const delayMs of [60_000, 120_000]) {
      await retryScheduled(bus.ruleQueue(name) as LocalQueue, time, delayMs);
      time.advance(delayMs);
    }
    await waitUntil(async () => calls === 3 && (await (bus.ruleQueue(name) as LocalQueue).peekAll()).length === 0, { message: 'discarded' });
    // Nothing is left anywhere: this is why consumers that must not lose events sit behind a queue.
    expect(calls).toBe(3);
  });

  // timeScale 0.001: Lambda's one minute before the second attempt is 60 ms.
  it('a function target that fails once gets the event again and succeeds (in real time: smoke test of the system clock)', async () => {
    const { bus, queues } = startBus(systemTime, { timeScale: 0.001 });
    const destination = `on-failure-${randomUUID()}`;
    const seen: number[] = [];
    bus.addRule({
      name: 'flaky',
      pattern: { source: [BusSource.node] },
      target: {
        asyncInvoke: { retryAttempts: 2, maxEventAgeSec: 3600, onFailure: destination },
        handler: async () => {
          seen.push(Date.now());
          if (seen.length === 1) throw new Error('transient');
        },
      },
    });
    bus.start();
    await bus.putEvents([settled]);
    await waitUntil(() => seen.length === 2);
    expect(seen[1]! - seen[0]!).toBeGreaterThanOrEqual(60);
    expect(await queues.queue(destination).peekAll()).toEqual([]);
  });

  it('a queue target that refuses the hand-off: retried within the target retry policy, then parked in the target DLQ', async () => {
    const { bus, queues, time, ingress } = newBus();
    const deadLetterQueue = `target-dlq-${randomUUID()}`;
    let sends = 0;
    const refusing: Queue = {
      name: 'refusing',
      send: async () => {
        sends++;
        throw Object.assign(new Error('AccessDenied'), { name: 'AccessDeniedException' });
      },
      receive: async () => [],
      delete: async () => {},
      changeVisibility: async () => {},
    };
    const healthy = queues.queue(`healthy-${randomUUID()}`);
    bus.addRule({ name: 'refused', pattern: { source: [BusSource.node] }, target: { queue: refusing, retry: { retryAttempts: 3, maxEventAgeSec: 3600, deadLetterQueue } } });
    bus.addRule({ name: 'healthy', pattern: { source: [BusSource.node] }, target: { queue: healthy } });
    bus.start();
    await bus.putEvents([settled]);

    // EventBridge's backoff between hand-offs: 1, 2, 4 s here.
    for (const delayMs of [1_000, 2_000, 4_000]) {
      await retryScheduled(ingress, time, delayMs);
      time.advance(delayMs);
    }
    const [parked] = await waitUntil(async () => {
      const items = await queues.queue(deadLetterQueue).peekAll();
      return items.length > 0 ? items : undefined;
    }, { message: 'parked in the target DLQ' });
    expect(sends).toBe(4);
    expect(JSON.parse(parked!.body)).toMatchObject({ 'detail-type': NodeDetailType.invoiceSettled, detail: settled.detail });
    // The healthy target has the event (at least once: the retries may have delivered it again).
    expect((await healthy.peekAll()).length).toBeGreaterThanOrEqual(1);
  });

  it('refuses malformed entries one by one, like PutEvents', async () => {
    const { bus } = newBus();
    const result = await bus.putEvents([settled, { source: '', detailType: 'X', detail: {} }, { source: 's', detailType: 'X', detail: 'not an object' }]);
    expect(result.failed.map((failure) => [failure.index, failure.errorCode])).toEqual([
      [1, 'MalformedDetail'],
      [2, 'MalformedDetail'],
    ]);
    await expect(bus.putEvents(Array.from({ length: 11 }, () => settled))).rejects.toThrow(RangeError);
  });
});

describe('schedule rule (local stand-in)', () => {
  // Lets the schedule's loop run what an advance woke.
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('fires at start, then once per interval of its time source, whether or not a run has finished', async () => {
    const time = new ManualTimeSource();
    const fired: string[] = [];
    const schedule = startSchedule({ intervalMs: 60_000, time, ruleName: 'expiry', fire: async (event) => void fired.push(event.time) });
    try {
      expect(fired).toHaveLength(1);
      time.advance(59_999);
      await settle();
      expect(fired).toHaveLength(1);
      time.advance(1);
      await waitUntil(() => fired.length === 2, { message: 'the second run' });
      // Two more intervals pass at once: two more runs.
      time.advance(120_000);
      await waitUntil(() => fired.length === 4, { message: 'two more runs' });
      expect(fired[1]).toBe(new Date(time.nowMs() - 120_000).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    } finally {
      await schedule.stop();
    }
    time.advance(60_000);
    await settle();
    expect(fired).toHaveLength(4);
  });
});
