import { type ClientReadableStream, status as GrpcStatus } from '@grpc/grpc-js';
import { toLndError } from './error-mapping';

// Beyond this many unread messages we stop reading from the socket until the
// consumer catches up, so a slow consumer cannot grow memory without bound.
const PAUSE_ABOVE_BUFFERED = 256;

type Settled = { kind: 'ended' } | { kind: 'failed'; error: Error };

/**
 * A server stream from LND as an async iterable of mapped messages.
 * Iteration ends when LND closes the stream with OK or when cancel() is
 * called; any other end throws the mapped LndError from the iterator.
 */
export class LndStream<T> implements AsyncIterable<T> {
  private readonly buffered: T[] = [];
  private settled: Settled | undefined;
  private cancelled = false;
  private wake: (() => void) | undefined;
  private iterating = false;

  constructor(
    private readonly call: ClientReadableStream<unknown>,
    private readonly map: (raw: never) => T,
    private readonly method: string,
  ) {
    call.on('data', (raw: unknown) => this.onData(raw));
    call.on('end', () => this.finish({ kind: 'ended' }));
    call.on('error', (error: { code?: number }) => {
      if (this.cancelled && error.code === GrpcStatus.CANCELLED) this.finish({ kind: 'ended' });
      else this.finish({ kind: 'failed', error: toLndError(error, method) });
    });
  }

  /** Stops the stream; a pending or later next() resolves as done. */
  cancel(): void {
    if (this.settled) return;
    this.cancelled = true;
    this.buffered.length = 0;
    this.call.cancel();
    this.finish({ kind: 'ended' });
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    if (this.iterating) throw new Error(`${this.method} stream can only be iterated once`);
    this.iterating = true;
    try {
      for (;;) {
        const next = this.buffered.shift();
        if (next !== undefined) {
          if (this.buffered.length < PAUSE_ABOVE_BUFFERED / 2 && this.call.isPaused()) this.call.resume();
          yield next;
          continue;
        }
        if (this.settled) {
          if (this.settled.kind === 'failed') throw this.settled.error;
          return;
        }
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      this.cancel();
    }
  }

  private onData(raw: unknown): void {
    if (this.settled) return;
    try {
      this.buffered.push(this.map(raw as never));
    } catch (error) {
      this.cancelled = true;
      this.call.cancel();
      this.finish({ kind: 'failed', error: error instanceof Error ? error : new Error(String(error)) });
      return;
    }
    if (this.buffered.length >= PAUSE_ABOVE_BUFFERED) this.call.pause();
    this.notify();
  }

  private finish(settled: Settled): void {
    if (this.settled) return;
    this.settled = settled;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
