/**
 * The local stand-ins of Lambda's event sources behave as AWS documents, not kinder: an SQS
 * event source shows a failed record again only after the queue's visibility timeout and
 * parks it after maxReceiveCount; a handler that throws, times out, or names a record that
 * is not in its batch fails the whole batch. A stream event source gives up on a batch
 * after its retry attempts (bisecting after errors), describes it in its on-failure
 * destination, and goes on with the records behind it.
 *
 * The SQS event source runs on a ManualTimeSource: a test advances it past a function or
 * visibility timeout once the source is idle, then awaits what follows. No test here waits
 * in real time (the real-time smoke tests are in local-queue.test.ts and local-bus.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { parseOutboxFailure } from '../../functions/outbox/parked-record';
import type { ConsumerDelivery } from '../../infra/delivery';
import { LocalQueues, type LocalQueue } from '../../infra/local/aws/local-queue';
import { ManualTimeSource } from '../../infra/local/aws/manual-time';
import { startSqsEventSource, type SqsBatchHandler, type SqsEventSource } from '../../infra/local/aws/sqs-event-source';
import { startStreamPoller } from '../../infra/local/aws/stream-poller';
import { useLocalQueueTable, waitUntil } from '../support/pipeline-harness';
import { dynamoDbEndpoint, useTestTable } from '../support/table';

const settings: ConsumerDelivery = {
  functionTimeoutSec: 0.3,
  visibilityTimeoutSec: 2,
  maxReceiveCount: 3,
  retentionSec: 3600,
  deadLetterRetentionSec: 3600,
  batchSize: 10,
  maxBatchingWindowSec: 0,
  maxConcurrency: 2,
};

type Call = { at: number; bodies: string[] };
/** Checks often: with the time moved by hand, what follows an advance is a few round trips to DynamoDB Local away. */
const until = <T>(check: () => T | Promise<T>, message: string) => waitUntil(check, { intervalMs: 20, message });

describe('SQS event source (local stand-in)', () => {
  const store = useLocalQueueTable();
  const sources: SqsEventSource[] = [];
  afterEach(async () => {
    await Promise.all(sources.splice(0).map((source) => source.stop()));
  });
  const newQueue = (): { time: ManualTimeSource; queues: LocalQueues; queue: LocalQueue } => {
    const time = new ManualTimeSource();
    const queues = new LocalQueues(store.table, { pollIntervalMs: 10, time });
    return { time, queues, queue: queues.queue(`consumer-${randomUUID()}`, { maxReceiveCount: settings.maxReceiveCount }) };
  };
  /** Starts the source, recording when (on its time source) each body was handed to the function. */
  const start = (queue: LocalQueue, handler: SqsBatchHandler) => {
    const calls: Call[] = [];
    const source = startSqsEventSource({
      queue,
      delivery: settings,
      waitTimeSec: 1,
      handler: (event) => {
        calls.push({ at: queue.time.now().getTime(), bodies: event.Records.map((record) => record.body) });
        return handler(event);
      },
    });
    sources.push(source);
    /** Resolves once `invocations` invocations have run to the end (their deletes included). */
    const settled = (invocations: number) => until(() => source.invocations >= invocations && source.inFlight === 0, `${invocations} invocation(s) settled`);
    return { source, calls, settled };
  };
  const deliveriesOf = (calls: Call[], body: string) => calls.filter((call) => call.bodies.includes(body));
  const bodiesIn = async (queue: LocalQueue) => (await queue.peekAll()).map((item) => item.body).sort();
  const failBody = (body: string) => async (event: SQSEvent): Promise<SQSBatchResponse> => ({
    batchItemFailures: event.Records.filter((record) => record.body === body).map((record) => ({ itemIdentifier: record.messageId })),
  });

  it('deletes the records that succeeded; a reported failure comes back only after the visibility timeout', async () => {
    const { time, queue } = newQueue();
    for (const body of ['a', 'b', 'c']) await queue.send(body);
    const { calls, settled } = start(queue, failBody('b'));
    await until(async () => (await bodiesIn(queue)).join() === 'b' && deliveriesOf(calls, 'b').length > 0, 'a and c deleted, b tried');
    await settled(calls.length);

    time.advance(settings.visibilityTimeoutSec * 1000 - 1);
    // What the source would get now: nothing, b is still hidden.
    expect(await queue.receive({ maxMessages: 10, waitTimeSec: 0 })).toEqual([]);
    time.advance(1);
    await until(() => deliveriesOf(calls, 'b').length >= 2, 'b again');
    await settled(calls.length);

    const [first, second] = deliveriesOf(calls, 'b');
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(settings.visibilityTimeoutSec * 1000);
    expect(calls.flatMap((call) => call.bodies).filter((body) => body === 'a')).toHaveLength(1);
    expect(await bodiesIn(queue)).toEqual(['b']);
  });

  it('a record that keeps failing moves to the DLQ after maxReceiveCount receives', async () => {
    const { time, queues, queue } = newQueue();
    await queue.send('poison');
    await queue.send('fine');
    const { calls, settled } = start(queue, failBody('poison'));
    for (let receive = 1; receive <= settings.maxReceiveCount; receive++) {
      await until(async () => deliveriesOf(calls, 'poison').length === receive && (await bodiesIn(queue)).join() === 'poison', `poison tried ${receive} time(s), fine deleted`);
      await settled(calls.length);
      expect(await queues.deadLetterQueue(queue.name).peekAll()).toEqual([]);
      time.advance(settings.visibilityTimeoutSec * 1000);
    }
    await until(async () => (await queues.deadLetterQueue(queue.name).peekAll()).length === 1, 'poison in the DLQ');
    expect((await queues.deadLetterQueue(queue.name).peekAll())[0]!.body).toBe('poison');
    expect(await queue.peekAll()).toEqual([]);
    expect(deliveriesOf(calls, 'poison')).toHaveLength(settings.maxReceiveCount);
  });

  it.each([
    ['throws', () => async () => Promise.reject(new Error('boom'))],
    ['runs past the function timeout', (time: ManualTimeSource) => () => time.sleep(settings.functionTimeoutSec * 1000 + 300)],
    ['names a record that is not in the batch', () => async () => ({ batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] })],
  ] as Array<[string, (time: ManualTimeSource) => SqsBatchHandler]>)('a handler that %s fails the whole batch: every record comes back', async (_name, failingOn) => {
    const { time, queue } = newQueue();
    const failing = failingOn(time);
    for (const body of ['a', 'b']) await queue.send(body);
    let first = true;
    const { calls, settled } = start(queue, (event) => {
      if (first) {
        first = false;
        return failing(event);
      }
      return Promise.resolve({ batchItemFailures: [] });
    });
    await until(() => calls.length > 0, 'the first invocation');
    expect(calls[0]!.bodies.sort()).toEqual(['a', 'b']);
    // The function timeout passes (a handler still running has failed then), the visibility timeout not yet.
    time.advance(settings.functionTimeoutSec * 1000);
    await settled(1);
    expect(await bodiesIn(queue)).toEqual(['a', 'b']);

    time.advance((settings.visibilityTimeoutSec - settings.functionTimeoutSec) * 1000);
    await until(async () => calls.flatMap((call) => call.bodies).length >= 4 && (await queue.peekAll()).length === 0, 'both records again, then deleted');
    const bodies = calls.flatMap((call) => call.bodies).sort();
    expect(bodies).toEqual(['a', 'a', 'b', 'b']);
  });
});

describe('stream event source (local stand-in): retry attempts, bisection, on-failure destination', () => {
  const table = useTestTable();
  const store = useLocalQueueTable();
  const put = (n: number, poison = false) => table.doc.send(new PutCommand({ TableName: table.name, Item: { pk: `ITEM#${randomUUID()}`, sk: 'ITEM', n, poison } }));
  const numbersOf = (event: DynamoDBStreamEvent) => event.Records.map((record) => Number(record.dynamodb!.NewImage!.n!.N));

  it('gives up on a poison record after its retries, describes it (no data) in the destination, and delivers every other record', async () => {
    const onFailure = new LocalQueues(store.table).queue(`outbox-failures-${randomUUID()}`);
    const delivered = new Set<number>();
    const batchSizes: number[] = [];
    const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
      batchSizes.push(event.Records.length);
      // The function errors on the whole batch (no partial report): bisection must isolate the poison.
      if (event.Records.some((record) => record.dynamodb!.NewImage!.poison!.BOOL)) throw new Error('cannot handle this batch');
      for (const n of numbersOf(event)) delivered.add(n);
      return { batchItemFailures: [] };
    };
    const poller = startStreamPoller({
      dynamoDbEndpoint: dynamoDbEndpoint(),
      tableName: table.name,
      checkpoints: store.table,
      idlePollMs: 30,
      retryBaseMs: 10,
      handler,
      errorHandling: { retryAttempts: 3, maxRecordAgeSec: 3600, bisectBatchOnError: true, onFailure },
    });
    try {
      for (let n = 1; n <= 8; n++) await put(n, n === 5);
      await waitUntil(async () => delivered.size === 7 && (await onFailure.peekAll()).length === 1, { timeoutMs: 20_000, message: 'others delivered, poison described' });
    } finally {
      await poller.stop();
    }
    expect([...delivered].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 6, 7, 8]);
    expect(Math.min(...batchSizes)).toBe(1);
    const [description] = await onFailure.peekAll();
    const record = JSON.parse(description!.body);
    expect(record).toMatchObject({ requestContext: { condition: 'RetryAttemptsExhausted' }, DDBStreamBatchInfo: { batchSize: 1 } });
    expect(record.DDBStreamBatchInfo.startSequenceNumber).toBe(record.DDBStreamBatchInfo.endSequenceNumber);
    // A description, never the data; in AWS's format, as the outbox redrive reads it.
    expect(description!.body).not.toContain('poison');
    expect(parseOutboxFailure(description!.body).kind).toBe('stream_batch');
  });
});
