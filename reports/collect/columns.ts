/*
 * Per-object state kept in typed-array columns, one row per object, instead of one JS object
 * per invoice or withdrawal: a row costs a few dozen bytes plus its id in the row index, so a
 * million objects fit in tens of megabytes and add almost nothing for the garbage collector
 * to trace. Money columns are BigInt64Array: exact integers, never floats.
 */

type Column = Int8Array | Uint8Array | Int32Array | Uint32Array | BigInt64Array;

/** No amount (a null in the item, or no entry seen yet) in an int64 money column. */
export const NO_AMOUNT = -(2n ** 63n);

export function grown<T extends Column>(column: T, capacity: number, fill?: number | bigint): T {
  const next = new (column.constructor as new (length: number) => T)(capacity);
  next.set(column as never);
  if (fill !== undefined) (next as { fill(value: number | bigint, start: number): unknown }).fill(fill as never, column.length);
  return next;
}

export const amountOrNull = (value: bigint): bigint | null => (value === NO_AMOUNT ? null : value);
export const amountOrNone = (value: number | null | undefined): bigint => (value === null || value === undefined ? NO_AMOUNT : BigInt(value));

/** id → row number; rows are handed out in order, and the book grows its columns to match. */
export class RowIndex {
  private readonly rows = new Map<string, number>();
  capacity = 0;

  get size(): number {
    return this.rows.size;
  }

  has(id: string): boolean {
    return this.rows.has(id);
  }

  /** The object's row, and whether it is new (the columns may need to grow first). */
  rowOf(id: string, grow: (capacity: number) => void): number {
    let row = this.rows.get(id);
    if (row === undefined) {
      row = this.rows.size;
      if (row >= this.capacity) {
        this.capacity = Math.max(1024, this.capacity * 2);
        grow(this.capacity);
      }
      this.rows.set(id, row);
    }
    return row;
  }

  entries(): IterableIterator<[string, number]> {
    return this.rows.entries();
  }
}

/**
 * One kind of entry referencing an object, per row: how many, and the first one's amount.
 * (A second entry of a kind that must appear once is already the finding.)
 */
export class TallyColumns {
  count = new Uint32Array(0);
  first = new BigInt64Array(0);

  grow(capacity: number): void {
    this.count = grown(this.count, capacity);
    this.first = grown(this.first, capacity, NO_AMOUNT);
  }

  note(row: number, amountMsat: bigint): void {
    if (this.count[row]!++ === 0) this.first[row] = amountMsat;
  }

  view(row: number): Tally {
    return { count: this.count[row]!, firstMsat: amountOrNull(this.first[row]!) };
  }
}

export interface Tally {
  count: number;
  firstMsat: bigint | null;
}

/** Which account an object's entries were booked in: -1 none yet, -2 more than one. */
export class AccountColumn {
  values = new Int32Array(0);

  grow(capacity: number): void {
    this.values = grown(this.values, capacity, -1);
  }

  note(row: number, account: number): void {
    const current = this.values[row]!;
    if (current === -1) this.values[row] = account;
    else if (current !== account) this.values[row] = MIXED_ACCOUNTS;
  }
}

export const MIXED_ACCOUNTS = -2;
