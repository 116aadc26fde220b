import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DeleteCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../../../functions/lib/table/client';
import { sleep } from '../../../functions/lib/runtime/backoff';
import { systemTime, type TimeSource } from '../../../functions/lib/runtime/clock';
import type { Queue, QueueMessage, ReceiveOptions, SendOptions } from '../../../functions/lib/queue/queue';
import { queryAll } from '../../../functions/lib/table/query-all';

/**
 * The local stand-in for SQS: one item per message in a DynamoDB (Local) table of its own,
 * so every process of the local stack shares the queues and they survive restarts. The
 * semantics that matter are SQS's: a received message is hidden for its visibility
 * timeout and comes back if it is not deleted; every receive counts; a message received
 * `maxReceiveCount` times without being deleted moves to `<name>-dlq` on the next receive.
 *
 * Items: pk `QUEUE#<name>`, sk = message id (time-sortable), `visible_sk` =
 * `<visible-at ms, 15 digits>#<id>` (the `visible` index: receive = query what is visible
 * now, then claim each with a conditional write, so two consumers never both get it).
 *
 * Time: what the queue promises (visibility, delays, the long poll's wait, the time in a
 * message id) follows its time source; how often it looks again (the poll interval) is
 * real time, a matter of load on DynamoDB Local, so a test that advances a manual time
 * source sees the outcome at the next poll.
 */
export const LOCAL_QUEUE_VISIBLE_INDEX = 'visible';

export const DEAD_LETTER_SUFFIX = '-dlq';

/** The local queue that stands for a queue named in infra/delivery.ts (`asyncInvokeFailures` → `async-invoke-failures`). */
export function localQueueName(deliveryName: string): string {
  return deliveryName.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

export interface LocalQueueOptions {
  /** Used when receive() does not say. @default 30 */
  defaultVisibilityTimeoutSec?: number;
  /** Receives before the message moves to `<name>-dlq`. @default never */
  maxReceiveCount?: number;
  /**
   * How often a long poll looks again when nothing arrived in-process. While the queue
   * stays empty the pause grows to 4x this, and drops back as soon as messages come.
   * @default 100
   */
  pollIntervalMs?: number;
  /** Where the queue learns the time. @default the system clock */
  time?: TimeSource;
}

export interface LocalQueueItem {
  pk: string;
  sk: string;
  visible_sk: string;
  body: string;
  receive_count: number;
  receipt_token?: string;
  sent_at: string;
  /** On a dead letter: the queue it came from and when. */
  dead_lettered_from?: string;
  dead_lettered_at?: string;
}

/** changeVisibility with a receipt handle that is no longer current (the message was received again or deleted). */
export class ReceiptHandleInvalidError extends Error {
  constructor(queueName: string) {
    super(`queue ${queueName}: the receipt handle is no longer valid`);
    this.name = 'ReceiptHandleInvalidError';
  }
}

// Wakes long polls of this process at once when this process sends; other processes' sends
// are seen at the next poll.
const sends = new EventEmitter();
sends.setMaxListeners(0);
// Sends per queue in this process, so a send that lands while a receive is querying is not missed.
const sendCounts = new Map<string, number>();
function announceSend(wakeKey: string): void {
  sendCounts.set(wakeKey, (sendCounts.get(wakeKey) ?? 0) + 1);
  sends.emit(wakeKey);
}

/** SQS's limits, applied as the SQS adapter applies them (functions/lib/queue/sqs-queue.ts clamps the delay). */
const MAX_DELAY_SEC = 900;
const MAX_VISIBILITY_TIMEOUT_SEC = 12 * 60 * 60;

const queuePk = (name: string) => `QUEUE#${name}`;
const padMs = (ms: number) => String(Math.max(0, Math.floor(ms))).padStart(15, '0');
const visibleSk = (visibleAtMs: number, id: string) => `${padMs(visibleAtMs)}#${id}`;
const newMessageId = (nowMs: number) => `${padMs(nowMs)}-${randomBytes(8).toString('hex')}`;

export class LocalQueue implements Queue {
  /** The time this queue keeps; the event sources and the bus built on it keep the same. */
  readonly time: TimeSource;
  private readonly pk: string;
  private readonly defaultVisibilityMs: number;
  private readonly pollIntervalMs: number;
  private readonly wakeKey: string;
  private emptyPolls = 0;

  constructor(
    private readonly table: Table,
    readonly name: string,
    private readonly options: LocalQueueOptions = {},
  ) {
    this.pk = queuePk(name);
    this.defaultVisibilityMs = (options.defaultVisibilityTimeoutSec ?? 30) * 1000;
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.wakeKey = `${table.name}/${name}`;
    this.time = options.time ?? systemTime;
  }

  get deadLetterQueueName(): string {
    return `${this.name}${DEAD_LETTER_SUFFIX}`;
  }

  async send(body: string, options: SendOptions = {}): Promise<void> {
    const delaySec = Math.min(MAX_DELAY_SEC, Math.max(0, options.delaySec ?? 0));
    await this.table.doc.send(new PutCommand({ TableName: this.table.name, Item: this.newItem(body, delaySec) }));
    announceSend(this.wakeKey);
  }

  /** Several messages in as few writes as DynamoDB allows (25 per batch). */
  async sendBatch(bodies: string[]): Promise<void> {
    for (let start = 0; start < bodies.length; start += 25) {
      let requests = bodies.slice(start, start + 25).map((body) => ({ PutRequest: { Item: this.newItem(body, 0) } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        const result = await this.table.doc.send(new BatchWriteCommand({ RequestItems: { [this.table.name]: requests } }));
        requests = (result.UnprocessedItems?.[this.table.name] ?? []) as typeof requests;
        // DynamoDB Local throttled: pacing in real time, not something SQS promises.
        if (requests.length > 0) await sleep(Math.min(1000, 20 * 2 ** attempt));
      }
    }
    if (bodies.length > 0) announceSend(this.wakeKey);
  }

  async receive(options: ReceiveOptions): Promise<QueueMessage[]> {
    const maxMessages = Math.max(1, Math.min(10, options.maxMessages));
    if (options.visibilityTimeoutSec !== undefined && options.visibilityTimeoutSec > MAX_VISIBILITY_TIMEOUT_SEC) {
      throw new RangeError(`queue ${this.name}: a visibility timeout is at most ${MAX_VISIBILITY_TIMEOUT_SEC} s (SQS), got ${options.visibilityTimeoutSec}`);
    }
    const visibilityMs = options.visibilityTimeoutSec !== undefined ? options.visibilityTimeoutSec * 1000 : this.defaultVisibilityMs;
    const deadline = this.nowMs() + options.waitTimeSec * 1000;
    for (;;) {
      if (options.signal?.aborted) return [];
      const sendsBefore = sendCounts.get(this.wakeKey) ?? 0;
      const messages = await this.receiveVisible(maxMessages, visibilityMs);
      if (messages.length > 0) {
        this.emptyPolls = 0;
        return messages;
      }
      const remainingMs = deadline - this.nowMs();
      if (remainingMs <= 0) return [];
      if ((sendCounts.get(this.wakeKey) ?? 0) !== sendsBefore) continue;
      this.emptyPolls = Math.min(this.emptyPolls + 1, 30);
      const pauseMs = this.pollIntervalMs * (1 + Math.floor(this.emptyPolls / 10));
      await this.waitForSend(Math.min(remainingMs, pauseMs), options.signal);
    }
  }

  /** A receipt handle that is no longer current deletes nothing, as with SQS: the newer receiver owns the message. */
  async delete(receiptHandle: string): Promise<void> {
    const { id, token } = parseReceiptHandle(receiptHandle);
    try {
      await this.table.doc.send(
        new DeleteCommand({
          TableName: this.table.name,
          Key: { pk: this.pk, sk: id },
          ConditionExpression: 'receipt_token = :token',
          ExpressionAttributeValues: { ':token': token },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async changeVisibility(receiptHandle: string, visibilityTimeoutSec: number): Promise<void> {
    if (visibilityTimeoutSec > MAX_VISIBILITY_TIMEOUT_SEC) {
      throw new RangeError(`queue ${this.name}: a visibility timeout is at most ${MAX_VISIBILITY_TIMEOUT_SEC} s (SQS), got ${visibilityTimeoutSec}`);
    }
    const { id, token } = parseReceiptHandle(receiptHandle);
    try {
      await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: { pk: this.pk, sk: id },
          UpdateExpression: 'SET visible_sk = :visibleSk',
          ConditionExpression: 'receipt_token = :token',
          ExpressionAttributeValues: { ':token': token, ':visibleSk': visibleSk(this.nowMs() + visibilityTimeoutSec * 1000, id) },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new ReceiptHandleInvalidError(this.name);
      throw error;
    }
    if (visibilityTimeoutSec <= 0) announceSend(this.wakeKey);
  }

  /** Every message still in the queue, visible or not (tests and operators inspect with it). */
  async peekAll(): Promise<LocalQueueItem[]> {
    return queryAll<LocalQueueItem>(this.table, {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': this.pk },
      ConsistentRead: true,
    });
  }

  private nowMs(): number {
    return this.time.now().getTime();
  }

  private newItem(body: string, delaySec: number): LocalQueueItem {
    const sentAtMs = this.nowMs();
    const id = newMessageId(sentAtMs);
    return {
      pk: this.pk,
      sk: id,
      visible_sk: visibleSk(sentAtMs + delaySec * 1000, id),
      body,
      receive_count: 0,
      sent_at: new Date(sentAtMs).toISOString(),
    };
  }

  private async receiveVisible(maxMessages: number, visibilityMs: number): Promise<QueueMessage[]> {
    const now = this.nowMs();
    const { Items = [] } = await this.table.doc.send(
      new QueryCommand({
        TableName: this.table.name,
        IndexName: LOCAL_QUEUE_VISIBLE_INDEX,
        KeyConditionExpression: 'pk = :pk AND visible_sk <= :now',
        ExpressionAttributeValues: { ':pk': this.pk, ':now': `${padMs(now)}#~` },
        Limit: maxMessages * 3,
      }),
    );
    const candidates: LocalQueueItem[] = [];
    for (const candidate of Items as LocalQueueItem[]) {
      if (this.options.maxReceiveCount !== undefined && candidate.receive_count >= this.options.maxReceiveCount) {
        await this.moveToDeadLetterQueue(candidate);
        continue;
      }
      if (candidates.length < maxMessages) candidates.push(candidate);
    }
    // Claimed side by side; a candidate another consumer won is simply not ours.
    const claimed = await Promise.all(candidates.map((candidate) => this.claim(candidate, visibilityMs)));
    return claimed.filter((message): message is QueueMessage => message !== undefined);
  }

  /** The conditional write that makes a receive exclusive: only the consumer that saw this visibility wins. */
  private async claim(candidate: LocalQueueItem, visibilityMs: number): Promise<QueueMessage | undefined> {
    const token = randomBytes(12).toString('hex');
    // The timeout runs from the hand-out, not from the query before it (slow under load).
    const hiddenUntilMs = this.nowMs() + visibilityMs;
    try {
      const { Attributes } = await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: { pk: this.pk, sk: candidate.sk },
          UpdateExpression: 'SET visible_sk = :hidden, receipt_token = :token, receive_count = receive_count + :one',
          ConditionExpression: 'visible_sk = :seen',
          ExpressionAttributeValues: {
            ':hidden': visibleSk(hiddenUntilMs, candidate.sk),
            ':token': token,
            ':one': 1,
            ':seen': candidate.visible_sk,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const item = Attributes as LocalQueueItem;
      return { id: item.sk, body: item.body, receiptHandle: `${item.sk}.${token}`, receiveCount: item.receive_count };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  private async moveToDeadLetterQueue(candidate: LocalQueueItem): Promise<void> {
    const dead: LocalQueueItem = {
      ...this.newItem(candidate.body, 0),
      pk: queuePk(this.deadLetterQueueName),
      dead_lettered_from: this.name,
      dead_lettered_at: this.time.now().toISOString(),
    };
    try {
      await this.table.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.table.name,
                Key: { pk: this.pk, sk: candidate.sk },
                ConditionExpression: 'visible_sk = :seen',
                ExpressionAttributeValues: { ':seen': candidate.visible_sk },
              },
            },
            { Put: { TableName: this.table.name, Item: dead } },
          ],
        }),
      );
    } catch (error) {
      // Another consumer moved or claimed it first.
      if (!(error instanceof TransactionCanceledException)) throw error;
    }
  }

  private waitForSend(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const controller = new AbortController();
      let finished = false;
      const done = () => {
        if (finished) return;
        finished = true;
        sends.off(this.wakeKey, done);
        signal?.removeEventListener('abort', done);
        controller.abort();
        resolve();
      };
      sends.on(this.wakeKey, done);
      signal?.addEventListener('abort', done, { once: true });
      void sleep(ms, controller.signal).then(done);
    });
  }
}

function parseReceiptHandle(receiptHandle: string): { id: string; token: string } {
  const dot = receiptHandle.lastIndexOf('.');
  if (dot <= 0) throw new ReceiptHandleInvalidError('(unknown)');
  return { id: receiptHandle.slice(0, dot), token: receiptHandle.slice(dot + 1) };
}

/** The queues of one local stack, all in one table; same name, same instance. */
export class LocalQueues {
  private readonly queues = new Map<string, LocalQueue>();

  constructor(
    readonly table: Table,
    private readonly defaults: LocalQueueOptions = {},
  ) {}

  /** The time every queue here keeps (unless one is given its own). */
  get time(): TimeSource {
    return this.defaults.time ?? systemTime;
  }

  /** Options given here replace the ones of an earlier call (the messages live in the table either way). */
  queue(name: string, options?: LocalQueueOptions): LocalQueue {
    let queue = this.queues.get(name);
    if (!queue || options) {
      queue = new LocalQueue(this.table, name, { ...this.defaults, ...options });
      this.queues.set(name, queue);
    }
    return queue;
  }

  deadLetterQueue(name: string): LocalQueue {
    return this.queue(`${name}${DEAD_LETTER_SUFFIX}`);
  }
}
