import { randomUUID } from 'node:crypto';
import type { EventBridgeEvent } from 'aws-lambda';
import { LocalQueue, localQueueName, type LocalQueues } from './local-queue';
import type { Queue } from '../../../functions/lib/queue/queue';
import { MAX_ENTRIES_PER_PUT, type BusEntry, type EventBus, type PutEventsResult } from '../../../functions/lib/bus/event-bus';
import { matchesPattern, type EventPattern } from '../../../functions/lib/bus/event-pattern';
import { errorFields, type Log, silentLog } from '../../../functions/lib/runtime/log';
import { backoffDelayMs, sleep } from '../../../functions/lib/runtime/backoff';
import type { QueueMessage } from '../../../functions/lib/queue/queue';
import { scaleSeconds, type RuleTargetDelivery } from '../../delivery';
import { queuedInvokeBody, startAsyncInvoker, type AsyncInvoker, type AsyncInvokeSettings } from './async-invoke';

/** An event as EventBridge hands it to a target (the body of an SQS target's message, a Lambda's event). */
export type BusEvent = EventBridgeEvent<string, unknown>;
export type BusEventHandler = (event: BusEvent) => Promise<void>;

/** A rule target's retry policy (EventBridge's own: it covers only the hand-off to the target). */
export interface RuleTargetRetry {
  retryAttempts: number;
  maxEventAgeSec: number;
  /** Local queue that stands for the target's DLQ; none: the event is dropped, as in AWS. */
  deadLetterQueue?: string;
}

/** A rule target's policy in the template (infra/delivery.ts), for the local bus. */
export function ruleTargetRetry(settings: RuleTargetDelivery): RuleTargetRetry {
  return { retryAttempts: settings.retryAttempts, maxEventAgeSec: settings.maxEventAgeSec, deadLetterQueue: localQueueName(settings.deadLetterQueue) };
}

/** EventBridge's default retry policy for a target without one. */
export const EVENTBRIDGE_TARGET_DEFAULTS: RuleTargetRetry = { retryAttempts: 185, maxEventAgeSec: 24 * 60 * 60 };

export type RuleTarget =
  /** The event JSON becomes a message of this queue (EventBridge → SQS). */
  | { queue: Queue; retry?: RuleTargetRetry }
  /**
   * The event is handed to this function as an asynchronous invoke (EventBridge → Lambda):
   * Lambda's retries and destination (`asyncInvoke`), or its defaults: 2 retries, then discarded.
   */
  | { handler: BusEventHandler; asyncInvoke?: AsyncInvokeSettings; concurrency?: number; functionTimeoutSec?: number };

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
      else bodies.push(JSON.stringify(toBusEvent(entry, this.ingress.time.now())));
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
  /** Durations (retry windows, event ages, function timeouts) × this; counts stay exact. @default 1 */
  timeScale?: number;
  /** Long poll of the router and handler consumers. @default 5 */
  waitTimeSec?: number;
  log?: Log;
}

/**
 * The local stand-in for an EventBridge bus: rules with event patterns, and targets that
 * are queues or functions. What PutEvents accepted waits in a durable ingress queue, so an
 * event survives any process being killed. Then, as in AWS:
 * - a queue target gets the event as a message; if that hand-off fails it is retried with
 *   backoff within the target's retry policy (attempts, maximum event age), then the event
 *   goes to the target's DLQ, or is dropped without one;
 * - a function target is an asynchronous invoke (see async-invoke.ts): Lambda's retries,
 *   then its on-failure destination, or the event is discarded.
 * A retried hand-off may deliver again to targets that already have the event: at least once.
 * The bus keeps the time of its ingress queue (`queues.time`): event times and ages, and the
 * retry intervals, which are visibility changes of that queue.
 */
export class LocalBus implements EventBus {
  readonly client: LocalBusClient;
  private readonly rules = new Map<string, BusRule>();
  private readonly invokers = new Map<string, AsyncInvoker<BusEvent>>();
  private readonly listeners = new Set<(event: BusEvent) => void>();
  private readonly ingress: LocalQueue;
  private readonly log: Log;
  private readonly scale: number;
  private router: { stop: AbortController; done: Promise<void> } | undefined;

  constructor(private readonly options: LocalBusOptions) {
    this.ingress = options.queues.queue(
      options.ingressQueueName ?? BUS_INGRESS_QUEUE,
      options.ingressPollIntervalMs !== undefined ? { pollIntervalMs: options.ingressPollIntervalMs } : undefined,
    );
    this.client = new LocalBusClient(this.ingress);
    this.log = options.log ?? silentLog;
    this.scale = options.timeScale ?? 1;
  }

  putEvents(entries: BusEntry[]): Promise<PutEventsResult> {
    return this.client.putEvents(entries);
  }

  /** Rules can be added before or after start(); names are unique. */
  addRule(rule: BusRule): void {
    if (this.rules.has(rule.name)) throw new Error(`the bus already has a rule named ${rule.name}`);
    this.rules.set(rule.name, rule);
    if (this.router) this.startFunctionTarget(rule);
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
    const invoker = this.invokers.get(name);
    this.invokers.delete(name);
    await invoker?.stop();
  }

  /** Where a rule's events wait: its queue target, or the asynchronous-invoke queue of its function. */
  ruleQueue(ruleName: string): LocalQueue | Queue {
    const rule = this.rules.get(ruleName);
    if (rule && 'queue' in rule.target) return rule.target.queue;
    return this.options.queues.queue(functionQueueName(ruleName));
  }

  start(): void {
    if (this.router) return;
    const stop = new AbortController();
    this.router = { stop, done: this.routeLoop(stop.signal) };
    for (const rule of this.rules.values()) this.startFunctionTarget(rule);
  }

  async stop(graceMs = 0): Promise<void> {
    const router = this.router;
    this.router = undefined;
    router?.stop.abort();
    await router?.done;
    const invokers = [...this.invokers.values()];
    this.invokers.clear();
    await Promise.all(invokers.map((invoker) => invoker.stop(graceMs)));
  }

  /** Takes up to 10 accepted events at a time, writes each target's share in one batch, then lets the events go. */
  private async routeLoop(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      let messages: QueueMessage[];
      try {
        messages = await this.ingress.receive({ maxMessages: 10, waitTimeSec: this.options.waitTimeSec ?? 5, visibilityTimeoutSec: 30, signal });
        failures = 0;
      } catch (error) {
        if (signal.aborted) return;
        // DynamoDB Local unreachable: backs off in real time (no AWS promise is involved).
        this.log.warn('bus ingress receive failed; backing off', errorFields(error));
        await sleep(backoffDelayMs(failures++, { baseMs: 200, maxMs: 5000 }), signal);
        continue;
      }
      if (messages.length > 0) await this.route(messages);
    }
  }

  private async route(messages: QueueMessage[]): Promise<void> {
    // Per target, the events it gets from this batch (one body per message).
    const deliveries = new Map<string, { rule: BusRule; queue: Queue; items: Array<{ message: QueueMessage; body: string }> }>();
    const routed: BusEvent[] = [];
    const done = new Set<QueueMessage>();
    for (const message of messages) {
      let event: BusEvent;
      try {
        event = JSON.parse(message.body) as BusEvent;
      } catch (error) {
        this.log.error('dropped an ingress message that is not JSON', errorFields(error));
        done.add(message);
        continue;
      }
      routed.push(event);
      for (const rule of this.rules.values()) {
        if (!matchesPattern(rule.pattern, event as unknown as Record<string, unknown>)) continue;
        const target = deliveries.get(rule.name) ?? { rule, queue: this.ruleQueue(rule.name), items: [] };
        target.items.push({ message, body: 'queue' in rule.target ? message.body : queuedInvokeBody(event, this.ingress.time) });
        deliveries.set(rule.name, target);
      }
    }
    const failed = new Map<QueueMessage, Array<{ rule: BusRule; error: unknown }>>();
    await Promise.all(
      [...deliveries.values()].map(async ({ rule, queue, items }) => {
        try {
          const bodies = items.map((item) => item.body);
          await (queue instanceof LocalQueue ? queue.sendBatch(bodies) : Promise.all(bodies.map((body) => queue.send(body))));
        } catch (error) {
          for (const { message } of items) failed.set(message, [...(failed.get(message) ?? []), { rule, error }]);
        }
      }),
    );
    await Promise.all(
      messages.map(async (message) => {
        const failures = failed.get(message);
        try {
          if (!failures || done.has(message) || (await this.giveUp(message, failures))) {
            await this.ingress.delete(message.receiptHandle);
            return;
          }
          // Not handed to every target: routed again after a backoff (the receive count is the attempt).
          const delaySec = scaleSeconds(Math.min(300, 2 ** (message.receiveCount - 1)), this.scale);
          this.log.warn('bus could not hand an event to its targets; it will be routed again', { rules: failures.map((f) => f.rule.name), attempt: message.receiveCount });
          await this.ingress.changeVisibility(message.receiptHandle, delaySec);
        } catch (error) {
          // The ingress message stays; it comes back after its visibility timeout.
          this.log.warn('bus could not settle a routed event', errorFields(error));
        }
      }),
    );
    for (const event of routed) for (const listener of this.listeners) listener(event);
  }

  /**
   * True when every failed target's retry policy is spent: the event then goes to each such
   * target's DLQ (or is dropped without one). False: try again later.
   */
  private async giveUp(message: QueueMessage, failures: Array<{ rule: BusRule; error: unknown }>): Promise<boolean> {
    const acceptedMs = Number(message.id.slice(0, 15));
    const spent = failures.every(({ rule }) => {
      const retry = retryPolicyOf(rule);
      return message.receiveCount > retry.retryAttempts || this.ingress.time.now().getTime() - acceptedMs > scaleSeconds(retry.maxEventAgeSec, this.scale) * 1000;
    });
    if (!spent) return false;
    for (const { rule, error } of failures) {
      const deadLetterQueue = retryPolicyOf(rule).deadLetterQueue;
      const fields = { rule: rule.name, attempts: message.receiveCount, ...errorFields(error) };
      if (!deadLetterQueue) {
        this.log.error('bus dropped an event its target never took (no DLQ on the target)', fields);
        continue;
      }
      await this.options.queues.queue(deadLetterQueue).send(message.body);
      this.log.error('bus parked an event its target never took in the target DLQ', { ...fields, deadLetterQueue });
    }
    return true;
  }

  private startFunctionTarget(rule: BusRule): void {
    if (!('handler' in rule.target) || this.invokers.has(rule.name)) return;
    const { handler, asyncInvoke, concurrency, functionTimeoutSec } = rule.target;
    this.invokers.set(
      rule.name,
      startAsyncInvoker<BusEvent>({
        queues: this.options.queues,
        functionName: rule.name,
        queueName: functionQueueName(rule.name),
        handler,
        ...(asyncInvoke ? { settings: asyncInvoke } : {}),
        ...(functionTimeoutSec !== undefined ? { functionTimeoutSec } : {}),
        concurrency: concurrency ?? 4,
        timeScale: this.scale,
        waitTimeSec: this.options.waitTimeSec ?? 5,
        log: this.log,
      }),
    );
  }
}

const functionQueueName = (ruleName: string) => `rule.${ruleName}`;

function retryPolicyOf(rule: BusRule): RuleTargetRetry {
  return ('queue' in rule.target ? rule.target.retry : undefined) ?? EVENTBRIDGE_TARGET_DEFAULTS;
}
