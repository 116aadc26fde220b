import { randomUUID } from 'node:crypto';
import type { EventBridgeEvent } from 'aws-lambda';
import { LocalQueue, type LocalQueues } from './local-queue';
import type { Queue } from '../../../functions/lib/queue/queue';
import { startQueueConsumer, type QueueConsumer } from '../../../functions/lib/queue/queue-consumer';
import { MAX_ENTRIES_PER_PUT, type BusEntry, type EventBus, type PutEventsResult } from '../../../functions/lib/bus/event-bus';
import { matchesPattern, type EventPattern } from '../../../functions/lib/bus/event-pattern';
import { type Log, errorFields, silentLog } from '../../../functions/lib/bus/log';
import { backoffDelayMs, sleep } from '../../../functions/lib/bus/timing';

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
  private readonly ruleQueues = new Map<string, LocalQueue>();
  private readonly listeners = new Set<(event: BusEvent) => void>();
  private readonly ingress: LocalQueue;
  private readonly log: Log;
  private router: { stop: AbortController; done: Promise<void> } | undefined;

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

  /**
   * Calls `listener` with every event this bus routes, after its deliveries: for tests and
   * debugging. Not a target: no retries, no durability. Returns the unsubscribe function.
   */
  onEvent(listener: (event: BusEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async removeRule(name: string): Promise<void> {
    this.rules.delete(name);
    this.ruleQueues.delete(name);
    const consumer = this.handlerConsumers.get(name);
    this.handlerConsumers.delete(name);
    await consumer?.stop();
  }

  /** Where a handler rule's events wait for delivery. */
  ruleQueue(ruleName: string): LocalQueue {
    let queue = this.ruleQueues.get(ruleName);
    if (!queue) {
      const rule = this.rules.get(ruleName);
      const maxAttempts = rule && 'handler' in rule.target ? rule.target.maxAttempts : undefined;
      queue = this.options.queues.queue(`rule.${ruleName}`, { maxReceiveCount: maxAttempts ?? this.options.defaultMaxAttempts ?? 5 });
      this.ruleQueues.set(ruleName, queue);
    }
    return queue;
  }

  /** Events a handler rule gave up on. */
  deadLetterQueue(ruleName: string): LocalQueue {
    return this.options.queues.deadLetterQueue(`rule.${ruleName}`);
  }

  start(): void {
    if (this.router) return;
    const stop = new AbortController();
    this.router = { stop, done: this.routeLoop(stop.signal) };
    for (const rule of this.rules.values()) if ('handler' in rule.target) this.startHandler(rule);
  }

  async stop(graceMs = 0): Promise<void> {
    const router = this.router;
    this.router = undefined;
    router?.stop.abort();
    await router?.done;
    const consumers = [...this.handlerConsumers.values()];
    this.handlerConsumers.clear();
    await Promise.all(consumers.map((consumer) => consumer.stop(graceMs)));
  }

  /** Takes up to 10 accepted events at a time, writes each target queue's share in one batch, then lets the events go. */
  private async routeLoop(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      let messages;
      try {
        messages = await this.ingress.receive({ maxMessages: 10, waitTimeSec: this.options.waitTimeSec ?? 5, visibilityTimeoutSec: 30, signal });
        failures = 0;
      } catch (error) {
        if (signal.aborted) return;
        this.log.warn('bus ingress receive failed; backing off', errorFields(error));
        await sleep(backoffDelayMs(failures++, { baseMs: 200, maxMs: 5000 }), signal);
        continue;
      }
      if (messages.length === 0) continue;
      try {
        await this.route(messages.map((message) => message.body));
      } catch (error) {
        // Not delivered everywhere: the events come back and route again (at least once).
        this.log.warn('bus could not deliver events; they will be routed again', errorFields(error));
        await Promise.all(messages.map((message) => this.ingress.changeVisibility(message.receiptHandle, 1).catch(() => undefined)));
        continue;
      }
      await Promise.all(
        messages.map((message) =>
          this.ingress.delete(message.receiptHandle).catch((error) => this.log.warn('could not delete a routed event', errorFields(error))),
        ),
      );
    }
  }

  private async route(bodies: string[]): Promise<void> {
    const deliveries = new Map<Queue, string[]>();
    const routed: BusEvent[] = [];
    for (const body of bodies) {
      let event: BusEvent;
      try {
        event = JSON.parse(body) as BusEvent;
      } catch (error) {
        this.log.error('dropped an ingress message that is not JSON', errorFields(error));
        continue;
      }
      routed.push(event);
      for (const rule of this.rules.values()) {
        if (!matchesPattern(rule.pattern, event as unknown as Record<string, unknown>)) continue;
        const queue = 'queue' in rule.target ? rule.target.queue : this.ruleQueue(rule.name);
        deliveries.set(queue, [...(deliveries.get(queue) ?? []), body]);
      }
    }
    await Promise.all(
      [...deliveries].map(([queue, batch]) =>
        queue instanceof LocalQueue ? queue.sendBatch(batch) : Promise.all(batch.map((body) => queue.send(body))),
      ),
    );
    for (const event of routed) for (const listener of this.listeners) listener(event);
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
