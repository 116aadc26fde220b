import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { BusSource, LedgerDetailType } from '../../functions/lib/bus/bus-events';
import type { BusEntry, EventBus, PutEventsResult } from '../../functions/lib/bus/event-bus';
import { silentLog } from '../../functions/lib/bus/log';
import { EventType, newEventItem } from '../../functions/lib/events/event';
import { IdPrefix, newId } from '../../functions/lib/ids';
import type { Queue, QueueMessage } from '../../functions/lib/queue/queue';
import { Entity, keys } from '../../functions/lib/table/keys';
import { newWithdrawalItem } from '../../functions/lib/withdrawals/withdrawal';
import { processOutboxRecords, type OutboxDeps } from '../../functions/outbox/outbox';
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
    dynamodb: { SequenceNumber: String(sequence).padStart(21, '0'), NewImage: marshall(item, { removeUndefinedValues: true }) as never },
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

  it('skips and counts a record that can never become a message, instead of blocking the shard', async () => {
    const counted: string[] = [];
    const d = deps({ metrics: { count: (name) => void counted.push(name) } });
    const broken = withdrawal({ payment_hash: 'not-a-hash' });
    const fine = withdrawal();

    const result = await processOutboxRecords([insert(broken), insert(fine)], d);

    expect(result.batchItemFailures).toEqual([]);
    expect(d.payoutQueue.bodies.map((body) => JSON.parse(body).withdrawal_id)).toEqual([fine.id]);
    expect(counted).toContain('OutboxRecordRejected');
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
