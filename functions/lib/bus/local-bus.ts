import { randomUUID } from 'node:crypto';
import type { EventBridgeEvent } from 'aws-lambda';
import type { LocalQueue, LocalQueues } from '../queue/local-queue';
import type { Queue } from '../queue/queue';
import { startQueueConsumer, type QueueConsumer } from '../queue/queue-consumer';
import { MAX_ENTRIES_PER_PUT, type BusEntry, type EventBus, type PutEventsResult } from './event-bus';
import { matchesPattern, type EventPattern } from './event-pattern';
import { type Log, errorFields, silentLog } from './log';

/** An event as EventBridge hands it to a target (the body of an SQS target's message, a Lambda's event). */
export type BusEvent = EventBridgeEvent<string, unknown>;
export type BusEventHandler = (event: BusEvent) => Promise<void>;

export type RuleTarget =
  /** The event JSON becomes a message of this queue (EventBridge → SQS). */
  | { queue: Queue }
  /**
   * The event is handed to this function (EventBridge → Lambda, asynchronous): retried
   * with backoff when it throws, then parked in the rule's dead-letter queue.
   */
  | { handler: BusEventHandler; maxAttempts?: number; concurrency?: number };

export interface BusRule {
  name: string;
  pattern: EventPattern;
  target: RuleTarget;
}

export const BUS_INGRESS_QUEUE = 'bus-ingress';
const LOCAL_ACCOUNT = '000000000000';
const LOCAL_REGION = 'local';

/** The envelope EventBridge wraps around an entry it accepted; the id is fixed at PutEvents. */
export function toBusEvent(entry: BusEntry, now = new Date()): BusEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': entry.detailType,
    source: entry.source,
    account: LOCAL_ACCOUNT,
    // EventBridge's event time has whole seconds.
    time: new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    region: LOCAL_REGION,
    resources: [],
    detail: entry.detail,
  };
}

function entryProblem(entry: BusEntry): string | undefined {
  if (!entry.source) return 'Source is required';
  if (!entry.detailType) return 'DetailType is required';
  if (typeof entry.detail !== 'object' || entry.detail === null || Array.isArray(entry.detail)) return 'Detail must be a JSON object';
  return undefined;
}

/**
 * PutEvents for any process of the local stack: an accepted entry is durably written to
 * the bus's ingress queue (in the shared local queue table), from where the LocalBus of
 * the pipeline process routes it. So the node-bridge, a separate process, publishes
 * exactly as the outbox does, and an event accepted before a crash is never lost.
 */
export class LocalBusClient implements EventBus {
  constructor(private readonly ingress: LocalQueue) {}

  async putEvents(entries: BusEntry[]): Promise<PutEventsResult> {
    if (entries.length > MAX_ENTRIES_PER_PUT) throw new RangeError(`PutEvents takes at most ${MAX_ENTRIES_PER_PUT} entries, got ${entries.length}`);
    const failed: PutEventsResult['failed'] = [];
    const bodies: string[] = [];
    entries.forEach((entry, index) => {
      const problem = entryProblem(entry);
      if (problem) failed.push({ index, errorCode: 'MalformedDetail', errorMessage: problem });
      else bodies.push(JSON.stringify(toBusEvent(entry)));
    });
    await this.ingress.sendBatch(bodies);
    return { failed };
  }
}

export interface LocalBusOptions {
  queues: LocalQueues;
  /** @default 'bus-ingress' */
  ingressQueueName?: string;
  /** How often the router looks for events other processes put. @default the queues' default */
  ingressPollIntervalMs?: number;
  /** Handler targets: deliveries before the event is parked in `rule.<name>-dlq`. @default 5 */
  defaultMaxAttempts?: number;
  /** Handler targets: the first retry waits this long, then twice as long each time (capped at 60 s). @default 1 */
  retryBaseSec?: number;
  /** Handler targets: how long one delivery may run before it is tried again. @default 30 */
  handlerTimeoutSec?: number;
  /** Long poll of the router and handler consumers. @default 5 */
  waitTimeSec?: number;
  log?: Log;
}

/**
 * The local stand-in for an EventBridge bus: rules with event patterns, and targets that
 * are queues or handlers. Every delivery goes through a durable queue: the ingress queue
 * (what PutEvents accepted), then one queue per handler rule (`rule.<name>`), so an event
 * survives any process being killed and a failing handler is retried, then dead-lettered.
 *
 * Other features add their own rules: `bus.addRule({ name: 'webhook-fan-out', pattern:
 * { source: [BusSource.ledger], 'detail-type': [LedgerDetailType.domainEvent] }, target:
 * { handler } })`.
 */
export class LocalBus implements EventBus {
  readonly client: LocalBusClient;
  private readonly rules = new Map<string, BusRule>();
  private readonly handlerConsumers = new Map<string, QueueConsumer>();
  private readonly ingress: LocalQueue;
  private readonly log: Log;
  private router: QueueConsumer | undefined;

  constructor(private readonly options: LocalBusOptions) {
    this.ingress = options.queues.queue(
      options.ingressQueueName ?? BUS_INGRESS_QUEUE,
      options.ingressPollIntervalMs !== undefined ? { pollIntervalMs: options.ingressPollIntervalMs } : undefined,
    );
    this.client = new LocalBusClient(this.ingress);
    this.log = options.log ?? silentLog;
  }

  putEvents(entries: BusEntry[]): Promise<PutEventsResult> {
    return this.client.putEvents(entries);
  }

  /** Rules can be added before or after start(); names are unique. */
  addRule(rule: BusRule): void {
    if (this.rules.has(rule.name)) throw new Error(`the bus already has a rule named ${rule.name}`);
    this.rules.set(rule.name, rule);
    if (this.router && 'handler' in rule.target) this.startHandler(rule);
  }

  async removeRule(name: string): Promise<void> {
    this.rules.delete(name);
    const consumer = this.handlerConsumers.get(name);
    this.handlerConsumers.delete(name);
    await consumer?.stop();
  }

  /** Where a handler rule's events wait for delivery. */
  ruleQueue(ruleName: string): LocalQueue {
    const rule = this.rules.get(ruleName);
    const maxAttempts = rule && 'handler' in rule.target ? (rule.target.maxAttempts ?? this.options.defaultMaxAttempts ?? 5) : undefined;
    return this.options.queues.queue(`rule.${ruleName}`, { maxReceiveCount: maxAttempts ?? this.options.defaultMaxAttempts ?? 5 });
  }

  /** Events a handler rule gave up on. */
  deadLetterQueue(ruleName: string): LocalQueue {
    return this.options.queues.deadLetterQueue(`rule.${ruleName}`);
  }

  start(): void {
    if (this.router) return;
    this.router = startQueueConsumer({
      queue: this.ingress,
      concurrency: 10,
      waitTimeSec: this.options.waitTimeSec ?? 5,
      visibilityTimeoutSec: 30,
      retryDelaySec: () => 1,
      log: this.log,
      handle: (message) => this.route(message.body),
    });
    for (const rule of this.rules.values()) if ('handler' in rule.target) this.startHandler(rule);
  }

  async stop(graceMs = 0): Promise<void> {
    const router = this.router;
    this.router = undefined;
    await router?.stop(graceMs);
    const consumers = [...this.handlerConsumers.values()];
    this.handlerConsumers.clear();
    await Promise.all(consumers.map((consumer) => consumer.stop(graceMs)));
  }

  private async route(body: string): Promise<void> {
    let event: BusEvent;
    try {
      event = JSON.parse(body) as BusEvent;
    } catch (error) {
      this.log.error('dropped an ingress message that is not JSON', errorFields(error));
      return;
    }
    for (const rule of this.rules.values()) {
      if (!matchesPattern(rule.pattern, event as unknown as Record<string, unknown>)) continue;
      // A failure here throws: the ingress message comes back and routes again (at least once).
      if ('queue' in rule.target) await rule.target.queue.send(body);
      else await this.ruleQueue(rule.name).send(body);
    }
  }

  private startHandler(rule: BusRule): void {
    if (!('handler' in rule.target) || this.handlerConsumers.has(rule.name)) return;
    const { handler, concurrency } = rule.target;
    const retryBaseSec = this.options.retryBaseSec ?? 1;
    const consumer = startQueueConsumer({
      queue: this.ruleQueue(rule.name),
      concurrency: concurrency ?? 4,
      waitTimeSec: this.options.waitTimeSec ?? 5,
      visibilityTimeoutSec: this.options.handlerTimeoutSec ?? 30,
      retryDelaySec: (receiveCount) => Math.min(60, retryBaseSec * 2 ** (receiveCount - 1)),
      log: this.log,
      handle: async (message) => {
        await handler(JSON.parse(message.body) as BusEvent);
      },
    });
    this.handlerConsumers.set(rule.name, consumer);
  }
}
