/**
 * The faults the chaos suite injects, each seeded: DynamoDB throttling and slow calls
 * (SDK middleware on clients this process owns), partial or failed PutEvents from the
 * outbox (a wrapped bus). The bridge kills and stream drops are in the test itself.
 */
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
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

export interface ThrottleOptions {
  name: string;
  /** Share of SDK attempts answered with a throttling error. */
  throttleRate: number;
  /** Share of calls held this long before they are sent (a handler outliving its visibility timeout). */
  slowRate?: number;
  slowMs?: number;
}

export interface FaultCounters {
  throttled: Record<string, number>;
  slowed: Record<string, number>;
  putEventsFailed: number;
  putEventsEntriesRefused: number;
  bridgeKills: number;
  streamDrops: number;
  hangsResolved: number;
}

export function newCounters(): FaultCounters {
  return { throttled: {}, slowed: {}, putEventsFailed: 0, putEventsEntriesRefused: 0, bridgeKills: 0, streamDrops: 0, hangsResolved: 0 };
}

interface MiddlewareClient {
  middlewareStack: { add(middleware: unknown, options: { step: string; name: string }): void };
}

/**
 * Throttling as DynamoDB answers it, injected below the SDK's retry middleware (the
 * deserialize step runs inside every attempt), so the SDK retries some and the rest reach
 * the caller: the API answers 5xx and the client retries, a consumer throws and its
 * delivery is retried, a queue operation fails and the message comes back.
 */
export function injectThrottling(client: MiddlewareClient, faults: FaultSwitch, options: ThrottleOptions, random: () => number, counters: FaultCounters): void {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
      if (faults.on) {
        if (options.slowRate && random() < options.slowRate) {
          counters.slowed[options.name] = (counters.slowed[options.name] ?? 0) + 1;
          await new Promise((resolve) => setTimeout(resolve, options.slowMs ?? 1000));
        }
        if (random() < options.throttleRate) {
          counters.throttled[options.name] = (counters.throttled[options.name] ?? 0) + 1;
          if (random() < 0.5) throw new ProvisionedThroughputExceededException({ message: 'chaos: throughput exceeded', $metadata: { httpStatusCode: 400 } });
          throw Object.assign(new Error('chaos: rate of requests exceeds the allowed throughput'), { name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
        }
      }
      return next(args);
    },
    { step: 'deserialize', name: `chaosThrottle-${options.name}` },
  );
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
