import type { Payment } from '../../../functions/lib/lnd';

/** Reads the next n items of an async iterator, failing after timeoutMs. */
export async function takeNext<T>(iterator: AsyncIterator<T>, count: number, timeoutMs = 3_000): Promise<T[]> {
  const items: T[] = [];
  const deadline = Date.now() + timeoutMs;
  while (items.length < count) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${items.length}/${count} items`)), deadline - Date.now());
    });
    try {
      const next = await Promise.race([iterator.next(), timeout]);
      if (next.done) throw new Error(`stream ended after ${items.length}/${count} items`);
      items.push(next.value);
    } finally {
      clearTimeout(timer);
    }
  }
  return items;
}

/** Every message of a stream that is expected to end by itself. */
export async function collectAll<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

export async function finalPayment(stream: AsyncIterable<Payment>): Promise<Payment> {
  const updates = await collectAll(stream);
  const last = updates.at(-1);
  if (!last) throw new Error('payment stream ended without any update');
  return last;
}

/** Waits for a condition that becomes true asynchronously. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 3_000, stepMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}
