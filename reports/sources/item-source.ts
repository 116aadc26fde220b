import type { NativeItem } from '../dynamodb-json';

/** One table item and where it came from, for error messages (`data/abc.json.gz:17`). */
export interface LocatedItem {
  item: NativeItem;
  file: string;
  line: number;
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
  items(): AsyncGenerator<LocatedItem>;
  /** Exports only, after items() is done: items read per data file against the manifests. */
  completeness(): Completeness | undefined;
}
