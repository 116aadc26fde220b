import type { NativeItem } from '../dynamodb-json';

/**
 * A batch of items from one place (the lines of one decompressed chunk, one Scan page),
 * each decoded only when asked for: the report takes them one at a time, so each item's
 * objects die young and cheaply, instead of a whole batch of parsed items living long enough
 * to be promoted to the old generation.
 */
export interface ItemBatch {
  /** Where the items come from, for messages: a file path or URL, or a scan page. */
  readonly file: string;
  readonly size: number;
  /** The line (or position in the page) of item `index`, for messages. */
  lineOf(index: number): number;
  /** Item `index`, or undefined for a blank line; throws a message naming file and line when it is not an item. */
  itemAt(index: number): NativeItem | undefined;
}

/** Items counted against what the export's manifests promise. */
export interface FileCompleteness {
  file: string;
  expected: number;
  read: number;
}

export interface Completeness {
  files: FileCompleteness[];
  expectedTotal: number;
  readTotal: number;
}

/** Where the items come from: an export (directory or S3) or a live table scan. */
export interface ItemSource {
  /** For the report header: "export arn:... (2026-11-21T00:05:00Z)", "table shop-prod (live scan)". */
  readonly description: string;
  /** Point in time the data stands for: the export time, or the start of a scan. */
  readonly asOf: string;
  /** Number of data files to read (for progress), when known. */
  readonly fileCount?: number;
  batches(): AsyncGenerator<ItemBatch>;
  /** Exports only, after items() is done: items read per data file against the manifests. */
  completeness(): Completeness | undefined;
}
