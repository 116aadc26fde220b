/**
 * The faults the chaos suite injects, each seeded: DynamoDB throttling and slow calls
 * (SDK middleware on clients this process owns), partial or failed PutEvents from the
 * outbox (a wrapped bus). The bridge kills and stream drops are in the test itself.
 */
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BusEntry, EventBus, PutEventsResult } from '../../functions/lib/bus/event-bus';

/** mulberry32: small, fast, good enough to make a run replayable from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An independent stream per purpose, so adding draws in one place does not shift another. */
export function streamOf(seed: number, name: string): () => number {
  let hash = seed >>> 0;
  for (const char of name) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return seededRandom(hash);
}

export interface FaultSwitch {
  /** Faults are injected only while this is true (setup and the final checks run clean). */
  on: boolean;
}

export interface DynamoDbFaultOptions {
  name: string;
  /** Share of SDK attempts answered with a throttling error (the SDK retries these, within its retry quota). */
  throttleRate: number;
  /** Share of SDK attempts whose answer is lost after DynamoDB applied them (a reset connection): the SDK sends again. */
  lostAnswerRate?: number;
  /** Share of calls that fail past the SDK's retries, straight to the caller: half before anything was written, half after. */
  surfaceRate?: number;
  /** Share of calls held this long before they are sent (a handler outliving its visibility timeout). */
  slowRate?: number;
  slowMs?: number;
}

export interface FaultCounters {
  throttled: Record<string, number>;
  lostAnswers: Record<string, number>;
  surfaced: Record<string, number>;
  slowed: Record<string, number>;
  putEventsFailed: number;
  putEventsEntriesRefused: number;
  bridgeKills: number;
  streamDrops: number;
  hangsResolved: number;
}

export function newCounters(): FaultCounters {
  return { throttled: {}, lostAnswers: {}, surfaced: {}, slowed: {}, putEventsFailed: 0, putEventsEntriesRefused: 0, bridgeKills: 0, streamDrops: 0, hangsResolved: 0 };
}

type MiddlewareClient = Pick<DynamoDBDocumentClient, 'middlewareStack'>;
type Next = (args: unknown) => Promise<unknown>;

const bump = (counts: Record<string, number>, name: string) => void (counts[name] = (counts[name] ?? 0) + 1);

function throttlingError(random: () => number): Error {
  if (random() < 0.5) return new ProvisionedThroughputExceededException({ message: 'chaos: throughput exceeded', $metadata: { httpStatusCode: 400 } });
  return Object.assign(new Error('chaos: rate of requests exceeds the allowed throughput'), { name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

/** What a connection reset after the request reached DynamoDB looks like: transient, retried by the SDK. */
function lostAnswerError(): Error {
  return Object.assign(new Error('chaos: socket hang up after the request was sent'), { name: 'TimeoutError', code: 'ECONNRESET', $metadata: {} });
}

/**
 * DynamoDB faults on one client. Throttling, lost answers and slow calls go below the SDK's
 * retry middleware (the deserialize step runs inside every attempt), so the SDK retries
 * some and the rest reach the caller; a few more fail outside the retries (initialize
 * step). The API then answers 5xx and the client retries, a consumer throws and its
 * delivery is retried, a queue operation fails and the message comes back. A lost answer
 * on TransactWriteItems is resent with the same ClientRequestToken, as the SDK does (and
 * DynamoDB Local honours it); on other writes the resend meets its own first write.
 */
export function injectDynamoDbFaults(client: MiddlewareClient, faults: FaultSwitch, options: DynamoDbFaultOptions, random: () => number, counters: FaultCounters): void {
  const { name } = options;
  const perAttempt = (next: Next) => async (args: unknown) => {
    if (!faults.on) return next(args);
    if (options.slowRate && random() < options.slowRate) {
      bump(counters.slowed, name);
      await new Promise((resolve) => setTimeout(resolve, options.slowMs ?? 1000));
    }
    if (random() < options.throttleRate) {
      bump(counters.throttled, name);
      throw throttlingError(random);
    }
    const result = await next(args);
    if (options.lostAnswerRate && random() < options.lostAnswerRate) {
      bump(counters.lostAnswers, name);
      throw lostAnswerError();
    }
    return result;
  };
  const perCall = (next: Next) => async (args: unknown) => {
    if (!faults.on || !options.surfaceRate || random() >= options.surfaceRate) return next(args);
    bump(counters.surfaced, name);
    if (random() < 0.5) throw throttlingError(random);
    await next(args);
    throw lostAnswerError();
  };
  client.middlewareStack.add(perAttempt as never, { step: 'deserialize', name: `chaosPerAttempt-${name}` });
  client.middlewareStack.add(perCall as never, { step: 'initialize', name: `chaosPerCall-${name}` });
}

/**
 * The outbox's bus, failing now and then as EventBridge can: the whole call fails, or some
 * entries come back refused (and were not published) while the others were accepted.
 */
export function flakyBus(bus: EventBus, faults: FaultSwitch, rates: { failCall: number; refuseSome: number }, random: () => number, counters: FaultCounters): EventBus {
  return {
    async putEvents(entries: BusEntry[]): Promise<PutEventsResult> {
      if (!faults.on) return bus.putEvents(entries);
      if (random() < rates.failCall) {
        counters.putEventsFailed++;
        throw Object.assign(new Error('chaos: PutEvents failed'), { name: 'InternalException' });
      }
      if (random() < rates.refuseSome) {
        const refused = new Set(entries.map((_entry, index) => index).filter(() => random() < 0.5));
        if (refused.size === 0) refused.add(Math.floor(random() * entries.length));
        const accepted = entries.map((entry, index) => ({ entry, index })).filter(({ index }) => !refused.has(index));
        const inner = accepted.length > 0 ? await bus.putEvents(accepted.map(({ entry }) => entry)) : { failed: [] };
        counters.putEventsEntriesRefused += refused.size;
        return {
          failed: [
            ...[...refused].map((index) => ({ index, errorCode: 'ThrottlingException', errorMessage: 'chaos: entry refused' })),
            ...inner.failed.map((failure) => ({ ...failure, index: accepted[failure.index]!.index })),
          ].sort((a, b) => a.index - b.index),
        };
      }
      return bus.putEvents(entries);
    },
  };
}
