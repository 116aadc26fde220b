import type { NodeStream } from '../lightning-node';

/**
 * A NodeStream made of calls the adapter repeats (Core Lightning has no server streams):
 * `produce` gets a signal that cancel(), leaving the loop early, or the end aborts, and
 * passes it to every call and wait. A failure after cancel() ends the stream quietly; any
 * other becomes the port's error.
 */
export function abortableStream<T>(produce: (signal: AbortSignal) => AsyncGenerator<T>, mapError: (error: unknown) => unknown): NodeStream<T> {
  const controller = new AbortController();
  return {
    cancel: () => controller.abort(),
    async *[Symbol.asyncIterator]() {
      try {
        for await (const item of produce(controller.signal)) yield item;
      } catch (error) {
        if (controller.signal.aborted) return;
        throw mapError(error);
      } finally {
        controller.abort();
      }
    },
  };
}
