import { LightningPaymentsError } from './errors.js';
import type { Page } from './types.js';

/** Fetches one page: `cursor` is undefined for the first one. */
export type PageFetcher<Item> = (cursor: string | undefined) => Promise<Page<Item>>;

/**
 * Every item of a list, newest first, fetching the next page only when the previous one is
 * used up (`for await (const invoice of paginate(...))`; `break` stops fetching).
 */
export async function* paginate<Item>(fetchPage: PageFetcher<Item>): AsyncGenerator<Item, void, undefined> {
  let cursor: string | undefined;
  for (;;) {
    const page = await fetchPage(cursor);
    yield* page.data;
    if (!page.has_more || page.next_cursor === null) return;
    if (page.next_cursor === cursor) throw new LightningPaymentsError(`the API returned the same next_cursor twice (${cursor}): stopping instead of looping`);
    cursor = page.next_cursor;
  }
}

/** Every item of a list in an array: for lists known to be short. */
export async function collect<Item>(items: AsyncIterable<Item>): Promise<Item[]> {
  const all: Item[] = [];
  for await (const item of items) all.push(item);
  return all;
}
