import type { IdPrefix } from '../ids';
import { isIdOf } from '../ids';
import type { Table } from './client';
import { keys, merchantListKey, type Key, type ListKind } from './keys';
import { queryPage, type Page } from './page';

export interface MerchantListRequest {
  merchantId: string;
  kind: ListKind;
  idPrefix: IdPrefix;
  /** The object's own key from its id (keys.invoice, keys.account, ...). */
  keyOf(id: string): Key;
  limit: number;
  cursor: string | undefined;
  /** Equality filters on the item's attributes; undefined values are ignored. */
  where?: Record<string, string | undefined>;
}

/** A merchant's objects of one kind, newest first, from gsi1 (see SINGLE-TABLE.md). */
export async function listMerchantObjects<T>(table: Table, request: MerchantListRequest): Promise<Page<T>> {
  const { gsi1pk } = merchantListKey(request.merchantId, request.kind, '');
  const conditions = Object.entries(request.where ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined);
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':gsi1pk': gsi1pk };
  conditions.forEach(([attribute, value], index) => {
    names[`#f${index}`] = attribute;
    values[`:f${index}`] = value;
  });
  return queryPage<T>(table, {
    kind: request.kind,
    limit: request.limit,
    cursor: request.cursor,
    indexName: 'gsi1',
    keyCondition: 'gsi1pk = :gsi1pk',
    values,
    names: conditions.length > 0 ? names : undefined,
    filter: conditions.length > 0 ? conditions.map((_, index) => `#f${index} = :f${index}`).join(' AND ') : undefined,
    startKeyOf: (id) => (isIdOf(request.idPrefix, id) ? { gsi1pk, gsi1sk: id, ...request.keyOf(id) } : undefined),
    idOf: (item) => String(item.gsi1sk),
  });
}

/** An account's ledger entries, newest first, from the account's own partition. */
export async function listLedgerEntries<T>(
  table: Table,
  request: { accountId: string; limit: number; cursor: string | undefined; idPrefix: IdPrefix },
): Promise<Page<T>> {
  const pk = keys.account(request.accountId).pk;
  return queryPage<T>(table, {
    kind: 'LEDGER',
    limit: request.limit,
    cursor: request.cursor,
    keyCondition: 'pk = :pk AND begins_with(sk, :prefix)',
    values: { ':pk': pk, ':prefix': keys.ledgerEntryPrefix },
    startKeyOf: (id) => (isIdOf(request.idPrefix, id) ? { ...keys.ledgerEntry(request.accountId, id) } : undefined),
    idOf: (item) => String(item.sk).slice(keys.ledgerEntryPrefix.length),
  });
}
