import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../errors';
import type { Table } from './client';

/**
 * One page of a newest-first list, as the API shows lists: `{data, has_more, next_cursor}`.
 *
 * The cursor is opaque to clients but holds only the last id shown (plus the list's kind):
 * the partition to continue in always comes from the caller (the authenticated merchant),
 * never from the cursor, so no cursor can reach another merchant's data. A cursor that does
 * not decode to an id of the right kind is refused (400 validation_failed, param cursor).
 *
 * Filters are DynamoDB FilterExpressions over the per-merchant index: a page reads on until
 * it has `limit + 1` matches (so `has_more` is exact) or the list ends. A very selective
 * filter over a very long list stops after `maxReads` reads and answers the matches so far
 * with `has_more: true` and a cursor at the last item read; following it continues the scan.
 */
export interface PageRequest {
  /** Names the list in the cursor, so one list's cursor is refused by another. */
  kind: string;
  limit: number;
  cursor: string | undefined;
  /** Index and key condition of the list (values for its placeholders included). */
  indexName?: string;
  keyCondition: string;
  values: Record<string, unknown>;
  names?: Record<string, string>;
  filter?: string;
  /** Checks a cursor's id and turns it into the query's ExclusiveStartKey. */
  startKeyOf(id: string): Record<string, unknown> | undefined;
  /** The id a cursor continues after, from an item or a LastEvaluatedKey. */
  idOf(itemOrKey: Record<string, unknown>): string;
  /** @default 10 */
  maxReads?: number;
}

export interface Page<T> {
  items: T[];
  hasMore: boolean;
  nextCursor: string | null;
}

export async function queryPage<T>(table: Table, request: PageRequest): Promise<Page<T>> {
  let startKey = request.cursor === undefined ? undefined : decodeCursor(request);
  const wanted = request.limit + 1;
  const items: Record<string, unknown>[] = [];
  const maxReads = request.maxReads ?? 10;
  for (let reads = 1; ; reads++) {
    const input: QueryCommandInput = {
      TableName: table.name,
      IndexName: request.indexName,
      KeyConditionExpression: request.keyCondition,
      FilterExpression: request.filter,
      ExpressionAttributeValues: request.values,
      ExpressionAttributeNames: request.names,
      ScanIndexForward: false,
      ExclusiveStartKey: startKey,
      // Without a filter every item read is shown; with one, read in larger steps.
      Limit: request.filter ? Math.max(wanted, 100) : wanted - items.length,
    };
    const page = await table.doc.send(new QueryCommand(input));
    items.push(...((page.Items ?? []) as Record<string, unknown>[]));
    startKey = page.LastEvaluatedKey;
    if (items.length >= wanted || !startKey) break;
    if (reads >= maxReads) {
      return { items: items as T[], hasMore: true, nextCursor: encodeCursor(request.kind, request.idOf(startKey)) };
    }
  }
  const hasMore = items.length > request.limit;
  const shown = items.slice(0, request.limit);
  const last = shown[shown.length - 1];
  return {
    items: shown as T[],
    hasMore,
    nextCursor: hasMore && last ? encodeCursor(request.kind, request.idOf(last)) : null,
  };
}

export function encodeCursor(kind: string, id: string): string {
  return Buffer.from(`${kind}:${id}`, 'utf8').toString('base64url');
}

function decodeCursor(request: PageRequest): Record<string, unknown> {
  const cursor = request.cursor ?? '';
  const refused = () => new ValidationError('cursor is not a next_cursor of this list', { param: 'cursor' });
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(cursor)) throw refused();
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const prefix = `${request.kind}:`;
  if (!decoded.startsWith(prefix)) throw refused();
  const startKey = request.startKeyOf(decoded.slice(prefix.length));
  if (!startKey) throw refused();
  return startKey;
}
