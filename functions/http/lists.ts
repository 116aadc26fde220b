import type { Page } from '../lib/table/page';

/** The contract's list shape. */
export interface ListBody<T> {
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

export function listResponse<Item, T>(page: Page<Item>, show: (item: Item) => T): ListBody<T> {
  return { data: page.items.map(show), has_more: page.hasMore, next_cursor: page.nextCursor };
}

export const DEFAULT_LIMIT = 20;
