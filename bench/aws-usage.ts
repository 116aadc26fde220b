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
 * Main-table DynamoDB calls are priced from ConsumedCapacity (DynamoDB Local computes it
 * from item sizes, GSIs included) except TransactWriteItems, which DynamoDB Local counts
 * like standard writes without index writes: those are computed here (2 WRU per KB per
 * item, plus 1 WRU per KB for each GSI the item is in), sizing updated items by reading
 * them back once the transaction committed.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Table } from '../functions/lib/table/client';
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
const GSIS = ['gsi1', 'gsi2'] as const;

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
    wru: number;
    rru: number;
    conditionFailures: number;
    /** Write units by the kind of item written (its `entity`, else its key prefix), GSI writes included. */
    wruByItem: Record<string, number>;
  };
  sqs: Record<string, SqsRequests>;
  eventbridge: { putEventsCalls: number; events: number };
  lambda: Record<string, { invocations: number; totalMs: number }>;
  /** Requests through API Gateway (added by the scenario driver, which makes them). */
  apiRequests: number;
}

export function emptyUsage(): AwsUsage {
  return { dynamodb: { calls: {}, wru: 0, rru: 0, conditionFailures: 0, wruByItem: {} }, sqs: {}, eventbridge: { putEventsCalls: 0, events: 0 }, lambda: {}, apiRequests: 0 };
}

export function addUsage(into: AwsUsage, from: AwsUsage): AwsUsage {
  for (const [operation, count] of Object.entries(from.dynamodb.calls)) into.dynamodb.calls[operation] = (into.dynamodb.calls[operation] ?? 0) + count;
  into.dynamodb.wru += from.dynamodb.wru;
  into.dynamodb.rru += from.dynamodb.rru;
  into.dynamodb.conditionFailures += from.dynamodb.conditionFailures;
  for (const [kind, units] of Object.entries(from.dynamodb.wruByItem ?? {})) into.dynamodb.wruByItem[kind] = (into.dynamodb.wruByItem[kind] ?? 0) + units;
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

/** What an item is, for the write-unit breakdown: its entity, else the prefix of its partition key. */
function kindOf(item: Record<string, unknown>, key?: Record<string, unknown>): string {
  if (typeof item.entity === 'string') return item.entity;
  const pk = String(item.pk ?? key?.pk ?? '');
  return pk.split('#')[0]?.toLowerCase() || 'unknown';
}

const kb = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

function capacityUnits(consumed: unknown, tableName: string): number {
  const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
  return list.filter((entry: any) => entry?.TableName === tableName).reduce((total: number, entry: any) => total + (entry.CapacityUnits ?? 0), 0);
}

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
  /** How often the item-size model agreed with DynamoDB Local on a PutItem (a check of the model). */
  readonly sizeModelCheck = { agreed: 0, compared: 0 };
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
    const isWrite = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'].includes(call.operation);
    if (call.error) {
      // A refused condition still consumes capacity (at least 1 WRU per item; 2 in a transaction).
      if (call.error === 'ConditionalCheckFailedException') {
        db.conditionFailures++;
        db.wru += 1;
      } else if (call.error === 'TransactionCanceledException') {
        db.conditionFailures++;
        db.wru += 2 * (call.input.TransactItems?.length ?? 1);
      }
      return;
    }
    if (call.operation === 'TransactWriteItems') {
      this.pendingCount(
        this.transactionUnits(call.input.TransactItems ?? []).then((byKind) => {
          for (const [kind, units] of byKind) {
            db.wru += units;
            db.wruByItem[kind] = (db.wruByItem[kind] ?? 0) + units;
          }
        }),
      );
      return;
    }
    if (call.operation === 'TransactGetItems') {
      db.rru += 2 * capacityUnits(call.output?.ConsumedCapacity, this.options.mainTable);
      return;
    }
    const units = capacityUnits(call.output?.ConsumedCapacity, this.options.mainTable);
    if (isWrite) {
      db.wru += units;
      const kind = call.operation === 'BatchWriteItem' ? 'batch' : kindOf(plainItem(call.input.Item), plainItem(call.input.Key));
      db.wruByItem[kind] = (db.wruByItem[kind] ?? 0) + units;
      if (call.operation === 'PutItem' && units > 0) {
        const item = plainItem(call.input.Item);
        const size = kb(itemSizeBytes(item));
        const modelled = size + GSIS.filter((gsi) => item[`${gsi}pk`] !== undefined).length * size;
        this.sizeModelCheck.compared++;
        if (modelled === units) this.sizeModelCheck.agreed++;
      }
    } else {
      db.rru += units;
    }
  }

  private pendingCount(promise: Promise<void>): void {
    const tracked = promise.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  private async transactionUnits(items: any[]): Promise<Map<string, number>> {
    const byKind = new Map<string, number>();
    for (const entry of items) {
      const put = entry.Put;
      const update = entry.Update;
      const target = put ?? update ?? entry.Delete ?? entry.ConditionCheck;
      if (target?.TableName !== this.options.mainTable) continue;
      let item: Record<string, unknown> = {};
      if (put) item = plainItem(put.Item);
      else if (update && this.options.reader) item = await this.readBack(plainItem(update.Key));
      const size = put || (update && this.options.reader) ? kb(itemSizeBytes(item)) : 1;
      let units = 2 * size;
      if (!entry.ConditionCheck) {
        const expression = String(update?.UpdateExpression ?? '');
        for (const gsi of GSIS) {
          if (item[`${gsi}pk`] !== undefined || expression.includes(`${gsi}pk`)) units += size;
        }
      }
      const kind = kindOf(item, plainItem(target.Key));
      byKind.set(kind, (byKind.get(kind) ?? 0) + units);
    }
    return byKind;
  }

  private async readBack(key: Record<string, unknown>): Promise<Record<string, unknown>> {
    const reader = this.options.reader!;
    return UsageMeter.quiet.run(true, async () => {
      const { Item } = await reader.doc.send(new GetCommand({ TableName: this.options.mainTable, Key: key, ConsistentRead: true }));
      return (Item ?? {}) as Record<string, unknown>;
    });
  }
}
