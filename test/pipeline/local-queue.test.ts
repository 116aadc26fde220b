import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LocalQueue, LocalQueues, ReceiptHandleInvalidError, type LocalQueueOptions } from '../../infra/local/aws/local-queue';
import { ManualTimeSource } from '../../infra/local/aws/manual-time';
import { startQueueConsumer } from '../../functions/lib/queue/queue-consumer';
import { createTable } from '../../functions/lib/table/client';
import { useLocalQueueTable, waitUntil } from '../support/pipeline-harness';
import { dynamoDbEndpoint } from '../support/table';

/**
 * Time is a ManualTimeSource: a test advances it past a visibility timeout or a delay and
 * then sees the outcome, instead of waiting for it. One test keeps real time as a smoke test
 * of the system clock ("... in real time"); the other real-time one is in local-bus.test.ts.
 */
describe('LocalQueue (DynamoDB-backed stand-in for SQS)', () => {
  const store = useLocalQueueTable();
  const newQueue = (options: LocalQueueOptions = {}) => {
    const time = new ManualTimeSource();
    return { time, queue: new LocalQueue(store.table, `q-${randomUUID()}`, { pollIntervalMs: 20, time, ...options }) };
  };

  it('hides a received message for its visibility timeout, then delivers it again with the same id and a new receipt (in real time: smoke test of the system clock)', async () => {
    const queue = new LocalQueue(store.table, `q-${randomUUID()}`, { pollIntervalMs: 20 });
    await queue.send('payout-1');

    const [first] = await queue.receive({ maxMessages: 10, waitTimeSec: 1, visibilityTimeoutSec: 0.5 });
    expect(first).toMatchObject({ body: 'payout-1', receiveCount: 1 });
    expect(await queue.receive({ maxMessages: 10, waitTimeSec: 0 })).toEqual([]);

    const [second] = await queue.receive({ maxMessages: 10, waitTimeSec: 3, visibilityTimeoutSec: 30 });
    expect(second).toMatchObject({ id: first!.id, body: 'payout-1', receiveCount: 2 });
    expect(second!.receiptHandle).not.toBe(first!.receiptHandle);
  });

  it('hides a received message for exactly its visibility timeout, on its time source; a long poll gets it when it is back', async () => {
    const { time, queue } = newQueue();
    await queue.send('payout-1');

    const [first] = await queue.receive({ maxMessages: 10, waitTimeSec: 1, visibilityTimeoutSec: 0.5 });
    expect(first).toMatchObject({ body: 'payout-1', receiveCount: 1 });
    time.advance(499);
    expect(await queue.receive({ maxMessages: 10, waitTimeSec: 0 })).toEqual([]);

    const longPoll = queue.receive({ maxMessages: 10, waitTimeSec: 3, visibilityTimeoutSec: 30 });
    time.advance(1);
    const [second] = await longPoll;
    expect(second).toMatchObject({ id: first!.id, body: 'payout-1', receiveCount: 2 });
    expect(second!.receiptHandle).not.toBe(first!.receiptHandle);
  });

  it('deletes with the current receipt; a stale receipt deletes nothing, as the newer receiver owns the message', async () => {
    const { time, queue } = newQueue();
    await queue.send('m');
    const [first] = await queue.receive({ maxMessages: 1, waitTimeSec: 1, visibilityTimeoutSec: 0.2 });
    time.advance(200);
    const [second] = await queue.receive({ maxMessages: 1, waitTimeSec: 3, visibilityTimeoutSec: 30 });

    await queue.delete(first!.receiptHandle);
    expect(await queue.peekAll()).toHaveLength(1);
    await expect(queue.changeVisibility(first!.receiptHandle, 10)).rejects.toBeInstanceOf(ReceiptHandleInvalidError);

    await queue.delete(second!.receiptHandle);
    expect(await queue.peekAll()).toHaveLength(0);
  });

  it('keeps a message hidden while its visibility is extended, and releases it at once with 0', async () => {
    const { time, queue } = newQueue();
    await queue.send('long work');
    const [message] = await queue.receive({ maxMessages: 1, waitTimeSec: 1, visibilityTimeoutSec: 0.6 });
    // 1.5 s in all: well past the first 0.6 s.
    for (let i = 0; i < 3; i++) {
      await queue.changeVisibility(message!.receiptHandle, 0.6);
      time.advance(500);
      expect(await queue.receive({ maxMessages: 1, waitTimeSec: 0 })).toEqual([]);
    }
    await queue.changeVisibility(message!.receiptHandle, 0);
    expect(await queue.receive({ maxMessages: 1, waitTimeSec: 1 })).toMatchObject([{ id: message!.id, receiveCount: 2 }]);
  });

  it('moves a message received maxReceiveCount times to <name>-dlq on the next receive', async () => {
    const time = new ManualTimeSource();
    const queues = new LocalQueues(store.table, { pollIntervalMs: 20, time });
    const name = `q-${randomUUID()}`;
    const queue = queues.queue(name, { maxReceiveCount: 2 });
    await queue.send('poison');

    for (let receive = 1; receive <= 2; receive++) {
      const [message] = await queue.receive({ maxMessages: 1, waitTimeSec: 2, visibilityTimeoutSec: 0 });
      expect(message!.receiveCount).toBe(receive);
    }
    expect(await queue.receive({ maxMessages: 1, waitTimeSec: 0 })).toEqual([]);

    const dead = await queues.deadLetterQueue(name).receive({ maxMessages: 1, waitTimeSec: 1 });
    expect(dead).toMatchObject([{ body: 'poison', receiveCount: 1 }]);
    expect(await queue.peekAll()).toEqual([]);
  });

  it('delays a message sent with delaySec', async () => {
    const { time, queue } = newQueue();
    const sentAt = time.nowMs();
    await queue.send('later', { delaySec: 0.5 });
    expect(await queue.receive({ maxMessages: 1, waitTimeSec: 0 })).toEqual([]);
    time.advance(499);
    expect(await queue.receive({ maxMessages: 1, waitTimeSec: 0 })).toEqual([]);
    const longPoll = queue.receive({ maxMessages: 1, waitTimeSec: 3 });
    time.advance(1);
    const [message] = await longPoll;
    expect(message!.body).toBe('later');
    expect(time.nowMs() - sentAt).toBe(500);
  });

  it('keeps to SQS limits: a delay over 900 s is cut to 900 s (as the SQS adapter does), a visibility over 12 h is refused', async () => {
    const { time, queue } = newQueue();
    await queue.send('later', { delaySec: 3_600 });
    const [item] = await queue.peekAll();
    const visibleAt = Number(item!.visible_sk.slice(0, 15));
    expect(visibleAt - time.nowMs()).toBe(900_000);
    await expect(queue.receive({ maxMessages: 1, waitTimeSec: 0, visibilityTimeoutSec: 43_201 })).rejects.toThrow(RangeError);
  });

  it('gives each message to exactly one of many competing receivers (two "processes": separate instances)', async () => {
    const name = `q-${randomUUID()}`;
    const time = new ManualTimeSource();
    const producer = new LocalQueue(store.table, name, { time });
    await producer.sendBatch(Array.from({ length: 40 }, (_, i) => `m-${i}`));
    const consumers = [new LocalQueue(store.table, name, { pollIntervalMs: 10, time }), new LocalQueue(store.table, name, { pollIntervalMs: 10, time })];

    const received: string[] = [];
    const receivers = Promise.all(
      consumers.flatMap((consumer) =>
        [0, 1, 2].map(async () => {
          for (;;) {
            const messages = await consumer.receive({ maxMessages: 3, waitTimeSec: 0.3, visibilityTimeoutSec: 60 });
            if (messages.length === 0) return;
            received.push(...messages.map((message) => message.body));
          }
        }),
      ),
    );
    // Every message handed out (once, the assertion says), the receivers' last long polls run out.
    await waitUntil(() => received.length >= 40, { message: '40 messages received' });
    time.advance(300);
    await receivers;

    expect(received.sort()).toEqual(Array.from({ length: 40 }, (_, i) => `m-${i}`).sort());
  });

  it('survives its users: a message sent through one instance is received through a new one', async () => {
    const name = `q-${randomUUID()}`;
    await new LocalQueue(store.table, name).send('kept');
    const reopened = new LocalQueue(createTable(store.table.name, { endpoint: dynamoDbEndpoint(), region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }), name);
    expect(await reopened.receive({ maxMessages: 1, waitTimeSec: 1 })).toMatchObject([{ body: 'kept' }]);
  });
});

describe('startQueueConsumer', () => {
  const store = useLocalQueueTable();

  it('handles with bounded concurrency, deletes on success, retries a throwing handler after the retry delay', async () => {
    const time = new ManualTimeSource();
    const queue = new LocalQueue(store.table, `q-${randomUUID()}`, { pollIntervalMs: 20, time });
    await queue.sendBatch(Array.from({ length: 12 }, (_, i) => `m-${i}`));
    let running = 0;
    let maxRunning = 0;
    const attempts = new Map<string, number>();
    const consumer = startQueueConsumer({
      queue,
      concurrency: 3,
      waitTimeSec: 1,
      visibilityTimeoutSec: 30,
      retryDelaySec: () => 0.1,
      handle: async (message) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        attempts.set(message.body, (attempts.get(message.body) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, 20));
        running--;
        if (message.body === 'm-5' && message.receiveCount === 1) throw new Error('transient');
      },
    });
    try {
      // The failed one waits out its retry delay: hidden for 0.1 s from its failure.
      const [failed] = await waitUntil(async () => {
        const items = await queue.peekAll();
        return items.length === 1 && attempts.size === 12 && running === 0 ? items : undefined;
      }, { message: 'all but the failed message handled' });
      expect(failed!.body).toBe('m-5');
      expect(Number(failed!.visible_sk.slice(0, 15)) - time.nowMs()).toBe(100);
      time.advance(100);
      await waitUntil(async () => (await queue.peekAll()).length === 0, { message: 'queue drained' });
    } finally {
      await consumer.stop();
    }
    expect(maxRunning).toBeLessThanOrEqual(3);
    expect(attempts.get('m-5')).toBe(2);
    expect([...attempts.values()].reduce((a, b) => a + b, 0)).toBe(13);
  });

  it('extends visibility while a handler runs, and on stop aborts the handler after the grace period', async () => {
    const time = new ManualTimeSource();
    const queue = new LocalQueue(store.table, `q-${randomUUID()}`, { pollIntervalMs: 20, time });
    await queue.send('hang');
    let heartbeats = 0;
    let started = false;
    // The consumer's heartbeat is a real timer; the queue's time moves 0.25 s after each one.
    const consumer = startQueueConsumer({
      queue,
      waitTimeSec: 1,
      visibilityTimeoutSec: 0.6,
      heartbeatSec: 0.05,
      onHeartbeat: () => {
        heartbeats++;
        time.advance(250);
      },
      handle: (_message, signal) =>
        new Promise((resolve) => {
          started = true;
          signal.addEventListener('abort', () => resolve({ keep: true, visibleAfterSec: 0 }));
        }),
    });
    await waitUntil(() => started && heartbeats >= 6, { message: 'heartbeats' });
    // Hidden all along although its visibility timeout passed several times (1.5 s against 0.6 s).
    expect(await queue.receive({ maxMessages: 1, waitTimeSec: 0 })).toEqual([]);

    const stoppedAt = Date.now();
    await consumer.stop(200);
    expect(Date.now() - stoppedAt).toBeLessThan(3000);
    expect(await queue.receive({ maxMessages: 1, waitTimeSec: 1 })).toMatchObject([{ body: 'hang', receiveCount: 2 }]);
  });
});
