import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { formatBtc } from '../btc';
import { CsvFile, csvRecord } from '../csv';
import type { LedgerEntryRecord } from '../items';

export const JOURNAL_COLUMNS = ['created_at', 'entry_id', 'merchant_id', 'account_id', 'type', 'amount_msat', 'amount_btc', 'reference_id'] as const;

/** Rows held in memory before a sorted run goes to disk: the journal's whole memory bound (~10 MB). */
export const DEFAULT_SORT_CHUNK_ROWS = 25_000;

/**
 * A row is one string, `<created_at> <entry id>` NUL `<CSV record>`: one allocation instead
 * of three, and plain string order is (created_at, id) order, because the key has no NUL in
 * it (ids are [0-9a-z_], times are normalised) and a key that is a prefix of another sorts first.
 */
type Row = string;
const SEPARATOR = '\u0000';

const byKey = (a: Row, b: Row) => (a < b ? -1 : a > b ? 1 : 0);
const recordOf = (row: Row) => row.slice(row.indexOf(SEPARATOR) + 1);

/**
 * journal.csv, sorted by (created_at, entry id) whatever order the export hands entries over,
 * in bounded memory: an external merge sort. Rows are collected in chunks; each full chunk is
 * sorted and written to a temporary run file; at the end the runs are merged into the CSV.
 */
export class JournalWriter {
  private chunk: Row[] = [];
  private readonly runs: string[] = [];
  private tempDir: string | undefined;
  rows = 0;

  constructor(
    private readonly path: string,
    private readonly chunkRows = DEFAULT_SORT_CHUNK_ROWS,
  ) {}

  /** Takes one entry; returns a promise (to await) only when a full chunk goes to disk. */
  add(entry: LedgerEntryRecord, amountMsat: bigint): Promise<void> | undefined {
    this.rows++;
    const record = csvRecord([entry.created_at, entry.id, entry.merchant_id, entry.account_id, entry.type, amountMsat, formatBtc(amountMsat), entry.reference_id]);
    this.chunk.push(`${entry.created_at} ${entry.id}${SEPARATOR}${record}`);
    return this.chunk.length >= this.chunkRows ? this.spill() : undefined;
  }

  private async spill(): Promise<void> {
    this.chunk.sort(byKey);
    this.tempDir ??= await mkdtemp(join(tmpdir(), 'journal-sort-'));
    const path = join(this.tempDir, `run-${this.runs.length}.jsonl`);
    const out = createWriteStream(path, { encoding: 'utf8' });
    let buffer = '';
    for (const row of this.chunk) {
      // JSON lines: a CSV record may hold a quoted line break, a JSON string never does.
      buffer += JSON.stringify(row) + '\n';
      if (buffer.length >= 64 * 1024) {
        if (!out.write(buffer)) await once(out, 'drain');
        buffer = '';
      }
    }
    out.end(buffer);
    await once(out, 'finish');
    this.runs.push(path);
    this.chunk = [];
  }

  async finish(): Promise<void> {
    const csv = new CsvFile(this.path, JOURNAL_COLUMNS);
    try {
      if (this.runs.length === 0) {
        this.chunk.sort(byKey);
        for (const row of this.chunk) await csv.push(recordOf(row));
        this.chunk = [];
      } else {
        if (this.chunk.length > 0) await this.spill();
        await this.merge(csv);
      }
      await csv.close();
    } catch (error) {
      csv.destroy();
      throw error;
    } finally {
      await this.cleanUp();
    }
  }

  /** k-way merge of the sorted runs through a binary min-heap. */
  private async merge(csv: CsvFile): Promise<void> {
    const readers = this.runs.map((path) => createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity })[Symbol.asyncIterator]());
    const heap: Array<{ row: Row; reader: number }> = [];
    const push = (item: { row: Row; reader: number }) => {
      heap.push(item);
      for (let i = heap.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (byKey(heap[parent]!.row, heap[i]!.row) <= 0) break;
        [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
        i = parent;
      }
    };
    const pop = () => {
      const top = heap[0]!;
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        for (let i = 0; ; ) {
          const left = 2 * i + 1;
          const right = left + 1;
          let smallest = i;
          if (left < heap.length && byKey(heap[left]!.row, heap[smallest]!.row) < 0) smallest = left;
          if (right < heap.length && byKey(heap[right]!.row, heap[smallest]!.row) < 0) smallest = right;
          if (smallest === i) break;
          [heap[smallest], heap[i]] = [heap[i]!, heap[smallest]!];
          i = smallest;
        }
      }
      return top;
    };
    const next = async (reader: number) => {
      const line = await readers[reader]!.next();
      if (!line.done) push({ row: JSON.parse(line.value) as Row, reader });
    };
    for (let reader = 0; reader < readers.length; reader++) await next(reader);
    while (heap.length > 0) {
      const { row, reader } = pop();
      await csv.push(recordOf(row));
      await next(reader);
    }
  }

  async cleanUp(): Promise<void> {
    this.chunk = [];
    if (this.tempDir) await rm(this.tempDir, { recursive: true, force: true });
    this.tempDir = undefined;
  }
}
