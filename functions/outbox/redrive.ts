import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { errorFields, type Log, silentLog } from '../lib/runtime/log';
import type { Queue, QueueMessage } from '../lib/queue/queue';
import type { Table } from '../lib/table/client';
import { Entity } from '../lib/table/keys';
import { WithdrawalStatus } from '../lib/withdrawals/withdrawal';
import { outboxActionFor, processOutboxRecords, type OutboxDeps } from './outbox';
import { parseOutboxFailure, refusalReason, tableKeyOf, type ParkedOutboxRecord, type StreamBatchFailure } from './parked-record';

export const OUTBOX_FAILURES_RUNBOOK = 'docs/RUNBOOK.md#outboxnotempty';

export interface OutboxRedriveDeps {
  /** The table, to read each parked record's CURRENT item by its keys. */
  table: Table;
  /** The outbox failures queue. */
  failures: Queue;
  /** Where a redriven record goes: the real payout queue, cancel queue and bus. Not used by a dry run. */
  outbox?: Pick<OutboxDeps, 'payoutQueue' | 'invoiceCancelQueue' | 'bus' | 'publishRetry'>;
  log?: Log;
}

export interface OutboxRedriveOptions {
  /** Read and classify only: send nothing, delete nothing. */
  dryRun: boolean;
  /** Delete stream batch descriptions after printing them (the operator has recorded them). */
  discardBatchDescriptions: boolean;
  /** Stop after this many messages. @default all */
  maxMessages?: number;
  /** Long poll of each receive (0 for the local queue, a second or two for SQS). */
  waitTimeSec: number;
  /** How long the run keeps received messages hidden while it works (they are made visible again at its end). @default 300 */
  visibilityTimeoutSec?: number;
}

/**
 * What happened to one message. Deleted: redriven, duplicate (an earlier message of this run
 * redrove the same item), already_handled (the withdrawal is no longer pending), discarded
 * (a batch description, with --discard-batch-descriptions). Everything else stays in the queue.
 */
export type RedriveOutcome =
  | 'redriven'
  | 'would_redrive'
  | 'duplicate'
  | 'already_handled'
  | 'not_carried'
  | 'still_failing'
  | 'send_failed'
  | 'item_gone'
  | 'no_key'
  | 'needs_operator'
  | 'discarded'
  | 'unrecognised'
  | 'error';

export interface RedriveLine {
  message_id: string;
  kind: 'outbox_record' | 'stream_batch' | 'unrecognised';
  outcome: RedriveOutcome;
  deleted: boolean;
  [field: string]: unknown;
}

export interface RedriveSummary {
  dry_run: boolean;
  received: number;
  deleted: number;
  left: number;
  outcomes: Partial<Record<RedriveOutcome, number>>;
}

const RECEIVE_BATCH = 10;

/**
 * `npm run admin -- outbox:redrive`: works through the outbox failures queue once.
 *
 * - A parked outbox record: the CURRENT item is read by its keys (the operator may have fixed
 *   it) and goes through the outbox's own processing as a new INSERT, to the real payout
 *   queue, cancel queue or bus. Sent: the message is deleted. Still failing, not sendable,
 *   or the item is gone: the message stays and the line says why.
 * - A stream batch description (Lambda gave up on a batch): it holds no data and cannot be
 *   replayed; it is printed with the runbook's pointer and stays, unless
 *   `discardBatchDescriptions`.
 *
 * Messages that stay are made visible again at the end of the run (so the alarm and the next
 * run see them at once); every receive counts towards the queue's maxReceiveCount (100), after
 * which a message moves to the queue's DLQ, alarmed too. One message's failure never stops the
 * others; downstream every consumer is idempotent, so a record sent twice is harmless.
 */
export async function redriveOutboxFailures(
  deps: OutboxRedriveDeps,
  options: OutboxRedriveOptions,
  report: (line: RedriveLine) => void,
): Promise<RedriveSummary> {
  if (!options.dryRun && !deps.outbox) throw new Error('a redrive that sends needs the payout queue, cancel queue and bus');
  const log = deps.log ?? silentLog;
  const visibilityTimeoutSec = options.visibilityTimeoutSec ?? 300;
  const summary: RedriveSummary = { dry_run: options.dryRun, received: 0, deleted: 0, left: 0, outcomes: {} };
  const seen = new Set<string>();
  /** Receipt handles of messages that stay, made visible again at the end. */
  const left = new Map<string, string>();
  /** Items redriven in this run (pk + sk): a second message for one of them is a duplicate. */
  const redriven = new Set<string>();

  const handle = async (message: QueueMessage): Promise<{ line: RedriveLine; remove: boolean }> => {
    const failure = parseOutboxFailure(message.body);
    const base = { message_id: message.id, receive_count: message.receiveCount };
    if (failure.kind === 'unrecognised') {
      return { line: { ...base, kind: 'unrecognised', outcome: 'unrecognised', problem: failure.problem, deleted: false }, remove: false };
    }
    if (failure.kind === 'stream_batch') {
      const remove = options.discardBatchDescriptions && !options.dryRun;
      return {
        line: { ...base, kind: 'stream_batch', outcome: remove ? 'discarded' : 'needs_operator', ...describeBatch(failure.batch), runbook: OUTBOX_FAILURES_RUNBOOK, deleted: false },
        remove,
      };
    }
    return handleParked(base, failure.parked);
  };

  const handleParked = async (base: { message_id: string; receive_count: number }, parked: ParkedOutboxRecord): Promise<{ line: RedriveLine; remove: boolean }> => {
    const key = tableKeyOf(parked);
    const about = { ...base, kind: 'outbox_record' as const, sequence_number: parked.record.dynamodb.SequenceNumber, parked_at: parked.parked_at, parked_reason: parked.reason };
    const line = (outcome: RedriveOutcome, fields: Record<string, unknown> = {}): RedriveLine => ({ ...about, ...('pk' in key ? { pk: key.pk, sk: key.sk } : {}), outcome, ...fields, deleted: false });
    if (!('pk' in key)) return { line: line('no_key', { problem: key.problem }), remove: false };
    const itemKey = `${key.pk}\u0000${key.sk}`;
    if (redriven.has(itemKey)) return { line: line('duplicate'), remove: !options.dryRun };

    const { Item: item } = await deps.table.doc.send(new GetCommand({ TableName: deps.table.name, Key: { pk: key.pk, sk: key.sk }, ConsistentRead: true }));
    if (!item) return { line: line('item_gone', { runbook: OUTBOX_FAILURES_RUNBOOK }), remove: false };
    const record: DynamoDBRecord = {
      eventID: `redrive-${base.message_id}`,
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      dynamodb: {
        Keys: marshall({ pk: key.pk, sk: key.sk }) as never,
        NewImage: marshall(item, { removeUndefinedValues: true }) as never,
        SequenceNumber: parked.record.dynamodb.SequenceNumber,
      },
    };
    const itemFields = { entity: item.entity, ...(item.entity === Entity.withdrawal ? { status: item.status } : {}) };

    let action: ReturnType<typeof outboxActionFor>;
    try {
      action = outboxActionFor(record);
    } catch (error) {
      return { line: line('still_failing', { ...itemFields, reason: refusalReason(error), runbook: OUTBOX_FAILURES_RUNBOOK }), remove: false };
    }
    if (!action) {
      // A withdrawal that moved on (in flight, paid, failed) needs nothing more from the outbox;
      // anything else the outbox does not carry (a pending withdrawal it would not send) stays.
      const handled = item.entity === Entity.withdrawal && item.status !== WithdrawalStatus.pending;
      return handled
        ? { line: line('already_handled', itemFields), remove: !options.dryRun }
        : { line: line('not_carried', { ...itemFields, problem: 'the current item is not something the outbox sends (check entity, internal, status)', runbook: OUTBOX_FAILURES_RUNBOOK }), remove: false };
    }
    if (options.dryRun) return { line: line('would_redrive', { ...itemFields, sends: action.kind }), remove: false };

    // The outbox's own processing, to the real queues and bus. A refusal is captured here, not
    // parked again: the message being redriven is still in the queue.
    const refusals: string[] = [];
    const capture: Queue = {
      name: 'redrive-refusals',
      send: async (body) => void refusals.push(body),
      receive: async () => [],
      delete: async () => {},
      changeVisibility: async () => {},
    };
    const result = await processOutboxRecords([record], { ...deps.outbox!, failures: capture, log });
    if (refusals.length > 0) {
      const refused = parseOutboxFailure(refusals[0]!);
      return { line: line('still_failing', { ...itemFields, reason: refused.kind === 'outbox_record' ? refused.parked.reason : 'refused', runbook: OUTBOX_FAILURES_RUNBOOK }), remove: false };
    }
    if (result.batchItemFailures.length > 0) {
      return { line: line('send_failed', { ...itemFields, sends: action.kind, problem: 'the payout queue, cancel queue or bus refused it; run again later' }), remove: false };
    }
    redriven.add(itemKey);
    return { line: line('redriven', { ...itemFields, sent: action.kind }), remove: true };
  };

  try {
    let done = false;
    while (!done) {
      const wanted = options.maxMessages === undefined ? RECEIVE_BATCH : Math.min(RECEIVE_BATCH, options.maxMessages - seen.size);
      if (wanted <= 0) break;
      const messages = await deps.failures.receive({ maxMessages: wanted, waitTimeSec: options.waitTimeSec, visibilityTimeoutSec });
      if (messages.length === 0) break;
      for (const message of messages) {
        if (seen.has(message.id)) {
          // Back again (the run outlasted the visibility timeout): every message has had its turn.
          left.set(message.id, message.receiptHandle);
          done = true;
          continue;
        }
        seen.add(message.id);
        summary.received++;
        let outcome: { line: RedriveLine; remove: boolean };
        try {
          outcome = await handle(message);
        } catch (error) {
          log.warn('outbox redrive: a message failed; it stays in the queue', { messageId: message.id, ...errorFields(error) });
          outcome = { line: { message_id: message.id, kind: 'outbox_record', outcome: 'error', ...errorFields(error), deleted: false }, remove: false };
        }
        if (outcome.remove) {
          try {
            await deps.failures.delete(message.receiptHandle);
            outcome.line.deleted = true;
          } catch (error) {
            // Sent but still queued: the next run sends it again, which every consumer absorbs.
            outcome.line.delete_error = errorFields(error).error;
          }
        }
        if (outcome.line.deleted) summary.deleted++;
        else left.set(message.id, message.receiptHandle);
        summary.outcomes[outcome.line.outcome] = (summary.outcomes[outcome.line.outcome] ?? 0) + 1;
        report(outcome.line);
      }
    }
  } finally {
    // What stays is visible again at once: for the alarm, and for the next run after a fix.
    for (const [id, receiptHandle] of left) {
      await deps.failures.changeVisibility(receiptHandle, 0).catch((error: unknown) => {
        log.warn('outbox redrive: a message stays hidden until its visibility timeout ends', { messageId: id, ...errorFields(error) });
      });
    }
    summary.left = left.size;
  }
  return summary;
}

function describeBatch(batch: StreamBatchFailure): Record<string, unknown> {
  const info = batch.DDBStreamBatchInfo;
  return {
    condition: batch.requestContext.condition,
    given_up_at: batch.timestamp,
    shard_id: info.shardId,
    start_sequence_number: info.startSequenceNumber,
    end_sequence_number: info.endSequenceNumber,
    first_record_at: info.approximateArrivalOfFirstRecord,
    last_record_at: info.approximateArrivalOfLastRecord,
    batch_size: info.batchSize,
    stream_arn: info.streamArn,
    function_arn: batch.requestContext.functionArn,
  };
}
