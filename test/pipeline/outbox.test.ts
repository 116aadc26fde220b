import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { BusSource, LedgerDetailType } from '../../functions/lib/bus/bus-events';
import type { BusEntry, EventBus, PutEventsResult } from '../../functions/lib/bus/event-bus';
import { silentLog } from '../../functions/lib/runtime/log';
import { EventType, newEventItem } from '../../functions/lib/events/event';
import { IdPrefix, newId } from '../../functions/lib/ids';
import type { Queue, QueueMessage } from '../../functions/lib/queue/queue';
import { Entity, keys } from '../../functions/lib/table/keys';
import { newWithdrawalItem } from '../../functions/lib/withdrawals/withdrawal';
import { processOutboxRecords, type OutboxDeps } from '../../functions/outbox/outbox';
import { MAX_PARKED_MESSAGE_BYTES, parseOutboxFailure, streamBatchFailureSchema, tableKeyOf } from '../../functions/outbox/parked-record';
import { startStreamPoller } from '../../infra/local/aws/stream-poller';
import { randomHash } from '../support/ledger-fixtures';
import { useLocalQueueTable, waitUntil } from '../support/pipeline-harness';
import { dynamoDbEndpoint, useTestTable } from '../support/table';

class MemoryQueue implements Queue {
  readonly bodies: string[] = [];
  constructor(
    readonly name: string,
    private readonly failWhen: (body: string) => boolean = () => false,
  ) {}
  async send(body: string): Promise<void> {
    if (this.failWhen(body)) throw new Error('queue unavailable');
    this.bodies.push(body);
  }
  async receive(): Promise<QueueMessage[]> {
    return [];
  }
  async delete(): Promise<void> {}
  async changeVisibility(): Promise<void> {}
}

class MemoryBus implements EventBus {
  readonly calls: BusEntry[][] = [];
  constructor(private readonly refuse: (entry: BusEntry) => boolean = () => false) {}
  async putEvents(entries: BusEntry[]): Promise<PutEventsResult> {
    this.calls.push(entries);
    return {
      failed: entries.flatMap((entry, index) => (this.refuse(entry) ? [{ index, errorCode: 'InternalFailure', errorMessage: 'x' }] : [])),
    };
  }
}

let sequence = 0;
function insert(item: object, eventName: DynamoDBRecord['eventName'] = 'INSERT'): DynamoDBRecord {
  sequence++;
  return {
    eventID: `e-${sequence}`,
    eventName,
    dynamodb: {
      ...('pk' in item && 'sk' in item ? { Keys: marshall({ pk: item.pk, sk: item.sk }) as never } : {}),
      SequenceNumber: String(sequence).padStart(21, '0'),
      NewImage: marshall(item, { removeUndefinedValues: true }) as never,
    },
  };
}

const merchantId = newId(IdPrefix.merchant);
const withdrawal = (overrides: object = {}) => ({
  ...newWithdrawalItem({
    id: newId(IdPrefix.withdrawal),
    merchantId,
    accountId: newId(IdPrefix.account),
    amountMsat: 50_000,
    feeReserveMsat: 1_000,
    paymentHash: randomHash(),
    bolt11: 'lnbcrt500n1example',
    createdAt: new Date().toISOString(),
  }),
  ...overrides,
});
const event = () => newEventItem({ type: EventType.transferCompleted, merchantId, object: { id: 'tr_1' }, createdAt: new Date() });
const cancel = () => ({ ...keys.nodeInvoiceCancel(randomHash()), entity: Entity.nodeInvoiceCancel, payment_hash: randomHash(), invoice_id: newId(IdPrefix.invoice) });

interface TestDeps extends OutboxDeps {
  payoutQueue: MemoryQueue;
  invoiceCancelQueue: MemoryQueue;
  bus: MemoryBus;
}

function deps(overrides: Partial<TestDeps> = {}): TestDeps {
  return {
    payoutQueue: new MemoryQueue('payout'),
    invoiceCancelQueue: new MemoryQueue('cancel'),
    failures: new MemoryQueue('outbox-failures'),
    bus: new MemoryBus(),
    log: silentLog,
    publishRetry: { baseMs: 1, maxMs: 2, maxAttempts: 3 },
    ...overrides,
  };
}

describe('outbox: the table stream carried to the payout queue, the cancel queue and the bus', () => {
  it('sends each new external withdrawal to the payout queue with its fee reserve as the fee limit, and nothing else', async () => {
    const d = deps();
    const external = withdrawal();

    const result = await processOutboxRecords(
      [
        insert(external),
        insert(withdrawal({ internal: true, status: 'succeeded' })),
        insert({ ...external, status: 'in_flight' }, 'MODIFY'),
        insert({ pk: 'ACCOUNT#x', sk: 'ACCOUNT', entity: Entity.account, balance_msat: 5 }),
      ],
      d,
    );

    expect(result).toEqual({ batchItemFailures: [] });
    expect(d.payoutQueue.bodies.map((body) => JSON.parse(body))).toEqual([
      { withdrawal_id: external.id, payment_hash: external.payment_hash, bolt11: external.bolt11, amount_msat: 50_000, fee_limit_msat: 1_000 },
    ]);
    expect(d.bus.calls).toEqual([]);
  });

  it('publishes new domain events as DomainEvent with their merchant, and node-cancel requests to the cancel queue', async () => {
    const d = deps();
    const domainEvent = event();
    const cancelRequest = cancel();

    await processOutboxRecords([insert(domainEvent), insert(cancelRequest)], d);

    expect(d.bus.calls).toEqual([
      [
        {
          source: BusSource.ledger,
          detailType: LedgerDetailType.domainEvent,
          detail: { merchant_id: merchantId, event: { id: domainEvent.id, type: 'transfer.completed', created_at: domainEvent.created_at, data: domainEvent.data } },
        },
      ],
    ]);
    expect(d.invoiceCancelQueue.bodies.map((body) => JSON.parse(body))).toEqual([{ payment_hash: cancelRequest.payment_hash, invoice_id: cancelRequest.invoice_id }]);
  });

  it('publishes consecutive events at most 10 per PutEvents', async () => {
    const d = deps();
    await processOutboxRecords(Array.from({ length: 25 }, () => insert(event())), d);
    expect(d.bus.calls.map((call) => call.length)).toEqual([10, 10, 5]);
  });

  it('reports the first record it could not enqueue, and stops there: the stream resumes from it', async () => {
    const failing = withdrawal();
    const d = deps({ payoutQueue: new MemoryQueue('payout', (body) => body.includes(failing.id)) });
    const records = [insert(withdrawal()), insert(failing), insert(withdrawal()), insert(event())];

    const result = await processOutboxRecords(records, d);

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: records[1]!.dynamodb!.SequenceNumber }]);
    expect(d.payoutQueue.bodies).toHaveLength(1);
    expect(d.bus.calls).toEqual([]);
  });

  it('retries refused events, and when they stay refused reports the first record of their batch', async () => {
    // The first event is refused twice, then accepted; the second goes through at once.
    const first = event();
    let refusals = 0;
    const flaky = new MemoryBus((entry) => JSON.stringify(entry.detail).includes(first.id) && refusals++ < 2);
    expect(await processOutboxRecords([insert(first), insert(event())], deps({ bus: flaky }))).toEqual({ batchItemFailures: [] });
    expect(flaky.calls.map((call) => call.length)).toEqual([2, 1, 1]);

    const refusing = new MemoryBus(() => true);
    const records = [insert(withdrawal()), insert(event()), insert(event())];
    const result = await processOutboxRecords(records, deps({ bus: refusing }));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: records[1]!.dynamodb!.SequenceNumber }]);
  });

  it('parks a record that can never become a message with its data, in its place, and the rest of the batch goes on', async () => {
    const counted: string[] = [];
    const logged: Array<{ message: string; fields: Record<string, unknown> | undefined }> = [];
    const record = (message: string, fields?: Record<string, unknown>) => void logged.push({ message, fields });
    const d = deps({ metrics: { count: (name) => void counted.push(name) }, log: { debug: record, info: record, warn: record, error: record } });
    const broken = withdrawal({ payment_hash: 'not-a-hash' });
    const before = withdrawal();
    const after = withdrawal();
    const records = [insert(before), insert(event()), insert(broken), insert(event()), insert(after)];

    const result = await processOutboxRecords(records, d);

    expect(result.batchItemFailures).toEqual([]);
    expect(d.payoutQueue.bodies.map((body) => JSON.parse(body).withdrawal_id)).toEqual([before.id, after.id]);
    // The park splits the events: each went out on its own side of it.
    expect(d.bus.calls.map((call) => call.length)).toEqual([1, 1]);
    expect(counted.filter((name) => name === 'OutboxRecordParked')).toHaveLength(1);

    const parkedBodies = (d.failures as MemoryQueue).bodies;
    expect(parkedBodies).toHaveLength(1);
    const parsed = parseOutboxFailure(parkedBodies[0]!);
    expect(parsed.kind).toBe('outbox_record');
    if (parsed.kind !== 'outbox_record') return;
    const { parked } = parsed;
    expect(parked).toMatchObject({ kind: 'outbox_record', version: 1, parked_at: expect.any(String) });
    expect(parked.reason).toMatch(/payment_hash/);
    expect(parked.record.eventName).toBe('INSERT');
    expect(parked.record.eventID).toBe(records[2]!.eventID);
    expect(parked.record.dynamodb.SequenceNumber).toBe(records[2]!.dynamodb!.SequenceNumber);
    expect(parked.record.dynamodb.Keys).toEqual(marshall({ pk: broken.pk, sk: broken.sk }));
    expect(unmarshall(parked.record.dynamodb.NewImage as never)).toEqual(broken);
    expect(parked.image_omitted).toBeUndefined();
    expect(tableKeyOf(parked)).toEqual({ pk: broken.pk, sk: broken.sk });

    // The log names the record and the reason, never what the item holds.
    const parkLog = logged.find((entry) => entry.message.includes('parked'));
    expect(parkLog?.fields).toMatchObject({ sequenceNumber: records[2]!.dynamodb!.SequenceNumber, pk: broken.pk, sk: broken.sk, reason: parked.reason });
    const everythingLogged = JSON.stringify(logged);
    expect(everythingLogged).not.toContain(broken.bolt11);
    expect(everythingLogged).not.toContain(broken.account_id);
  });

  it('when parking fails, reports that record as the batch item failure: what came before went out, nothing after it', async () => {
    const counted: string[] = [];
    const d = deps({ failures: new MemoryQueue('outbox-failures', () => true), metrics: { count: (name) => void counted.push(name) } });
    const before = withdrawal();
    const records = [insert(before), insert(withdrawal({ bolt11: '' })), insert(withdrawal()), insert(event())];

    const result = await processOutboxRecords(records, d);

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: records[1]!.dynamodb!.SequenceNumber }]);
    expect(d.payoutQueue.bodies.map((body) => JSON.parse(body).withdrawal_id)).toEqual([before.id]);
    expect(d.bus.calls).toEqual([]);
    expect(counted).toContain('OutboxParkFailed');
    expect(counted).not.toContain('OutboxRecordParked');
  });

  it('parks a record too large to carry with its keys and reason only, flagged', async () => {
    const d = deps();
    const huge = withdrawal({ payment_hash: 'bad', note: 'x'.repeat(MAX_PARKED_MESSAGE_BYTES) });

    expect((await processOutboxRecords([insert(huge)], d)).batchItemFailures).toEqual([]);

    const body = (d.failures as MemoryQueue).bodies[0]!;
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_PARKED_MESSAGE_BYTES);
    const parsed = parseOutboxFailure(body);
    expect(parsed).toMatchObject({ kind: 'outbox_record', parked: { image_omitted: true, record: { dynamodb: { Keys: marshall({ pk: huge.pk, sk: huge.sk }) } } } });
    if (parsed.kind === 'outbox_record') expect(parsed.parked.record.dynamodb.NewImage).toBeUndefined();
  });

  it('reads both kinds of message of the outbox failures queue, and names anything else', () => {
    // AWS's documented on-failure record of a DynamoDB stream event source mapping.
    const aws = {
      requestContext: { requestId: '316aa6d0-8154-xmpl-9af7-85d5f4a6bc81', functionArn: 'arn:aws:lambda:us-east-2:123456789012:function:myfunction', condition: 'RetryAttemptsExhausted', approximateInvokeCount: 1 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: '2019-11-14T00:13:49.717Z',
      DDBStreamBatchInfo: {
        shardId: 'shardId-00000001573689847184-864758bb',
        startSequenceNumber: '800000000003126276362',
        endSequenceNumber: '800000000003126276362',
        approximateArrivalOfFirstRecord: '2019-11-14T00:13:19Z',
        approximateArrivalOfLastRecord: '2019-11-14T00:13:19Z',
        batchSize: 1,
        streamArn: 'arn:aws:dynamodb:us-east-2:123456789012:table/mytable/stream/2019-11-14T00:04:06.388',
      },
    };
    expect(parseOutboxFailure(JSON.stringify(aws))).toEqual({ kind: 'stream_batch', batch: aws });
    expect(streamBatchFailureSchema.parse({ ...aws, responseContext: { statusCode: 200, executedVersion: '1', functionError: null } }).responseContext.functionError).toBeNull();

    expect(parseOutboxFailure('not json')).toEqual({ kind: 'unrecognised', problem: 'the body is not JSON' });
    expect(parseOutboxFailure('{"hello": 1}').kind).toBe('unrecognised');
    const { DDBStreamBatchInfo: _info, ...noInfo } = aws;
    expect(parseOutboxFailure(JSON.stringify({ ...noInfo, DDBStreamBatchInfo: { shardId: 'x' } }))).toMatchObject({ kind: 'unrecognised', problem: expect.stringMatching(/AWS's format.*startSequenceNumber/) });
    const future = { kind: 'outbox_record', version: 2, parked_at: new Date().toISOString(), reason: 'x', record: { eventName: 'INSERT', dynamodb: { Keys: {}, SequenceNumber: '1' } } };
    expect(parseOutboxFailure(JSON.stringify(future))).toMatchObject({ kind: 'unrecognised', problem: expect.stringMatching(/version/) });
  });
});

describe('stream poller: DynamoDB Local\'s real stream, delivered like an event source mapping', () => {
  const table = useTestTable();
  const checkpoints = useLocalQueueTable();
  const put = (n: number) => table.doc.send(new PutCommand({ TableName: table.name, Item: { pk: `ITEM#${n}`, sk: 'ITEM', entity: 'test', n } }));
  const numbersOf = (event: DynamoDBStreamEvent) => event.Records.map((record) => Number(record.dynamodb!.NewImage!.n!.N));

  it('delivers in order, retries from a reported failure, and after a restart resumes from its checkpoint', async () => {
    const seen: number[][] = [];
    let failOnce = true;
    const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
      const numbers = numbersOf(event);
      seen.push(numbers);
      const failing = event.Records.find((record) => Number(record.dynamodb!.NewImage!.n!.N) === 3);
      if (failing && failOnce) {
        failOnce = false;
        return { batchItemFailures: [{ itemIdentifier: failing.dynamodb!.SequenceNumber! }] };
      }
      return { batchItemFailures: [] };
    };
    const options = { dynamoDbEndpoint: dynamoDbEndpoint(), tableName: table.name, checkpoints: checkpoints.table, idlePollMs: 30, retryBaseMs: 20, handler };
    let poller = startStreamPoller(options);
    try {
      for (let n = 1; n <= 5; n++) await put(n);
      await waitUntil(() => seen.flat().includes(5) && !failOnce && seen.flat().filter((n) => n === 3).length === 2, { message: 'all delivered' });
      const delivered = seen.flat();
      // 1 and 2 once; 3 again after its failure, with what came after it.
      expect(delivered.filter((n) => n === 1)).toHaveLength(1);
      expect(delivered.filter((n) => n === 2)).toHaveLength(1);
      expect(seen.every((batch) => batch.every((n, i) => i === 0 || n > batch[i - 1]!))).toBe(true);
    } finally {
      await poller.stop();
    }

    // Written while no poller runs: picked up by the next one, and nothing before it again.
    seen.length = 0;
    for (let n = 6; n <= 8; n++) await put(n);
    poller = startStreamPoller(options);
    try {
      await waitUntil(() => seen.flat().includes(8), { message: 'resumed' });
      expect(seen.flat()).toEqual([6, 7, 8]);
    } finally {
      await poller.stop();
    }
  });
});
