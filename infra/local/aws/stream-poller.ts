import { randomUUID } from 'node:crypto';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type _Record as StreamRecord,
  type Shard,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { errorFields, type Log, silentLog } from '../../../functions/lib/runtime/log';
import { backoffDelayMs, sleep } from '../../../functions/lib/runtime/backoff';
import { systemTime, type TimeSource } from '../../../functions/lib/runtime/clock';
import type { Queue } from '../../../functions/lib/queue/queue';
import type { Table } from '../../../functions/lib/table/client';
import { scaleSeconds } from '../../delivery';
import { localDynamoDbClient } from '../dynamodb-local';

export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;

export interface StreamPollerOptions {
  /** DynamoDB Local, e.g. http://127.0.0.1:8000. */
  dynamoDbEndpoint: string;
  tableName: string;
  /** The same handler the stream Lambda runs. */
  handler: StreamHandler;
  /** Where shard positions are kept across restarts (the local queue table). */
  checkpoints: Table;
  /** Records per handler call, as a batch size on an event source mapping. @default 100 */
  batchSize?: number;
  /** Pause between reads of a shard that had nothing new. @default 100 */
  idlePollMs?: number;
  /** First wait after a failed batch or read; doubles up to 5 s. @default 200 */
  retryBaseMs?: number;
  /**
   * The event source mapping's error handling (infra/delivery.ts `stream`): a batch that keeps
   * failing is retried `retryAttempts` times, or until its first record is older than
   * `maxRecordAgeSec`; then its description (no data) goes to `onFailure` and the shard moves
   * past it. `bisectBatchOnError` halves the batch after the function throws. @default retry forever
   */
  errorHandling?: { retryAttempts: number; maxRecordAgeSec: number; bisectBatchOnError: boolean; onFailure: Queue };
  /** Durations (the maximum record age) × this; counts stay exact. @default 1 */
  timeScale?: number;
  /**
   * Where the poller learns the time: records' ages, the times in its reports. Its pauses
   * (idle polls, retry backoff) stay real time: AWS promises no pace for them. @default the system clock
   */
  time?: TimeSource;
  log?: Log;
}

export interface StreamPoller {
  stop(): Promise<void>;
  /** Records handed to the handler so far (including redeliveries). */
  readonly delivered: number;
}

const SHARD_END = 'SHARD_END';

/**
 * Feeds DynamoDB Local's real stream to the outbox handler, as Lambda's event source
 * mapping does in AWS: shard by shard in order, following child shards when a shard
 * closes, honouring batch item failures (the batch is retried from the failed record).
 *
 * Positions are checkpointed in the local queue table only after the handler succeeded,
 * so a crash or restart replays at most the batch that was running: delivery is at least
 * once, never lost (within the stream's 24 h retention), and every consumer downstream is
 * idempotent.
 */
export function startStreamPoller(options: StreamPollerOptions): StreamPoller {
  const log = options.log ?? silentLog;
  const time = options.time ?? systemTime;
  const batchSize = options.batchSize ?? 100;
  const idlePollMs = options.idlePollMs ?? 100;
  const retry = { baseMs: options.retryBaseMs ?? 200, maxMs: 5000 };
  const dynamoDb = localDynamoDbClient(options.dynamoDbEndpoint);
  const streams = new DynamoDBStreamsClient({
    endpoint: options.dynamoDbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const stopping = new AbortController();
  const readers = new Map<string, Promise<void>>();
  const finished = new Set<string>();
  let delivered = 0;
  let streamArn = '';

  const checkpointKey = (shardId: string) => ({ pk: `STREAM_CHECKPOINT#${streamArn}`, sk: shardId });
  const loadCheckpoint = async (shardId: string): Promise<string | undefined> => {
    const { Item } = await options.checkpoints.doc.send(
      new GetCommand({ TableName: options.checkpoints.name, Key: checkpointKey(shardId), ConsistentRead: true }),
    );
    return Item?.sequence_number as string | undefined;
  };
  const saveCheckpoint = (shardId: string, sequenceNumber: string) =>
    options.checkpoints.doc.send(
      new PutCommand({
        TableName: options.checkpoints.name,
        Item: { ...checkpointKey(shardId), sequence_number: sequenceNumber, updated_at: time.now().toISOString() },
      }),
    );

  async function iteratorFrom(shardId: string, position: string | undefined, type?: ShardIteratorType): Promise<string | undefined> {
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ...(position
          ? { ShardIteratorType: type ?? 'AFTER_SEQUENCE_NUMBER', SequenceNumber: position }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return ShardIterator;
  }

  async function readShard(shardId: string): Promise<void> {
    let failures = 0;
    let checkpoint: string | undefined;
    let iterator: string | undefined;
    let retryFrom: string | undefined;
    // Retries of the batch that starts at lastFailedAt, and the bisected batch size, if any.
    let attempts = 0;
    let lastFailedAt: string | undefined;
    let bisected: number | undefined;
    while (!stopping.signal.aborted) {
      try {
        if (!iterator) {
          checkpoint ??= await loadCheckpoint(shardId);
          if (checkpoint === SHARD_END) {
            finished.add(shardId);
            return;
          }
          iterator = retryFrom ? await iteratorFrom(shardId, retryFrom, 'AT_SEQUENCE_NUMBER') : await iteratorFrom(shardId, checkpoint);
          retryFrom = undefined;
          if (!iterator) return;
        }
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: bisected ?? batchSize }));
        const records = page.Records ?? [];
        if (records.length > 0) {
          const { failedAt, threw } = await deliver(records);
          if (failedAt !== undefined) {
            attempts = failedAt === lastFailedAt ? attempts + 1 : 1;
            lastFailedAt = failedAt;
            const failed = records.slice(records.findIndex((record) => record.dynamodb?.SequenceNumber === failedAt));
            const condition = givenUp(failed, attempts);
            if (condition) {
              // Described in the on-failure destination, then skipped: the shard goes on behind it.
              await reportFailedBatch(shardId, failed, condition, attempts);
              const end = failed.at(-1)!.dynamodb!.SequenceNumber!;
              checkpoint = end;
              await saveCheckpoint(shardId, end);
              attempts = 0;
              lastFailedAt = undefined;
              bisected = undefined;
              iterator = undefined;
              continue;
            }
            // Bisection halves what the function is given after it threw (not after partial failures).
            if (threw && options.errorHandling?.bisectBatchOnError) bisected = Math.max(1, Math.floor(failed.length / 2));
            // Resume at the failed record, after a pause: the records before it are done.
            const before = records.slice(0, records.findIndex((record) => record.dynamodb?.SequenceNumber === failedAt));
            const done = before.at(-1)?.dynamodb?.SequenceNumber;
            if (done) {
              checkpoint = done;
              await saveCheckpoint(shardId, done);
            }
            retryFrom = failedAt;
            iterator = undefined;
            await sleep(backoffDelayMs(failures++, retry), stopping.signal);
            continue;
          }
          const last = records.at(-1)?.dynamodb?.SequenceNumber;
          if (last) {
            checkpoint = last;
            await saveCheckpoint(shardId, last);
          }
          attempts = 0;
          lastFailedAt = undefined;
          bisected = undefined;
        }
        failures = 0;
        iterator = page.NextShardIterator;
        if (!iterator) {
          await saveCheckpoint(shardId, SHARD_END);
          finished.add(shardId);
          return;
        }
        if (records.length === 0) await sleep(idlePollMs, stopping.signal);
      } catch (error) {
        if (stopping.signal.aborted) return;
        if (error instanceof TrimmedDataAccessException) {
          log.error('stream records expired before they were read', { shardId });
          checkpoint = undefined;
        }
        if (!(error instanceof ExpiredIteratorException)) {
          log.warn('stream read failed; retrying', { shardId, ...errorFields(error) });
          await sleep(backoffDelayMs(failures++, retry), stopping.signal);
        }
        // The next turn asks for a fresh iterator from the last checkpoint or the failed record.
        iterator = undefined;
      }
    }
  }

  /** Whether Lambda gives up on this failing batch, and why (AWS's condition names). */
  function givenUp(failed: StreamRecord[], attempts: number): 'RetryAttemptsExhausted' | 'RecordAgeExceeded' | undefined {
    const handling = options.errorHandling;
    if (!handling) return undefined;
    const created = failed[0]?.dynamodb?.ApproximateCreationDateTime;
    const ageMs = created ? time.now().getTime() - new Date(created).getTime() : 0;
    if (ageMs > scaleSeconds(handling.maxRecordAgeSec, options.timeScale ?? 1) * 1000) return 'RecordAgeExceeded';
    // The first attempt is not a retry.
    if (attempts > handling.retryAttempts) return 'RetryAttemptsExhausted';
    return undefined;
  }

  /** The record Lambda sends to a stream's on-failure destination: where the batch was, not its data. */
  async function reportFailedBatch(shardId: string, failed: StreamRecord[], condition: string, attempts: number): Promise<void> {
    const arrival = (record: StreamRecord | undefined) => {
      const created = record?.dynamodb?.ApproximateCreationDateTime;
      return created ? new Date(created).toISOString() : time.now().toISOString();
    };
    const description = {
      requestContext: { requestId: randomUUID(), functionArn: 'arn:aws:lambda:local:000000000000:function:outbox', condition, approximateInvokeCount: attempts },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: time.now().toISOString(),
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: failed[0]!.dynamodb!.SequenceNumber!,
        endSequenceNumber: failed.at(-1)!.dynamodb!.SequenceNumber!,
        approximateArrivalOfFirstRecord: arrival(failed[0]),
        approximateArrivalOfLastRecord: arrival(failed.at(-1)),
        batchSize: failed.length,
        streamArn,
      },
    };
    await options.errorHandling!.onFailure.send(JSON.stringify(description));
    log.error('stream batch given up; its description is in the on-failure destination', { shardId, condition, attempts, records: failed.length });
  }

  /** Hands records to the handler; returns the sequence number to retry from, if any, and whether the handler threw. */
  async function deliver(records: StreamRecord[]): Promise<{ failedAt?: string; threw: boolean }> {
    const event: DynamoDBStreamEvent = { Records: records.map((record) => toLambdaRecord(record, streamArn)) };
    delivered += records.length;
    try {
      const response = await options.handler(event);
      const failures = response?.batchItemFailures ?? [];
      if (failures.length === 0) return { threw: false };
      // Lambda resumes from the lowest failed sequence number.
      const positions = new Map(records.map((record, index) => [record.dynamodb?.SequenceNumber ?? '', index]));
      const first = failures
        .map((failure) => failure.itemIdentifier)
        .filter((id) => positions.has(id))
        .sort((a, b) => positions.get(a)! - positions.get(b)!)[0];
      return { failedAt: first ?? records[0]!.dynamodb!.SequenceNumber!, threw: false };
    } catch (error) {
      log.warn('stream handler threw; retrying the whole batch', errorFields(error));
      return { failedAt: records[0]!.dynamodb!.SequenceNumber!, threw: true };
    }
  }

  async function listShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ...(exclusiveStartShardId ? { ExclusiveStartShardId: exclusiveStartShardId } : {}) }),
      );
      shards.push(...(StreamDescription?.Shards ?? []));
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    return shards;
  }

  const supervisor = (async () => {
    let failures = 0;
    while (!stopping.signal.aborted) {
      try {
        if (!streamArn) {
          const { Table: description } = await dynamoDb.send(new DescribeTableCommand({ TableName: options.tableName }));
          streamArn = description?.LatestStreamArn ?? '';
          if (!streamArn) throw new Error(`table ${options.tableName} has no stream`);
        }
        const shards = await listShards();
        const known = new Set(shards.map((shard) => shard.ShardId));
        for (const shard of shards) {
          const shardId = shard.ShardId!;
          if (readers.has(shardId)) continue;
          // A child shard waits until its parent has been read to the end: order per item holds.
          const parent = shard.ParentShardId;
          if (parent && known.has(parent) && !(await isFinished(parent))) continue;
          readers.set(shardId, readShard(shardId));
        }
        failures = 0;
        await sleep(2000, stopping.signal);
      } catch (error) {
        if (stopping.signal.aborted) break;
        log.warn('could not describe the table stream; retrying', errorFields(error));
        await sleep(backoffDelayMs(failures++, retry), stopping.signal);
      }
    }
  })();

  async function isFinished(shardId: string): Promise<boolean> {
    if (finished.has(shardId)) return true;
    if ((await loadCheckpoint(shardId)) === SHARD_END) finished.add(shardId);
    return finished.has(shardId);
  }

  return {
    get delivered() {
      return delivered;
    },
    async stop() {
      stopping.abort();
      await supervisor;
      await Promise.allSettled([...readers.values()]);
      streams.destroy();
      dynamoDb.destroy();
    },
  };
}

/** A stream record in the shape Lambda hands to a function (numbers for times, the ARN of the source). */
function toLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const change = record.dynamodb ?? {};
  const approximateCreation = change.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName as DynamoDBRecord['eventName'],
    eventVersion: record.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion,
    eventSourceARN: streamArn,
    dynamodb: {
      Keys: repairImage(change.Keys) as never,
      NewImage: repairImage(change.NewImage) as never,
      OldImage: repairImage(change.OldImage) as never,
      SequenceNumber: change.SequenceNumber,
      SizeBytes: change.SizeBytes,
      StreamViewType: change.StreamViewType as NonNullable<DynamoDBRecord['dynamodb']>['StreamViewType'],
      ...(approximateCreation ? { ApproximateCreationDateTime: Math.floor(new Date(approximateCreation).getTime() / 1000) } : {}),
    },
  };
}

type AttributeValueJson = Record<string, unknown>;

/**
 * The Streams client of the SDK deserialises an empty map attribute (`{"M": {}}`) as `{}`,
 * which unmarshall then refuses ("No value defined"). Put the M back, at any depth.
 */
function repairImage(image: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!image) return image;
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, repairValue(value as AttributeValueJson)]));
}

function repairValue(value: AttributeValueJson): AttributeValueJson {
  if (value === null || typeof value !== 'object') return value;
  if (Object.keys(value).length === 0) return { M: {} };
  if (value.M && typeof value.M === 'object') return { M: repairImage(value.M as Record<string, unknown>) };
  if (Array.isArray(value.L)) return { L: (value.L as AttributeValueJson[]).map(repairValue) };
  return value;
}
