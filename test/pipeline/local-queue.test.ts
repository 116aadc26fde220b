import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LocalQueue, LocalQueues, ReceiptHandleInvalidError } from '../../infra/local/aws/local-queue';
import { startQueueConsumer } from '../../functions/lib/queue/queue-consumer';
import { createTable } from '../../functions/lib/table/client';
import { useLocalQueueTable, waitUntil } from '../support/pipeline-harness';
import { dynamoDbEndpoint } from '../support/table';

describe('LocalQueue (DynamoDB-backed stand-in for SQS)', () => {
  const store = useLocalQueueTable();
  const newQueue = (options = {}) => new LocalQueue(store.table, `q-${randomUUID()}`, { pollIntervalMs: 20, ...options });

  it('hides a received message for its visibility timeout, then delivers it again with the same id and a new receipt', async () => {
    const queue = newQueue();
    await queue.send('payout-1');

    const [first] = await queue.receive({ maxMessages: 10, waitTimeSec: 1, visibilityTimeoutSec: 0.5 });
    expect(first).toMatchObject({ body: 'payout-1', receiveCount: 1 });
    expect(await queue.receive({ maxMessages: 10, waitTimeSec: 0 })).toEqual([]);

    const [second] = await queue.receive({ maxMessages: 10, waitTimeSec: 3, visibilityTimeoutSec: 30 });
    expect(second).toMatchObject({ id: first!.id, body: 'payout-1', receiveCount: 2 });
    expect(second!.receiptHandle).not.toBe(first!.receiptHandle);
  });

  it('deletes with the current receipt; a stale receipt deletes nothing, as the newer receiver owns the message', async () => {
    const queue = newQueue();
    await queue.send('m');
    const [first] = await queue.receive({ maxMessages: 1, waitTimeSec: 1, visibilityTimeoutSec: 0.2 });
    const [second] = await queue.receive({ maxMessages: 1, waitTimeSec: 3, visibilityTimeoutSec: 30 });

    await queue.delete(first!.receiptHandle);
    expect(await queue.peekAll()).toHaveLength(1);
    await expect(queue.changeVisibility(first!.receiptHandle, 10)).rejects.toBeInstanceOf(ReceiptHandleInvalidError);

    await queue.delete(second!.receiptHandle);
    expect(await queue.peekAll()).toHaveLength(0);
  });

  it('keeps a message hidden while its visibility is extended, and releases it at once with 0', async () => {
    const queue = newQueue();
    await queue.send('long work');
    const [message] = await queue.receive({ maxMessages: 1, waitTimeSec: 1, visibilityTimeoutSec: 0.6 });
    for (let i = 0; i < 3; i++) {
      await queue.changeVisibility(message!.receiptHandle, 0.6);
      expect(await queue.receive({ maxMessages: 1, waitTimeSec: 0.3 })).toEqual([]);
    }
    await queue.changeVisibility(message!.receiptHandle, 0);
    expect(await queue.receive({ maxMessages: 1, waitTimeSec: 1 })).toMatchObject([{ id: message!.id, receiveCount: 2 }]);
  });

  it('moves a message received maxReceiveCount times to <name>-dlq on the next receive', async () => {
    const queues = new LocalQueues(store.table, { pollIntervalMs: 20 });
    const name = `q-${randomUUID()}`;
    const queue = queues.queue(name, { maxReceiveCount: 2 });
    await queue.send('poison');

    for (let receive = 1; receive <= 2; receive++) {
      const [message] = await queue.receive({ maxMessages: 1, waitTimeSec: 2, visibilityTimeoutSec: 0 });
      expect(message!.receiveCount).toBe(receive);
    }
    expect(await queue.receive({ maxMessages: 1, waitTimeSec: 0.3 })).toEqual([]);

    const dead = await queues.deadLetterQueue(name).receive({ maxMessages: 1, waitTimeSec: 1 });
    expect(dead).toMatchObject([{ body: 'poison', receiveCount: 1 }]);
    expect(await queue.peekAll()).toEqual([]);
  });

  it('delays a message sent with delaySec', async () => {
    const queue = newQueue();
    const sentAt = Date.now();
    await queue.send('later', { delaySec: 0.5 });
    expect(await queue.receive({ maxMessages: 1, waitTimeSec: 0 })).toEqual([]);
    const [message] = await queue.receive({ maxMessages: 1, waitTimeSec: 3 });
    expect(message!.body).toBe('later');
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(450);
  });

  it('keeps to SQS limits: a delay over 900 s is cut to 900 s (as the SQS adapter does), a visibility over 12 h is refused', async () => {
    const queue = newQueue();
    const sentAt = Date.now();
    await queue.send('later', { delaySec: 3_600 });
    const [item] = await queue.peekAll();
    const visibleAt = Number(item!.visible_sk.slice(0, 15));
    expect(visibleAt - sentAt).toBeGreaterThanOrEqual(899_000);
    expect(visibleAt - sentAt).toBeLessThanOrEqual(901_000);
    await expect(queue.receive({ maxMessages: 1, waitTimeSec: 0, visibilityTimeoutSec: 43_201 })).rejects.toThrow(RangeError);
  });

  it('gives each message to exactly one of many competing receivers (two "processes": separate instances)', async () => {
    const name = `q-${randomUUID()}`;
    const producer = new LocalQueue(store.table, name);
    await producer.sendBatch(Array.from({ length: 40 }, (_, i) => `m-${i}`));
    const consumers = [new LocalQueue(store.table, name, { pollIntervalMs: 10 }), new LocalQueue(store.table, name, { pollIntervalMs: 10 })];

    const received: string[] = [];
    await Promise.all(
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
    const queue = new LocalQueue(store.table, `q-${randomUUID()}`, { pollIntervalMs: 20 });
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
      await waitUntil(async () => (await queue.peekAll()).length === 0, { message: 'queue drained' });
    } finally {
      await consumer.stop();
    }
    expect(maxRunning).toBeLessThanOrEqual(3);
    expect(attempts.get('m-5')).toBe(2);
    expect([...attempts.values()].reduce((a, b) => a + b, 0)).toBe(13);
  });

  it('extends visibility while a handler runs, and on stop aborts the handler after the grace period', async () => {
    const queue = new LocalQueue(store.table, `q-${randomUUID()}`, { pollIntervalMs: 20 });
    await queue.send('hang');
    let heartbeats = 0;
    let started = false;
    const consumer = startQueueConsumer({
      queue,
      waitTimeSec: 1,
      visibilityTimeoutSec: 0.6,
      heartbeatSec: 0.2,
      onHeartbeat: () => heartbeats++,
      handle: (_message, signal) =>
        new Promise((resolve) => {
          started = true;
          signal.addEventListener('abort', () => resolve({ keep: true, visibleAfterSec: 0 }));
        }),
    });
    await waitUntil(() => started && heartbeats >= 4, { message: 'heartbeats' });
    // Hidden all along although its visibility timeout passed several times.
    expect(await queue.receive({ maxMessages: 1, waitTimeSec: 0 })).toEqual([]);

    const stoppedAt = Date.now();
    await consumer.stop(200);
    expect(Date.now() - stoppedAt).toBeLessThan(3000);
    expect(await queue.receive({ maxMessages: 1, waitTimeSec: 1 })).toMatchObject([{ body: 'hang', receiveCount: 2 }]);
  });
});
