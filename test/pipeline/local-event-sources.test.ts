/**
 * The local stand-ins of Lambda's event sources behave as AWS documents, not kinder: an SQS
 * event source shows a failed record again only after the queue's visibility timeout and
 * parks it after maxReceiveCount; a handler that throws, times out, or names a record that
 * is not in its batch fails the whole batch. A stream event source gives up on a batch
 * after its retry attempts (bisecting after errors), describes it in its on-failure
 * destination, and goes on with the records behind it.
 */
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { parseOutboxFailure } from '../../functions/outbox/parked-record';
import type { ConsumerDelivery } from '../../infra/delivery';
import { LocalQueues, type LocalQueue } from '../../infra/local/aws/local-queue';
import { startSqsEventSource, type SqsBatchHandler } from '../../infra/local/aws/sqs-event-source';
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

describe('SQS event source (local stand-in)', () => {
  const store = useLocalQueueTable();
  const newQueue = (): { queues: LocalQueues; queue: LocalQueue } => {
    const queues = new LocalQueues(store.table, { pollIntervalMs: 30 });
    return { queues, queue: queues.queue(`consumer-${randomUUID()}`, { maxReceiveCount: settings.maxReceiveCount }) };
  };
  /** Runs the source until `done`, recording when each body was handed to the function. */
  const run = async (queue: LocalQueue, handler: SqsBatchHandler, done: (calls: Array<{ at: number; bodies: string[] }>) => boolean | Promise<boolean>) => {
    const calls: Array<{ at: number; bodies: string[] }> = [];
    const source = startSqsEventSource({
      queue,
      delivery: settings,
      waitTimeSec: 1,
      handler: (event) => {
        calls.push({ at: Date.now(), bodies: event.Records.map((record) => record.body) });
        return handler(event);
      },
    });
    try {
      await waitUntil(() => done(calls), { timeoutMs: 15_000 });
    } finally {
      await source.stop();
    }
    return calls;
  };
  const failBody = (body: string) => async (event: SQSEvent): Promise<SQSBatchResponse> => ({
    batchItemFailures: event.Records.filter((record) => record.body === body).map((record) => ({ itemIdentifier: record.messageId })),
  });

  it('deletes the records that succeeded; a reported failure comes back only after the visibility timeout', async () => {
    const { queue } = newQueue();
    for (const body of ['a', 'b', 'c']) await queue.send(body);
    const calls = await run(queue, failBody('b'), (calls) => calls.filter((call) => call.bodies.includes('b')).length >= 2);
    const deliveriesOfB = calls.filter((call) => call.bodies.includes('b'));
    // Measured from the handler calls, which follow the receives by a round trip to DynamoDB Local (hence the slack).
    expect(deliveriesOfB[1]!.at - deliveriesOfB[0]!.at).toBeGreaterThanOrEqual(settings.visibilityTimeoutSec * 1000 - 700);
    expect(calls.flatMap((call) => call.bodies).filter((body) => body === 'a')).toHaveLength(1);
    expect((await queue.peekAll()).map((item) => item.body)).toEqual(['b']);
  });

  it('a record that keeps failing moves to the DLQ after maxReceiveCount receives', async () => {
    const { queues, queue } = newQueue();
    await queue.send('poison');
    await queue.send('fine');
    await run(queue, failBody('poison'), async () => (await queues.deadLetterQueue(queue.name).peekAll()).length === 1);
    expect((await queues.deadLetterQueue(queue.name).peekAll())[0]!.body).toBe('poison');
    expect(await queue.peekAll()).toEqual([]);
  });

  it.each([
    ['throws', async () => Promise.reject(new Error('boom'))],
    ['runs past the function timeout', () => new Promise<void>((resolve) => setTimeout(resolve, settings.functionTimeoutSec * 1000 + 300))],
    ['names a record that is not in the batch', async () => ({ batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] })],
  ] as Array<[string, SqsBatchHandler]>)('a handler that %s fails the whole batch: every record comes back', async (_name, failing) => {
    const { queue } = newQueue();
    for (const body of ['a', 'b']) await queue.send(body);
    let first = true;
    const calls = await run(
      queue,
      (event) => {
        if (first) {
          first = false;
          return failing(event);
        }
        return Promise.resolve({ batchItemFailures: [] });
      },
      async (calls) => calls.flatMap((call) => call.bodies).length >= 4 && (await queue.peekAll()).length === 0,
    );
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
