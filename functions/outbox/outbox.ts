import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import {
  BusSource,
  domainEventDetailSchema,
  invoiceCancelMessageSchema,
  LedgerDetailType,
  payoutMessageSchema,
} from '../lib/bus/bus-events';
import { MAX_ENTRIES_PER_PUT, type BusEntry, type EventBus } from '../lib/bus/event-bus';
import { errorFields, type Log } from '../lib/runtime/log';
import { type Metrics, noMetrics } from '../lib/runtime/metrics';
import { publishAll, type PublishOptions } from '../lib/bus/publish';
import { toDomainEvent, type EventItem } from '../lib/events/event';
import type { Queue } from '../lib/queue/queue';
import { Entity } from '../lib/table/keys';
import { WithdrawalStatus, type WithdrawalItem } from '../lib/withdrawals/withdrawal';
import { type AttributeMap, keysFromImage, parkedOutboxRecordBody, refusalReason } from './parked-record';

export interface OutboxDeps {
  payoutQueue: Queue;
  invoiceCancelQueue: Queue;
  bus: EventBus;
  /** The outbox failures queue: a record that can never become a message is parked here with its data. */
  failures: Queue;
  log: Log;
  metrics?: Metrics;
  /** Retries of refused PutEvents entries within one invocation, before the batch reports a failure. */
  publishRetry?: Omit<PublishOptions, 'signal' | 'log'>;
}

/** What one new item of the table asks the outside world to do. */
export type OutboxAction =
  | { kind: 'payout'; body: string }
  | { kind: 'invoice_cancel'; body: string }
  | { kind: 'event'; entry: BusEntry };

/**
 * The table's stream is the outbox: a new external withdrawal goes to the payout queue, a
 * new domain event to the bus, a node-cancel request to the bridge's cancel queue. Only
 * INSERTs count: a record exists once, and whatever else changes later is not news.
 */
export function outboxActionFor(record: DynamoDBRecord): OutboxAction | undefined {
  if (record.eventName !== 'INSERT' || !record.dynamodb?.NewImage) return undefined;
  const item = unmarshall(record.dynamodb.NewImage as Record<string, AttributeValue>);
  switch (item.entity) {
    case Entity.withdrawal: {
      const withdrawal = item as WithdrawalItem;
      // Internal payments are settled in the table already; only Lightning payouts go to the node.
      if (withdrawal.internal !== false || withdrawal.status !== WithdrawalStatus.pending) return undefined;
      const message = payoutMessageSchema.parse({
        withdrawal_id: withdrawal.id,
        payment_hash: withdrawal.payment_hash,
        bolt11: withdrawal.bolt11,
        amount_msat: withdrawal.amount_msat,
        fee_limit_msat: withdrawal.fee_reserve_msat,
      });
      return { kind: 'payout', body: JSON.stringify(message) };
    }
    case Entity.event: {
      const event = item as EventItem;
      const detail = domainEventDetailSchema.parse({ merchant_id: event.merchant_id, event: toDomainEvent(event) });
      return { kind: 'event', entry: { source: BusSource.ledger, detailType: LedgerDetailType.domainEvent, detail } };
    }
    case Entity.nodeInvoiceCancel: {
      const message = invoiceCancelMessageSchema.parse({ payment_hash: item.payment_hash, invoice_id: item.invoice_id });
      return { kind: 'invoice_cancel', body: JSON.stringify(message) };
    }
    default:
      return undefined;
  }
}

/**
 * Carries a batch of stream records on, in order, and reports the first record it could
 * not deliver as the batch item failure: the stream (Lambda's event source mapping, or the
 * local poller) resumes from that record. Records after it may have gone out already and
 * will go out again: delivery is at least once, and every consumer is idempotent (the
 * payout worker asks the node before paying, the ledger's conditions refuse a second
 * change, webhook receivers dedupe on the event id).
 *
 * A record that can never be turned into a message (it fails its schema) is parked, in its
 * place in the batch, in the outbox failures queue with its data (parked-record.ts), logged
 * (keys, sequence number, reason; never the image) and counted: blocking the shard on it
 * would stop every payout behind it, and dropping it would leave its withdrawal pending
 * with nobody told. The queue is alarmed; `npm run admin -- outbox:redrive` sends it on once
 * the item is fixed. If parking fails too, the record is the batch item failure.
 */
export async function processOutboxRecords(records: DynamoDBRecord[], deps: OutboxDeps): Promise<DynamoDBBatchResponse> {
  const metrics = deps.metrics ?? noMetrics;
  const planned: Array<{ record: DynamoDBRecord; action: OutboxAction | { kind: 'park'; reason: string } }> = [];
  for (const record of records) {
    try {
      const action = outboxActionFor(record);
      if (action) planned.push({ record, action });
    } catch (error) {
      planned.push({ record, action: { kind: 'park', reason: refusalReason(error) } });
    }
  }

  for (let index = 0; index < planned.length; ) {
    const { record, action } = planned[index]!;
    if (action.kind === 'event') {
      // Consecutive events share PutEvents calls.
      const batch: typeof planned = [];
      while (batch.length < MAX_ENTRIES_PER_PUT && planned[index]?.action.kind === 'event') batch.push(planned[index++]!);
      try {
        await publishAll(
          deps.bus,
          batch.map((planned) => (planned.action as Extract<OutboxAction, { kind: 'event' }>).entry),
          { baseMs: 100, maxMs: 1000, maxAttempts: 4, ...deps.publishRetry, log: deps.log },
        );
        metrics.count('OutboxEventsPublished', batch.length);
      } catch (error) {
        deps.log.warn('outbox could not publish events; the batch will be retried from the first of them', errorFields(error));
        return failureAt(batch[0]!.record);
      }
      continue;
    }
    if (action.kind === 'park') {
      const fields = { ...recordFields(record), reason: action.reason };
      try {
        await deps.failures.send(parkedOutboxRecordBody(record, action.reason));
      } catch (error) {
        metrics.count('OutboxParkFailed');
        deps.log.error('outbox could not park a record that can never become a message; the batch will be retried from it', { ...fields, ...errorFields(error) });
        return failureAt(record);
      }
      metrics.count('OutboxRecordParked');
      deps.log.error('outbox record can never become a message (fails its schema); parked with its data in the outbox failures queue', fields);
      index++;
      continue;
    }
    try {
      if (action.kind === 'payout') await deps.payoutQueue.send(action.body);
      else await deps.invoiceCancelQueue.send(action.body);
      metrics.count(action.kind === 'payout' ? 'OutboxPayoutsQueued' : 'OutboxInvoiceCancelsQueued');
    } catch (error) {
      deps.log.warn('outbox could not enqueue a message; the batch will be retried from it', { kind: action.kind, ...errorFields(error) });
      return failureAt(record);
    }
    index++;
  }
  return { batchItemFailures: [] };
}

/** What the log may say about a record: where it is, never what it holds. */
function recordFields(record: DynamoDBRecord): Record<string, unknown> {
  const keys = record.dynamodb?.Keys ?? keysFromImage(record.dynamodb?.NewImage as AttributeMap | undefined);
  return {
    eventId: record.eventID,
    sequenceNumber: record.dynamodb?.SequenceNumber,
    pk: keys?.pk?.S,
    sk: keys?.sk?.S,
  };
}

function failureAt(record: DynamoDBRecord): DynamoDBBatchResponse {
  return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? record.eventID ?? '' }] };
}
