import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

/** RFC 4180: records end with CRLF. */
export const CSV_EOL = '\r\n';

const NEEDS_QUOTES = /[",\r\n]/;

export type CsvValue = string | number | bigint | boolean | null | undefined;

/** One field, quoted only when it holds a comma, a double quote, CR or LF; quotes inside are doubled. */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record without its line break. */
export function csvRecord(values: readonly CsvValue[]): string {
  return values.map(csvField).join(',');
}

/**
 * A CSV file written as rows arrive: a header first, then records, buffered into large
 * writes and respecting the stream's backpressure, so memory stays flat.
 */
export class CsvFile {
  private readonly stream: WriteStream;
  private buffer = '';
  private rows = 0;
  private failure: Error | undefined;

  constructor(readonly path: string, header: readonly string[]) {
    this.stream = createWriteStream(path, { encoding: 'utf8' });
    // Kept and thrown on the next write, so a full disk fails the report instead of crashing it.
    this.stream.on('error', (error) => {
      this.failure ??= error;
    });
    this.buffer = csvRecord(header) + CSV_EOL;
  }

  get rowCount(): number {
    return this.rows;
  }

  /** Appends one record; await it so a slow disk slows the reader instead of filling memory. */
  async write(values: readonly CsvValue[]): Promise<void> {
    await this.writeLine(csvRecord(values));
  }

  /** Appends a record that is already CSV text (no line break). */
  async writeLine(record: string): Promise<void> {
    await this.push(record);
  }

  /**
   * Appends a record and hands back a promise only when the buffer went to the disk: the hot
   * path of the journal awaits nothing for the 99% of records that just land in the buffer.
   */
  push(record: string): Promise<void> | undefined {
    this.rows++;
    this.buffer += record + CSV_EOL;
    return this.buffer.length >= 64 * 1024 ? this.flush() : undefined;
  }

  private async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.buffer === '') return;
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
  }

  /** Closes the file after a failure without waiting on a broken stream. */
  destroy(): void {
    this.stream.destroy();
  }
}
