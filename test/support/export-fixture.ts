import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

/** A DynamoDB item in DynamoDB JSON, as Scan returns it and as exports store it. */
export type DynamoItem = Record<string, AttributeValue>;

export interface WriteExportOptions {
  client: DynamoDBClient;
  tableName: string;
  /** The export goes to `<dir>/AWSDynamoDB/<ExportId>/`, as under an S3 prefix. */
  dir: string;
  /** The point in time the export stands for. @default now */
  exportTime?: Date;
  /** Number of data files; items are spread by partition key, as DynamoDB spreads them by partition. @default 3 */
  dataFiles?: number;
  /** The S3 prefix the manifests name in their keys. @default 'exports' */
  s3Prefix?: string;
  /** Changes, drops or adds items after the scan and before writing: tampering, for tests. */
  transform?: (items: DynamoItem[]) => DynamoItem[];
}

export interface WrittenExport {
  exportId: string;
  /** The folder holding manifest-summary.json. */
  folder: string;
  dataFiles: string[];
  itemCount: number;
}

/**
 * Writes what ExportTableToPointInTime would write for the table as it is now: gzip data
 * files of `{"Item": {...}}` lines in DynamoDB JSON, manifest-files.json (JSON lines with
 * itemCount, md5Checksum, etag, dataFileS3Key), manifest-summary.json, the .checksum files
 * and the empty _started marker. The items come from a real Scan of the table.
 */
export async function writeExportOfTable(options: WriteExportOptions): Promise<WrittenExport> {
  const scanned: DynamoItem[] = [];
  let startKey: DynamoItem | undefined;
  do {
    const page = await options.client.send(new ScanCommand({ TableName: options.tableName, ExclusiveStartKey: startKey, ConsistentRead: true }));
    scanned.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const items = options.transform ? options.transform(scanned) : scanned;
  return writeExportLayout({ ...options, items, tableArn: `arn:aws:dynamodb:us-east-1:123456789012:table/${options.tableName}` });
}

export async function writeExportLayout(input: {
  dir: string;
  items: Iterable<DynamoItem>;
  tableArn: string;
  exportTime?: Date;
  dataFiles?: number;
  s3Prefix?: string;
}): Promise<WrittenExport> {
  const exportTime = input.exportTime ?? new Date();
  const fileCount = input.dataFiles ?? 3;
  const s3Prefix = input.s3Prefix ?? 'exports';
  // ExportIds start with the export's epoch milliseconds, so they sort by time.
  const exportId = `${String(exportTime.getTime()).padStart(14, '0')}-${randomBytes(4).toString('hex')}`;
  const folder = join(input.dir, 'AWSDynamoDB', exportId);
  await mkdir(join(folder, 'data'), { recursive: true });
  await writeFile(join(folder, '_started'), '');

  const lines: string[][] = Array.from({ length: fileCount }, () => []);
  for (const item of input.items) {
    const partition = createHash('md5').update(item.pk?.S ?? '').digest().readUInt32BE(0) % fileCount;
    lines[partition]!.push(JSON.stringify({ Item: item }));
  }

  const manifestLines: string[] = [];
  const dataFiles: string[] = [];
  let itemCount = 0;
  for (const fileLines of lines) {
    const name = `${randomBytes(13).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, 'x')}.json.gz`;
    const gz = gzipSync(fileLines.map((line) => `${line}\n`).join(''));
    const path = join(folder, 'data', name);
    await writeFile(path, gz);
    dataFiles.push(path);
    itemCount += fileLines.length;
    manifestLines.push(
      JSON.stringify({
        itemCount: fileLines.length,
        md5Checksum: createHash('md5').update(gz).digest('base64'),
        etag: createHash('md5').update(gz).digest('hex'),
        dataFileS3Key: `${s3Prefix}/AWSDynamoDB/${exportId}/data/${name}`,
      }),
    );
  }
  const manifestFiles = manifestLines.map((line) => `${line}\n`).join('');
  await writeFile(join(folder, 'manifest-files.json'), manifestFiles);
  await writeFile(join(folder, 'manifest-files.checksum'), createHash('md5').update(manifestFiles).digest('hex'));
  const iso = exportTime.toISOString();
  const summary = JSON.stringify({
    version: '2020-06-30',
    exportArn: `${input.tableArn}/export/${exportId}`,
    startTime: iso,
    endTime: iso,
    tableArn: input.tableArn,
    tableId: '12345a12-abcd-123a-ab12-1234abc12345',
    exportTime: iso,
    s3Bucket: 'finance-exports',
    s3Prefix,
    s3SseAlgorithm: 'AES256',
    s3SseKmsKeyId: null,
    manifestFilesS3Key: `${s3Prefix}/AWSDynamoDB/${exportId}/manifest-files.json`,
    billedSizeBytes: 0,
    itemCount,
    outputFormat: 'DYNAMODB_JSON',
    exportType: 'FULL_EXPORT',
  });
  await writeFile(join(folder, 'manifest-summary.json'), summary);
  await writeFile(join(folder, 'manifest-summary.checksum'), createHash('md5').update(summary).digest('hex'));
  return { exportId, folder, dataFiles, itemCount };
}

/** Rewrites one gzip data file line by line (to corrupt a line, for example), leaving the manifests alone. */
export async function rewriteDataFile(path: string, change: (lines: string[]) => string[]): Promise<void> {
  const lines = gunzipSync(await readFile(path)).toString('utf8').split('\n').filter((line) => line !== '');
  await writeFile(path, gzipSync(change(lines).map((line) => `${line}\n`).join('')));
}

/** The data file holding the item whose pk and sk match, with its line number (1-based). */
export async function findItemLine(written: WrittenExport, match: (item: DynamoItem) => boolean): Promise<{ path: string; line: number }> {
  for (const path of written.dataFiles) {
    const lines = gunzipSync(await readFile(path)).toString('utf8').split('\n');
    const index = lines.findIndex((line) => line !== '' && match((JSON.parse(line) as { Item: DynamoItem }).Item));
    if (index !== -1) return { path, line: index + 1 };
  }
  throw new Error('no such item in the export');
}
