import { posix } from 'node:path';
import { pipeline } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import * as z from 'zod';
import { parseExportLine, type NativeItem } from './dynamodb-json';
import { InputError } from './errors';
import type { ExportStore } from './sources/export-store';
import type { Completeness, FileCompleteness, ItemBatch, ItemSource } from './sources/item-source';

/*
 * DynamoDB's export layout (DYNAMODB_JSON, full export):
 *
 *   <prefix>/AWSDynamoDB/<ExportId>/manifest-summary.json   written last: its presence means complete
 *   <prefix>/AWSDynamoDB/<ExportId>/manifest-files.json     JSON lines: {itemCount, md5Checksum, etag, dataFileS3Key}
 *   <prefix>/AWSDynamoDB/<ExportId>/data/<name>.json.gz     gzip, JSON lines: {"Item": {...DynamoDB JSON...}}
 */

const EXPORTS_FOLDER = 'AWSDynamoDB';
const SUMMARY = 'manifest-summary.json';
const FILES = 'manifest-files.json';

const summarySchema = z.object({
  version: z.string().optional(),
  exportArn: z.string().optional(),
  tableArn: z.string().optional(),
  exportTime: z.string().refine((value) => !Number.isNaN(new Date(value).getTime()), 'exportTime must be a timestamp'),
  itemCount: z.number().int().nonnegative(),
  outputFormat: z.string().optional(),
  exportType: z.string().optional(),
});
export type ExportSummary = z.output<typeof summarySchema>;

const fileEntrySchema = z.object({
  itemCount: z.number().int().nonnegative(),
  dataFileS3Key: z.string().min(1),
  md5Checksum: z.string().optional(),
  etag: z.string().optional(),
});

export interface LocatedExport {
  /** The export's folder, relative to the store's root ('' when the root is that folder). */
  folder: string;
  summary: ExportSummary;
  files: Array<{ path: string; itemCount: number }>;
}

/**
 * Finds the export: the store's root itself when it holds manifest-summary.json, else the
 * newest complete export under AWSDynamoDB/ (ExportIds start with a millisecond timestamp,
 * so they sort by time; one without a summary is still running or failed, and is skipped).
 */
export async function locateExport(store: ExportStore): Promise<LocatedExport> {
  const direct = await store.readText(SUMMARY);
  if (direct !== undefined) return readManifests(store, '', direct);
  const exportIds = (await store.listFolders(EXPORTS_FOLDER)).sort().reverse();
  for (const exportId of exportIds) {
    const folder = `${EXPORTS_FOLDER}/${exportId}`;
    const summary = await store.readText(`${folder}/${SUMMARY}`);
    if (summary !== undefined) return readManifests(store, folder, summary);
  }
  throw new InputError(
    `no DynamoDB export found at ${store.label('')}: expected ${SUMMARY} there, or a complete export under ${EXPORTS_FOLDER}/<ExportId>/`,
  );
}

async function readManifests(store: ExportStore, folder: string, summaryText: string): Promise<LocatedExport> {
  const summaryPath = posix.join(folder, SUMMARY);
  const summary = parseJson(summarySchema, summaryText, store.label(summaryPath));
  if (summary.outputFormat !== undefined && summary.outputFormat !== 'DYNAMODB_JSON') {
    throw new InputError(`${store.label(summaryPath)}: outputFormat ${summary.outputFormat} is not supported; export with DYNAMODB_JSON`);
  }
  if (summary.exportType !== undefined && summary.exportType !== 'FULL_EXPORT') {
    throw new InputError(`${store.label(summaryPath)}: exportType ${summary.exportType} is not supported; reconciliation needs a FULL_EXPORT`);
  }
  const filesPath = posix.join(folder, FILES);
  const filesText = await store.readText(filesPath);
  if (filesText === undefined) throw new InputError(`${store.label(filesPath)} is missing: the export is incomplete`);
  const files = filesText
    .split('\n')
    .map((line, index) => ({ line: line.trim(), index }))
    .filter(({ line }) => line !== '')
    .map(({ line, index }) => {
      const entry = parseJson(fileEntrySchema, line, `${store.label(filesPath)}:${index + 1}`);
      // Keys name the original bucket layout; an export copied elsewhere keeps data/<name>.
      return { path: posix.join(folder, 'data', posix.basename(entry.dataFileS3Key)), itemCount: entry.itemCount };
    });
  return { folder, summary, files };
}

function parseJson<T extends z.ZodType>(schema: T, text: string, where: string): z.output<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${where}: not JSON (${(error as Error).message})`);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InputError(`${where}: ${result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`);
  }
  return result.data;
}

/** Streams every item of an export, one gzip file and one line at a time. */
export class ExportItemSource implements ItemSource {
  readonly description: string;
  readonly asOf: string;
  readonly fileCount: number;
  private readonly counted: FileCompleteness[] = [];

  constructor(
    private readonly store: ExportStore,
    private readonly located: LocatedExport,
  ) {
    const { summary } = located;
    this.asOf = new Date(summary.exportTime).toISOString();
    this.fileCount = located.files.length;
    this.description = `export ${summary.exportArn ?? store.label(located.folder)} (export time ${this.asOf})`;
  }

  static async open(store: ExportStore): Promise<ExportItemSource> {
    return new ExportItemSource(store, await locateExport(store));
  }

  async *batches(): AsyncGenerator<ItemBatch> {
    for (const file of this.located.files) {
      const label = this.store.label(file.path);
      let source;
      try {
        source = await this.store.open(file.path);
      } catch (error) {
        throw new InputError(`${label}: cannot read the data file (${(error as Error).message})`, { cause: error });
      }
      const gunzip = createGunzip();
      // pipeline destroys the gunzip on a read error too, which ends the loop below with that error.
      pipeline(source, gunzip, () => {});
      const splitter = new LineSplitter();
      const counted: FileCompleteness = { file: label, expected: file.itemCount, read: 0 };
      try {
        for await (const chunk of gunzip) {
          const batch = new LineBatch(label, splitter.lineNumber, splitter.push(chunk as Buffer), counted);
          if (batch.size > 0) yield batch;
        }
        const batch = new LineBatch(label, splitter.lineNumber, splitter.end(), counted);
        if (batch.size > 0) yield batch;
      } catch (error) {
        if (error instanceof InputError) throw error;
        const after = splitter.lineNumber > 1 ? ` after line ${splitter.lineNumber - 1}` : '';
        throw new InputError(`${label}${after}: cannot read the gzip data (${(error as Error).message})`, { cause: error });
      } finally {
        gunzip.destroy();
        source.destroy();
      }
      this.counted.push(counted);
    }
  }

  completeness(): Completeness {
    return {
      files: this.counted,
      expectedTotal: this.located.summary.itemCount,
      readTotal: this.counted.reduce((sum, file) => sum + file.read, 0),
    };
  }
}

/**
 * Splits decompressed bytes into lines (JSON lines: `\n`, tolerating `\r\n`), chunk by chunk:
 * the same job as readline, without readline's queue of up to 1,024 lines waiting for the
 * consumer, which kept every line alive long enough to be promoted to the old generation.
 */
/** Lines of one chunk, parsed one at a time when the report asks for them. */
class LineBatch implements ItemBatch {
  constructor(
    readonly file: string,
    private readonly firstLine: number,
    private readonly lines: string[],
    private readonly counted: FileCompleteness,
  ) {}

  get size(): number {
    return this.lines.length;
  }

  lineOf(index: number): number {
    return this.firstLine + index;
  }

  itemAt(index: number): NativeItem | undefined {
    const text = this.lines[index]!;
    if (text.trim() === '') return undefined;
    try {
      const item = parseExportLine(text);
      this.counted.read++;
      return item;
    } catch (error) {
      throw new InputError(`${this.file}:${this.lineOf(index)}: ${(error as Error).message}`);
    }
  }
}

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';
  /** 1-based number of the next line handed out. */
  lineNumber = 1;

  push(chunk: Buffer): string[] {
    const text = this.rest + this.decoder.write(chunk);
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    this.lineNumber += lines.length;
    return lines.map(withoutCarriageReturn);
  }

  end(): string[] {
    const text = this.rest + this.decoder.end();
    this.rest = '';
    if (text === '') return [];
    this.lineNumber++;
    return [withoutCarriageReturn(text)];
  }
}

const withoutCarriageReturn = (line: string) => (line.endsWith('\r') ? line.slice(0, -1) : line);
