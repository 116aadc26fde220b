import { type ServerWritableStream, status as GrpcStatus } from '@grpc/grpc-js';

interface OpenStream {
  call: ServerWritableStream<unknown, unknown>;
  release: () => void;
}

/** Every server stream in progress, so a simulated network fault can cut them all. */
export class OpenStreams {
  private readonly streams = new Set<OpenStream>();

  /**
   * Registers a stream; `release` drops its event subscriptions. Returns a
   * function that closes the stream normally (OK status).
   */
  track(call: ServerWritableStream<unknown, unknown>, release: () => void): () => void {
    const entry: OpenStream = { call, release };
    this.streams.add(entry);
    const forget = (): void => {
      if (!this.streams.delete(entry)) return;
      release();
    };
    call.on('cancelled', forget);
    call.on('finish', forget);
    return () => {
      forget();
      call.end();
    };
  }

  /** Forgets a stream without ending it or releasing it; false when it was already cut or cancelled. */
  untrack(call: ServerWritableStream<unknown, unknown>): boolean {
    for (const entry of this.streams) {
      if (entry.call !== call) continue;
      this.streams.delete(entry);
      return true;
    }
    return false;
  }

  get size(): number {
    return this.streams.size;
  }

  /** Ends every stream with UNAVAILABLE, as a dropped connection would look to clients. */
  dropAll(details = 'connection dropped by simulated network fault'): number {
    const entries = [...this.streams];
    for (const entry of entries) {
      this.streams.delete(entry);
      entry.release();
      entry.call.emit('error', { code: GrpcStatus.UNAVAILABLE, details });
    }
    return entries.length;
  }
}
