import type { PaymentUpdate } from '../../../functions/lib/node/node-types';

/** Every item of a stream until it ends or fails; a failure is returned, not thrown. */
export async function drain<T>(stream: AsyncIterable<T>): Promise<{ items: T[]; error: unknown }> {
  const items: T[] = [];
  try {
    for await (const item of stream) items.push(item);
  } catch (error) {
    return { items, error };
  }
  return { items, error: undefined };
}

/** The last update of a payment stream that must end by itself with a final one. */
export async function finalUpdate(stream: AsyncIterable<PaymentUpdate>): Promise<{ final: PaymentUpdate; updates: PaymentUpdate[] }> {
  const { items, error } = await drain(stream);
  if (error !== undefined) throw error;
  const final = items.at(-1);
  if (!final) throw new Error('payment stream ended without any update');
  return { final, updates: items };
}
