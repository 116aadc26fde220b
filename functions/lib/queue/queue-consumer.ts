import { errorFields, type Log, silentLog } from '../runtime/log';
import { backoffDelayMs, type BackoffOptions, sleep } from '../runtime/backoff';
import type { Queue, QueueMessage } from './queue';

/**
 * What a handler decides about its message. Nothing (undefined): done, delete it. `keep`:
 * leave it in the queue (visible again after `visibleAfterSec`, or when its visibility
 * timeout runs out). A handler that throws gets its message back after `retryDelaySec`.
 */
export type HandleOutcome = void | { keep: true; visibleAfterSec?: number };

export interface QueueConsumerOptions {
  queue: Queue;
  /** `signal` aborts when the consumer stops and the grace period is over: give up quickly then. */
  handle(message: QueueMessage, signal: AbortSignal): Promise<HandleOutcome>;
  /** Messages handled at the same time. @default 1 */
  concurrency?: number;
  /** Long polling. @default 20 */
  waitTimeSec?: number;
  visibilityTimeoutSec: number;
  /** While a handler runs, hide its message for another visibilityTimeoutSec this often. @default no heartbeat */
  heartbeatSec?: number;
  /** After a handler threw: seconds until the message is visible again. @default its visibility timeout */
  retryDelaySec?: (receiveCount: number) => number;
  /** Back-off after a failed receive (the queue itself is unreachable). @default 200 ms .. 5 s */
  receiveBackoff?: BackoffOptions;
  log?: Log;
  /** Called after every successful visibility extension (metrics). */
  onHeartbeat?: () => void;
}

export interface QueueConsumer {
  /** Messages being handled right now. */
  readonly inFlight: number;
  /**
   * Stops receiving, lets running handlers finish for up to `graceMs`, then aborts their
   * signal and waits for them to return.
   */
  stop(graceMs?: number): Promise<void>;
}

/** A long-polling consumer with bounded concurrency: the one loop every queue reader here uses. */
export function startQueueConsumer(options: QueueConsumerOptions): QueueConsumer {
  const { queue } = options;
  const log = options.log ?? silentLog;
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const waitTimeSec = options.waitTimeSec ?? 20;
  const receiveBackoff = options.receiveBackoff ?? { baseMs: 200, maxMs: 5000 };
  const stopReceiving = new AbortController();
  const abortWork = new AbortController();
  const running = new Set<Promise<void>>();
  let slotFreed: (() => void) | undefined;
  const wakeLoop = () => {
    const wake = slotFreed;
    slotFreed = undefined;
    wake?.();
  };

  async function handleOne(message: QueueMessage): Promise<void> {
    const heartbeat =
      options.heartbeatSec !== undefined
        ? setInterval(() => {
            queue
              .changeVisibility(message.receiptHandle, options.visibilityTimeoutSec)
              .then(() => options.onHeartbeat?.())
              .catch((error) => log.warn('could not extend the visibility of a message', { queue: queue.name, messageId: message.id, ...errorFields(error) }));
          }, options.heartbeatSec * 1000)
        : undefined;
    let outcome: HandleOutcome;
    try {
      outcome = await options.handle(message, abortWork.signal);
    } catch (error) {
      clearInterval(heartbeat);
      log.warn('message handler failed; the message will be delivered again', {
        queue: queue.name,
        messageId: message.id,
        receiveCount: message.receiveCount,
        ...errorFields(error),
      });
      if (options.retryDelaySec) {
        await queue
          .changeVisibility(message.receiptHandle, options.retryDelaySec(message.receiveCount))
          .catch((changeError) => log.warn('could not schedule a retry', { queue: queue.name, ...errorFields(changeError) }));
      }
      return;
    }
    clearInterval(heartbeat);
    try {
      if (outcome && outcome.keep) {
        if (outcome.visibleAfterSec !== undefined) await queue.changeVisibility(message.receiptHandle, outcome.visibleAfterSec);
        return;
      }
      await queue.delete(message.receiptHandle);
    } catch (error) {
      // Not deleted: it comes back, and every handler here is idempotent.
      log.warn('could not delete or release a handled message', { queue: queue.name, messageId: message.id, ...errorFields(error) });
    }
  }

  const loop = (async () => {
    let failures = 0;
    while (!stopReceiving.signal.aborted) {
      const free = concurrency - running.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => (slotFreed = resolve));
        continue;
      }
      let messages: QueueMessage[];
      try {
        messages = await queue.receive({
          maxMessages: Math.min(10, free),
          waitTimeSec,
          visibilityTimeoutSec: options.visibilityTimeoutSec,
          signal: stopReceiving.signal,
        });
        failures = 0;
      } catch (error) {
        if (stopReceiving.signal.aborted) break;
        log.warn('receive failed; backing off', { queue: queue.name, ...errorFields(error) });
        await sleep(backoffDelayMs(failures++, receiveBackoff), stopReceiving.signal);
        continue;
      }
      for (const message of messages) {
        const task = handleOne(message).finally(() => {
          running.delete(task);
          wakeLoop();
        });
        running.add(task);
      }
    }
  })();

  return {
    get inFlight() {
      return running.size;
    },
    async stop(graceMs = 0) {
      stopReceiving.abort();
      wakeLoop();
      await loop;
      if (running.size > 0 && graceMs > 0) {
        const graceOver = new AbortController();
        await Promise.race([Promise.allSettled([...running]), sleep(graceMs, graceOver.signal)]);
        graceOver.abort();
      }
      abortWork.abort();
      await Promise.allSettled([...running]);
    },
  };
}
