import { MAX_ENTRIES_PER_PUT, type BusEntry, type EventBus } from './event-bus';
import { type Log, silentLog } from '../runtime/log';
import { backoffDelayMs, type BackoffOptions, sleep } from '../runtime/backoff';

export interface PublishOptions extends BackoffOptions {
  /** Give up (throw) after this many calls per batch. @default keep trying until `signal` aborts */
  maxAttempts?: number;
  signal?: AbortSignal;
  log?: Log;
  /** Called with the number of entries refused on each attempt (metrics). */
  onRefused?: (count: number) => void;
}

export class PublishAbortedError extends Error {
  constructor(readonly unpublished: number) {
    super(`gave up publishing ${unpublished} event(s)`);
    this.name = 'PublishAbortedError';
  }
}

/**
 * Publishes every entry, at most 10 per PutEvents, retrying only the entries that were
 * refused (and the whole call when it throws), with exponential backoff and jitter.
 * Resolves once all are accepted; throws PublishAbortedError when it gives up.
 */
export async function publishAll(bus: EventBus, entries: BusEntry[], options: PublishOptions): Promise<void> {
  const log = options.log ?? silentLog;
  for (let start = 0; start < entries.length; start += MAX_ENTRIES_PER_PUT) {
    let pending = entries.slice(start, start + MAX_ENTRIES_PER_PUT);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) {
        if (options.signal?.aborted || (options.maxAttempts !== undefined && attempt >= options.maxAttempts)) {
          throw new PublishAbortedError(pending.length + Math.max(0, entries.length - start - MAX_ENTRIES_PER_PUT));
        }
        await sleep(backoffDelayMs(attempt - 1, options), options.signal);
      }
      try {
        const { failed } = await bus.putEvents(pending);
        if (failed.length > 0) {
          options.onRefused?.(failed.length);
          log.warn('PutEvents refused some entries; retrying only those', { refused: failed.length, errorCodes: [...new Set(failed.map((f) => f.errorCode))] });
        }
        const refused = new Set(failed.map((entry) => entry.index));
        pending = pending.filter((_entry, index) => refused.has(index));
      } catch (error) {
        options.onRefused?.(pending.length);
        log.warn('PutEvents failed; retrying the batch', { entries: pending.length, error: error instanceof Error ? error.name : String(error) });
      }
    }
  }
}
