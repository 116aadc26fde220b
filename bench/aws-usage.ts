/**
 * Turns the SDK calls of a local-stack run (bench/sdk-recorder.ts) into what AWS bills:
 * DynamoDB request units, SQS requests, EventBridge events, Lambda invocations and their
 * duration. The local stack's stand-ins live in DynamoDB Local's queue table, so every
 * call on that table is mapped by its shape to the AWS request it stands for (see
 * docs/COST.md, "Method"):
 *
 * | local call on the queue table                      | AWS                                        |
 * |----------------------------------------------------|--------------------------------------------|
 * | PutItem / BatchWriteItem to `bus-ingress`          | PutEvents (per ≤10 entries), 1 event/entry |
 * | claim (UpdateItem setting receipt_token) on a consumer queue | one Lambda invocation of that consumer (an upper bound: a batch can carry 10) |
 * | PutItem / BatchWriteItem to a real queue           | SendMessage / SendMessageBatch (≤10)       |
 * | claim on a real queue                              | ReceiveMessage (counted 1 per message: an upper bound) |
 * | DeleteItem with the receipt token                  | DeleteMessage                              |
 * | UpdateItem of visible_sk with the receipt token    | ChangeMessageVisibility                    |
 * | Query of the visible index, checkpoints, DLQ moves | nothing (polling artefacts, ESM, redrive)  |
 *
 * Main-table DynamoDB calls are priced from the `ConsumedCapacity` DynamoDB Local answers
 * (the recorder asks every call for ReturnConsumedCapacity=INDEXES), split by target (table,
 * gsi1, gsi2) and by item kind (consumed-capacity.ts). Two cases are not taken as answered,
 * each kept apart and labelled in docs/COST.md:
 * - TransactWriteItems: DynamoDB Local counts items of identical capacity once and bills
 *   the index writes at the transactional rate (AWS sums the items, and its 2x is the table's
 *   prepare and commit only): priced from the model, which is checked against Local's answer
 *   by computing that answer from the model's items (localTransactionAnswer);
 * - a Query or Scan that finds nothing: Local answers 0, AWS bills the minimum (model);
 * - refused conditions (ConditionalCheckFailed, TransactionCanceled): the error carries no
 *   ConsumedCapacity (nor does AWS's), so the item-size model's figure is used (1 WRU, 2 per
 *   item of a cancelled transaction).
 * The item-size model (sizes from the request, or for an update the item read back once the
 * write is done) is computed for every call beside the measurement, as a cross-check.
 * Calls on the local queue table stand for SQS and EventBridge: their own capacity is
 * counted apart and never billed as DynamoDB.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { appendFileSync } from 'node:fs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Table } from '../functions/lib/table/client';
import {
  addLedger,
  addShares,
  addUnits,
  INDEX_NAMES,
  kindOfItem,
  kindOfKey,
  localTransactionAnswer,
  readConsumedCapacity,
  readUnits,
  sameCapacity,
  splitMeasured,
  TABLE_TARGET,
  type Ledger,
  type Share,
} from './consumed-capacity';
import type { SdkCall } from './sdk-recorder';

/** Queues that are SQS queues in the template: the bridge's, the webhook deliveries, and the queue every bus rule feeds. */
export const REAL_QUEUES = ['payout', 'invoice-cancel', 'webhook-deliveries', 'settle-invoice', 'payout-result', 'webhook-fanout'] as const;
export const BUS_INGRESS = 'bus-ingress';
/** Queue-fed handlers of the local stack and the Lambda each stands for. */
export const HANDLER_QUEUES: Record<string, string> = {
  'settle-invoice': 'settle-invoice',
  'payout-result': 'payout-result',
  'webhook-fanout': 'webhook-fanout',
  'webhook-deliveries': 'webhook-delivery',
};
const OUTBOX_ENTITIES = new Set(['withdrawal', 'event', 'node_invoice_cancel']);

export interface SqsRequests {
  SendMessage: number;
  SendMessageBatch: number;
  ReceiveMessage: number;
  DeleteMessage: number;
  ChangeMessageVisibility: number;
}

export interface AwsUsage {
  dynamodb: {
    calls: Record<string, number>;
    /** What is priced: measured units plus the labelled fallbacks. */
    wru: number;
    rru: number;
    conditionFailures: number;
    /** From the answers' ConsumedCapacity, by item kind and target (index writes of transactions halved, see above). */
    measured: Ledger;
    /** From the item-size model where DynamoDB Local answers no capacity (refused conditions). */
    fallback: Ledger;
    /** The item-size model for every call: the cross-check. */
    model: Ledger;
    /**
     * TransactWriteItems on the main table: priced from the model (in `fallback`); `confirmed`
     * counts those whose DynamoDB Local answer is exactly what the model's items predict
     * under Local's way of answering; `localWru` is what Local answered.
     */
    transactions: { calls: number; confirmed: number; localWru: number };
    /** Successful calls whose ConsumedCapacity is missing or not AWS's (their model figure went to `fallback`), by why. */
    unanswered: Record<string, number>;
  };
  /** The local queue table (SQS/EventBridge stand-in): its own DynamoDB Local capacity, never billed as DynamoDB. */
  queueTable: { calls: Record<string, number>; wru: number; rru: number };
  /** DynamoDB Streams calls (the outbox's event source mapping in AWS: stream reads by Lambda are free). */
  streams: Record<string, number>;
  sqs: Record<string, SqsRequests>;
  eventbridge: { putEventsCalls: number; events: number };
  lambda: Record<string, { invocations: number; totalMs: number }>;
  /** Requests through API Gateway (added by the scenario driver, which makes them). */
  apiRequests: number;
}

export function emptyUsage(): AwsUsage {
  return {
    dynamodb: { calls: {}, wru: 0, rru: 0, conditionFailures: 0, measured: {}, fallback: {}, model: {}, transactions: { calls: 0, confirmed: 0, localWru: 0 }, unanswered: {} },
    queueTable: { calls: {}, wru: 0, rru: 0 },
    streams: {},
    sqs: {},
    eventbridge: { putEventsCalls: 0, events: 0 },
    lambda: {},
    apiRequests: 0,
  };
}

const addCounts = (into: Record<string, number>, from: Record<string, number> | undefined) => {
  for (const [name, n] of Object.entries(from ?? {})) into[name] = (into[name] ?? 0) + n;
};

export function addUsage(into: AwsUsage, from: AwsUsage): AwsUsage {
  const db = into.dynamodb;
  addCounts(db.calls, from.dynamodb.calls);
  db.wru += from.dynamodb.wru;
  db.rru += from.dynamodb.rru;
  db.conditionFailures += from.dynamodb.conditionFailures;
  addLedger(db.measured, from.dynamodb.measured);
  addLedger(db.fallback, from.dynamodb.fallback);
  addLedger(db.model, from.dynamodb.model);
  for (const key of ['calls', 'confirmed', 'localWru'] as const) db.transactions[key] += from.dynamodb.transactions?.[key] ?? 0;
  addCounts(db.unanswered, from.dynamodb.unanswered);
  addCounts(into.queueTable.calls, from.queueTable?.calls);
  into.queueTable.wru += from.queueTable?.wru ?? 0;
  into.queueTable.rru += from.queueTable?.rru ?? 0;
  addCounts(into.streams, from.streams);
  for (const [queue, requests] of Object.entries(from.sqs)) {
    const target = (into.sqs[queue] ??= emptySqs());
    for (const key of Object.keys(requests) as Array<keyof SqsRequests>) target[key] += requests[key];
  }
  into.eventbridge.putEventsCalls += from.eventbridge.putEventsCalls;
  into.eventbridge.events += from.eventbridge.events;
  for (const [name, lambda] of Object.entries(from.lambda)) {
    const target = (into.lambda[name] ??= { invocations: 0, totalMs: 0 });
    target.invocations += lambda.invocations;
    target.totalMs += lambda.totalMs;
  }
  into.apiRequests += from.apiRequests;
  return into;
}

export function subtractUsage(after: AwsUsage, before: AwsUsage): AwsUsage {
  const negated = JSON.parse(JSON.stringify(before), (_key, value) => (typeof value === 'number' ? -value : value)) as AwsUsage;
  return addUsage(addUsage(emptyUsage(), after), negated);
}

function emptySqs(): SqsRequests {
  return { SendMessage: 0, SendMessageBatch: 0, ReceiveMessage: 0, DeleteMessage: 0, ChangeMessageVisibility: 0 };
}

/** An attribute value from either a document-client input (plain) or a raw one ({S: ...}). */
function plain(value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.keys(value);
    if (entries.length === 1 && ['S', 'N', 'BOOL', 'NULL', 'M', 'L', 'B', 'SS', 'NS', 'BS'].includes(entries[0]!)) {
      return unmarshall({ v: value } as never).v;
    }
  }
  return value;
}

function plainItem(item: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!item) return {};
  return Object.fromEntries(Object.entries(item).map(([name, value]) => [name, plain(value)]));
}

/** DynamoDB's item size rules: attribute names plus values (strings in UTF-8, numbers ~1 byte per 2 digits + 1). */
export function itemSizeBytes(item: Record<string, unknown>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    size += Buffer.byteLength(name, 'utf8') + valueSize(value);
  }
  return size;
}

function valueSize(value: unknown): number {
  if (value === null) return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number' || typeof value === 'bigint') {
    const digits = String(value).replace(/[-.]|e.*$/gi, '').replace(/^0+/, '').length;
    return Math.ceil(Math.max(1, digits) / 2) + 1;
  }
  if (typeof value === 'boolean') return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((total: number, element) => total + valueSize(element), 0);
  if (Array.isArray(value)) return 3 + value.reduce((total: number, element) => total + 1 + valueSize(element), 0);
  if (typeof value === 'object') {
    return 3 + Object.entries(value as Record<string, unknown>).reduce((total, [name, element]) => total + 1 + Buffer.byteLength(name, 'utf8') + valueSize(element), 0);
  }
  return 0;
}

/** BENCH_CAPACITY_TRACE=<file>: one JSON line per main-table call (input, measured, model shares), to see where the two differ. */
const TRACE_FILE = process.env.BENCH_CAPACITY_TRACE;
const WRITE_OPERATIONS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const kb = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

/** The tables a DynamoDB call touches. */
export function tablesOf(call: SdkCall): string[] {
  if (call.operation === 'BatchWriteItem' || call.operation === 'BatchGetItem') return Object.keys(call.input.RequestItems ?? {});
  if (call.operation === 'TransactWriteItems' || call.operation === 'TransactGetItems') {
    return (call.input.TransactItems ?? []).map((item: any) => (item.Put ?? item.Update ?? item.Delete ?? item.ConditionCheck ?? item.Get)?.TableName);
  }
  return typeof call.input.TableName === 'string' ? [call.input.TableName] : [];
}

const queueOf = (pk: unknown): string | undefined => (typeof pk === 'string' && pk.startsWith('QUEUE#') ? pk.slice('QUEUE#'.length) : undefined);

export interface UsageMeterOptions {
  mainTable: string;
  queueTable: string;
  /** Reads an item of the main table after a transaction, without being recorded; omit to size updates at 1 KB. */
  reader?: Table;
}

/** Feeds on SdkCalls (one process's) and keeps an AwsUsage of them. */
export class UsageMeter {
  readonly usage: AwsUsage = emptyUsage();
  private readonly claimedAt = new Map<string, number>();
  private readonly outboxBatches = new Map<string, number>();
  private readonly pending = new Set<Promise<void>>();
  private static readonly quiet = new AsyncLocalStorage<boolean>();

  constructor(private readonly options: UsageMeterOptions) {}

  /** Calls made while the meter reads back items do not count. */
  static isQuiet(): boolean {
    return UsageMeter.quiet.getStore() === true;
  }

  record(call: SdkCall): void {
    if (UsageMeter.isQuiet()) return;
    if (call.service === 'dynamodb-streams') return this.recordStream(call);
    if (call.service !== 'dynamodb') return;
    const tables = tablesOf(call);
    if (tables.includes(this.options.queueTable)) this.recordQueueCall(call);
    if (tables.includes(this.options.mainTable)) this.recordTableCall(call);
  }

  /** Resolves when every read-back has been counted. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private lambda(name: string) {
    return (this.usage.lambda[name] ??= { invocations: 0, totalMs: 0 });
  }

  private sqs(queue: string): SqsRequests {
    return (this.usage.sqs[queue] ??= emptySqs());
  }

  private recordQueueCall(call: SdkCall): void {
    // Its own DynamoDB Local capacity, reported apart: in AWS these calls are SQS and EventBridge requests.
    const queueTable = this.usage.queueTable;
    queueTable.calls[call.operation] = (queueTable.calls[call.operation] ?? 0) + 1;
    const consumed = readConsumedCapacity(call.output?.ConsumedCapacity, this.options.queueTable);
    if (consumed) {
      const n = consumed.table + Object.values(consumed.indexes).reduce((a, b) => a + b, 0);
      if (WRITE_OPERATIONS.has(call.operation)) queueTable.wru += n;
      else queueTable.rru += n;
    }
    if (call.error) return;
    const input = call.input;
    const endedAt = call.startedAtMs + call.durationMs;
    switch (call.operation) {
      case 'PutItem': {
        const item = plainItem(input.Item);
        if (String(item.pk).startsWith('STREAM_CHECKPOINT#')) {
          // The stream poller's checkpoint: the outbox has returned from the batch that ends there.
          this.noteCheckpoint(String(item.sequence_number), call.startedAtMs);
          return;
        }
        const queue = queueOf(item.pk);
        if (queue) this.sent(queue, 1);
        return;
      }
      case 'BatchWriteItem': {
        const requests = (input.RequestItems?.[this.options.queueTable] ?? []) as any[];
        const byQueue = new Map<string, number>();
        for (const request of requests) {
          const queue = queueOf(plain(request.PutRequest?.Item?.pk));
          if (queue) byQueue.set(queue, (byQueue.get(queue) ?? 0) + 1);
        }
        for (const [queue, count] of byQueue) this.sent(queue, count, true);
        return;
      }
      case 'UpdateItem': {
        const queue = queueOf(plain(input.Key?.pk));
        if (!queue) return;
        const expression = String(input.UpdateExpression ?? '');
        if (expression.includes('receipt_token = :token')) {
          // A claim: the message was received.
          if (REAL_QUEUES.some((name) => queue === name || queue === `${name}-dlq`)) this.sqs(queue).ReceiveMessage++;
          const handler = HANDLER_QUEUES[queue];
          if (handler) {
            this.lambda(handler).invocations++;
            this.claimedAt.set(`${queue}/${String(plain(input.Key?.sk))}`, endedAt);
          }
        } else if (expression.startsWith('SET visible_sk')) {
          if (REAL_QUEUES.some((name) => queue === name || queue === `${name}-dlq`)) this.sqs(queue).ChangeMessageVisibility++;
          this.handlerDone(queue, input.Key?.sk, endedAt);
        }
        return;
      }
      case 'DeleteItem': {
        const queue = queueOf(plain(input.Key?.pk));
        if (!queue) return;
        if (REAL_QUEUES.some((name) => queue === name || queue === `${name}-dlq`)) this.sqs(queue).DeleteMessage++;
        this.handlerDone(queue, input.Key?.sk, endedAt);
        return;
      }
    }
  }

  private sent(queue: string, count: number, batch = false): void {
    if (queue === BUS_INGRESS) {
      this.usage.eventbridge.putEventsCalls += Math.ceil(count / 10);
      this.usage.eventbridge.events += count;
      return;
    }
    if (!REAL_QUEUES.some((name) => queue === name || queue === `${name}-dlq`)) return;
    if (batch && count > 1) this.sqs(queue).SendMessageBatch += Math.ceil(count / 10);
    else this.sqs(queue).SendMessage += count;
  }

  private handlerDone(queue: string, sk: unknown, endedAt: number): void {
    const key = `${queue}/${String(plain(sk))}`;
    const started = this.claimedAt.get(key);
    if (started === undefined) return;
    this.claimedAt.delete(key);
    this.lambda(HANDLER_QUEUES[queue]!).totalMs += endedAt - started;
  }

  /** GetRecords pages with something for the outbox are its invocations; the checkpoint after it ends the invocation. */
  private recordStream(call: SdkCall): void {
    this.usage.streams[call.operation] = (this.usage.streams[call.operation] ?? 0) + 1;
    if (call.operation !== 'GetRecords' || call.error) return;
    const records = (call.output?.Records ?? []) as any[];
    const matching = records.filter((record) => record.eventName === 'INSERT' && OUTBOX_ENTITIES.has(record.dynamodb?.NewImage?.entity?.S));
    if (matching.length === 0) return;
    const outbox = this.lambda('outbox');
    outbox.invocations++;
    // The invocation lasts until the poller checkpoints this page's last record.
    const last = records.at(-1)?.dynamodb?.SequenceNumber as string | undefined;
    if (last) this.outboxBatches.set(last, call.startedAtMs + call.durationMs);
  }

  /** The poller writes its checkpoint (the last sequence number) when the outbox returned. */
  private noteCheckpoint(sequenceNumber: string, atMs: number): void {
    const started = this.outboxBatches.get(sequenceNumber);
    if (started === undefined) return;
    this.outboxBatches.delete(sequenceNumber);
    this.lambda('outbox').totalMs += atMs - started;
  }

  private recordTableCall(call: SdkCall): void {
    const db = this.usage.dynamodb;
    db.calls[call.operation] = (db.calls[call.operation] ?? 0) + 1;
    const write = WRITE_OPERATIONS.has(call.operation);
    if (call.error) {
      // A refused condition still consumes capacity, but the error carries no ConsumedCapacity
      // (neither DynamoDB Local's nor AWS's): the model's lower bound, kept apart as a fallback.
      const kinds =
        call.error === 'ConditionalCheckFailedException'
          ? [{ kind: this.kindOfRequest(call.input), units: 1 }]
          : call.error === 'TransactionCanceledException'
            ? (call.input.TransactItems ?? [])
                .map((entry: any) => entry.Put ?? entry.Update ?? entry.Delete ?? entry.ConditionCheck)
                .filter((target: any) => target?.TableName === this.options.mainTable)
                .map((target: any) => ({ kind: this.kindOfRequest(target), units: 2 }))
            : [];
      if (kinds.length === 0) return;
      db.conditionFailures++;
      for (const { kind, units } of kinds) {
        addUnits(db.fallback, `${kind} (refused condition)`, TABLE_TARGET, { wru: units });
        addUnits(db.model, `${kind} (refused condition)`, TABLE_TARGET, { wru: units });
        db.wru += units;
      }
      return;
    }
    const measured = readConsumedCapacity(call.output?.ConsumedCapacity, this.options.mainTable);
    this.pendingCount(
      this.modelShares(call).then((shares) => {
        const unit = write ? 'wru' : 'rru';
        if (TRACE_FILE) appendFileSync(TRACE_FILE, `${JSON.stringify({ operation: call.operation, input: call.input, measured, shares })}\n`);
        addShares(db.model, shares, unit);
        if (measured && call.operation === 'TransactWriteItems') {
          // DynamoDB Local's answer is not AWS's here (see localTransactionAnswer): price the
          // model, and check it against the answer by computing that answer from the model's items.
          const tx = db.transactions;
          const expected = localTransactionAnswer(shares);
          tx.calls++;
          tx.localWru += measured.table + Object.values(measured.indexes).reduce((a, b) => a + b, 0);
          if (sameCapacity(expected, measured)) tx.confirmed++;
          addShares(db.fallback, shares, unit);
          db.wru += shares.reduce((total, share) => total + share.table + Object.values(share.indexes).reduce((a, b) => a + b, 0), 0);
        } else if (measured && (call.operation === 'Query' || call.operation === 'Scan') && measured.table + Object.values(measured.indexes).reduce((a, b) => a + b, 0) === 0) {
          // DynamoDB Local answers 0 for a query that finds nothing; AWS bills the 0.5 (or 1) minimum.
          db.unanswered[`${call.operation} finding nothing, answered 0`] = (db.unanswered[`${call.operation} finding nothing, answered 0`] ?? 0) + 1;
          addShares(db.fallback, shares, unit);
          db[unit] += shares.reduce((total, share) => total + share.table + Object.values(share.indexes).reduce((a, b) => a + b, 0), 0);
        } else if (measured) {
          splitMeasured(measured, shares, unit, db.measured);
          db[unit] += measured.table + Object.values(measured.indexes).reduce((a, b) => a + b, 0);
        } else {
          db.unanswered[call.operation] = (db.unanswered[call.operation] ?? 0) + 1;
          addShares(db.fallback, shares, unit);
          db[unit] += shares.reduce((total, share) => total + share.table + Object.values(share.indexes).reduce((a, b) => a + b, 0), 0);
        }
      }),
    );
  }

  private kindOfRequest(request: any): string {
    return kindOfItem(request?.Item ? plainItem(request.Item) : undefined, plainItem(request?.Key));
  }

  private pendingCount(promise: Promise<void>): void {
    const tracked = promise.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /**
   * The item-size model of one successful call, item by item: writes 1 unit per KB on the
   * table and on each index the item is in (or whose key the update names), the table's
   * doubled in a transaction; reads 1 unit per 4 KB returned, halved when eventually consistent.
   */
  private async modelShares(call: SdkCall): Promise<Share[]> {
    const input = call.input;
    const output = call.output ?? {};
    const main = this.options.mainTable;
    switch (call.operation) {
      case 'PutItem':
        return [this.writeShare(plainItem(input.Item), plainItem(input.Item), '')];
      case 'UpdateItem':
      case 'DeleteItem': {
        const key = plainItem(input.Key);
        const item = output.Attributes ? plainItem(output.Attributes) : call.operation === 'UpdateItem' ? await this.readBack(key) : {};
        return [this.writeShare(item, key, String(input.UpdateExpression ?? ''))];
      }
      case 'BatchWriteItem':
        return ((input.RequestItems?.[main] ?? []) as any[]).map((request) =>
          request.PutRequest ? this.writeShare(plainItem(request.PutRequest.Item), plainItem(request.PutRequest.Item), '') : this.writeShare({}, plainItem(request.DeleteRequest?.Key), ''),
        );
      case 'TransactWriteItems': {
        const shares: Share[] = [];
        for (const entry of (input.TransactItems ?? []) as any[]) {
          const target = entry.Put ?? entry.Update ?? entry.Delete ?? entry.ConditionCheck;
          if (target?.TableName !== main) continue;
          const key = plainItem(target.Key ?? target.Item);
          const item = entry.Put ? plainItem(entry.Put.Item) : entry.Update ? await this.readBack(key) : {};
          const share = this.writeShare(item, key, String(entry.Update?.UpdateExpression ?? ''));
          share.table *= 2;
          // A condition check writes nothing to the indexes.
          if (entry.ConditionCheck) share.indexes = {};
          shares.push(share);
        }
        return shares;
      }
      case 'GetItem': {
        const key = plainItem(input.Key);
        const item = output.Item ? plainItem(output.Item) : undefined;
        return [{ kind: kindOfItem(item, key), table: readUnits(item ? itemSizeBytes(item) : 0, { consistent: input.ConsistentRead === true }), indexes: {} }];
      }
      case 'TransactGetItems':
        return ((input.TransactItems ?? []) as any[])
          .map((entry, i) => ({ get: entry.Get, item: output.Responses?.[i]?.Item }))
          .filter(({ get }) => get?.TableName === main)
          .map(({ get, item }) => {
            const plainResult = item ? plainItem(item) : undefined;
            return { kind: kindOfItem(plainResult, plainItem(get.Key)), table: readUnits(plainResult ? itemSizeBytes(plainResult) : 0, { transactional: true }), indexes: {} };
          });
      case 'BatchGetItem': {
        const consistent = input.RequestItems?.[main]?.ConsistentRead === true;
        return ((output.Responses?.[main] ?? []) as any[]).map((raw) => {
          const item = plainItem(raw);
          return { kind: kindOfItem(item), table: readUnits(itemSizeBytes(item), { consistent }), indexes: {} };
        });
      }
      case 'Query':
      case 'Scan': {
        const items = ((output.Items ?? []) as any[]).map((raw) => plainItem(raw));
        const bytes = items.reduce((total, item) => total + itemSizeBytes(item), 0);
        const n = readUnits(bytes, { consistent: input.ConsistentRead === true });
        const index = typeof input.IndexName === 'string' ? input.IndexName : undefined;
        return [{ kind: this.kindOfRead(items, input), table: index ? 0 : n, indexes: index ? { [index]: n } : {} }];
      }
      default:
        return [];
    }
  }

  private writeShare(item: Record<string, unknown>, key: Record<string, unknown>, expression: string): Share {
    const size = Object.keys(item).length > 0 ? kb(itemSizeBytes(item)) : 1;
    const indexes: Record<string, number> = {};
    for (const index of INDEX_NAMES) {
      if (item[`${index}pk`] !== undefined || expression.includes(`${index}pk`)) indexes[index] = size;
    }
    return { kind: kindOfItem(Object.keys(item).length > 0 ? item : undefined, key), table: size, indexes };
  }

  /** A query's kind: the entity of what it returned, else what its key condition names. */
  private kindOfRead(items: Record<string, unknown>[], input: Record<string, any>): string {
    const kinds = new Set(items.map((item) => kindOfItem(item)));
    if (kinds.size === 1) return [...kinds][0]!;
    if (kinds.size > 1) return [...kinds].sort().join('+');
    const values = plainItem(input.ExpressionAttributeValues);
    const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
    const condition = String(input.KeyConditionExpression ?? '');
    const key: Record<string, unknown> = {};
    for (const match of condition.matchAll(/(#?\w+)\s*=\s*(:\w+)|begins_with\(\s*(#?\w+)\s*,\s*(:\w+)\s*\)/g)) {
      const name = match[1] ?? match[3]!;
      const value = values[match[2] ?? match[4]!];
      key[names[name] ?? name] = value;
    }
    return `${kindOfKey(key)} (none found)`;
  }

  private async readBack(key: Record<string, unknown>): Promise<Record<string, unknown>> {
    const reader = this.options.reader;
    // Without a reader the model sizes the item at 1 KB and finds it in no index.
    if (!reader) return {};
    return UsageMeter.quiet.run(true, async () => {
      const { Item } = await reader.doc.send(new GetCommand({ TableName: this.options.mainTable, Key: key, ConsistentRead: true }));
      return (Item ?? {}) as Record<string, unknown>;
    });
  }
}
