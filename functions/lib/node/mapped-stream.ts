import type { NodeStream } from './lightning-node';

/** A client's stream as a NodeStream: each message mapped (undefined skips it), each failure turned into the port's error. */
export function mappedStream<From, To>(
  source: AsyncIterable<From> & { cancel(): void },
  map: (message: From) => To | undefined,
  mapError: (error: unknown) => unknown,
): NodeStream<To> {
  return {
    cancel: () => source.cancel(),
    async *[Symbol.asyncIterator]() {
      try {
        for await (const message of source) {
          const mapped = map(message);
          if (mapped !== undefined) yield mapped;
        }
      } catch (error) {
        throw mapError(error);
      }
    },
  };
}
