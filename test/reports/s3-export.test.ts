import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../reports/errors';
import { runReport } from '../../reports/report';
import { writeSyntheticExport, type SyntheticExpected } from '../../reports/synthetic-export';

const BUCKET = 'finance-exports';
const PREFIX = 'exports';

describe('report on an export in S3', () => {
  const s3 = mockClient(S3Client);
  let root: string;
  let expected: SyntheticExpected;
  let olderExportTime: Date;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'report-s3-'));
    // Two exports under one prefix, as the daily schedule leaves them: the report takes the newest complete one.
    olderExportTime = new Date('2026-05-31T00:05:00.000Z');
    await writeSyntheticExport({ dir: join(root, 'bucket', PREFIX), ledgerEntries: 400, accounts: 20, exportTime: new Date('2026-05-30T00:05:00.000Z'), seed: 7 });
    ({ expected } = await writeSyntheticExport({ dir: join(root, 'bucket', PREFIX), ledgerEntries: 600, accounts: 30, exportTime: olderExportTime, seed: 8 }));
    // The newest one is still running: no manifest-summary.json yet.
    const running = await writeSyntheticExport({ dir: join(root, 'bucket', PREFIX), ledgerEntries: 50, accounts: 5, exportTime: new Date('2026-06-01T00:05:00.000Z'), seed: 9 });
    await unlink(join(running.folder, 'manifest-summary.json'));
  });

  afterEach(() => {
    s3.reset();
  });

  afterAll(async () => {
    s3.restore();
    await rm(root, { recursive: true, force: true });
  });

  /** Serves the bucket from the local folder: GetObject streams files, ListObjectsV2 lists folders. */
  function serveBucket(dataBody: (path: string) => Readable = (path) => createReadStream(path)) {
    s3.on(GetObjectCommand).callsFake(async (input: { Bucket: string; Key: string }) => {
      const path = join(root, 'bucket', input.Key);
      if (input.Bucket !== BUCKET || !existsSync(path) || (await stat(path)).isDirectory()) {
        throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
      }
      return { Body: path.endsWith('.json.gz') ? dataBody(path) : createReadStream(path) };
    });
    s3.on(ListObjectsV2Command).callsFake(async (input: { Bucket: string; Prefix: string; Delimiter: string }) => {
      const folder = join(root, 'bucket', input.Prefix);
      const names = existsSync(folder) ? (await readdir(folder, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name) : [];
      return { CommonPrefixes: names.map((name) => ({ Prefix: `${input.Prefix}${name}/` })), IsTruncated: false };
    });
  }

  it('finds the newest complete export under the prefix and reports on it, streaming each data file', async () => {
    serveBucket();
    const outDir = join(root, 'out-s3');

    const result = await runReport({ source: { kind: 'export-s3', bucket: BUCKET, prefix: PREFIX }, outDir, quiet: true }, { s3: new S3Client({ region: 'us-east-1' }) });

    expect(result.exitCode).toBe(0);
    expect(result.asOf).toBe(olderExportTime.toISOString());
    expect(result.itemsRead).toBe(expected.items);
    expect(result.totals.balances).toBe(expected.balancesMsat);
    expect(result.totals.ledgerAllTime.deposit.msat).toBe(expected.depositsMsat);
    const keys = s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Key!);
    expect(keys[0]).toBe(`${PREFIX}/manifest-summary.json`);
    expect(keys.filter((key) => key.endsWith('.json.gz'))).toHaveLength(8);
    expect(s3.commandCalls(ListObjectsV2Command)[0]!.args[0].input).toMatchObject({ Bucket: BUCKET, Prefix: `${PREFIX}/AWSDynamoDB/`, Delimiter: '/' });
  });

  it('writes the same reports from S3 as from the same export on disk', async () => {
    serveBucket();
    const fromS3 = join(root, 'out-compare-s3');
    const fromDisk = join(root, 'out-compare-disk');
    const folder = (await readdir(join(root, 'bucket', PREFIX, 'AWSDynamoDB'))).sort()[1]!;

    await runReport({ source: { kind: 'export-s3', bucket: BUCKET, prefix: `${PREFIX}/AWSDynamoDB/${folder}` }, outDir: fromS3, quiet: true }, { s3: new S3Client({ region: 'us-east-1' }) });
    await runReport({ source: { kind: 'export-dir', dir: join(root, 'bucket', PREFIX, 'AWSDynamoDB', folder) }, outDir: fromDisk, quiet: true });

    for (const file of ['journal.csv', 'balances.csv', 'daily.csv', 'open-items.csv']) {
      expect(await readFile(join(fromS3, file), 'utf8'), file).toBe(await readFile(join(fromDisk, file), 'utf8'));
    }
  });

  it('fails with the object URL when a download breaks off', async () => {
    serveBucket((path) => {
      const broken = new Readable({ read() {} });
      void readFile(path).then((bytes) => {
        broken.push(bytes.subarray(0, 20));
        broken.destroy(new Error('socket hang up'));
      });
      return broken;
    });

    const error = await runReport({ source: { kind: 'export-s3', bucket: BUCKET, prefix: PREFIX }, outDir: join(root, 'out-broken'), quiet: true }, { s3: new S3Client({ region: 'us-east-1' }) }).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/^s3:\/\/finance-exports\/exports\/AWSDynamoDB\/[^/]+\/data\/[a-z0-9]+\.json\.gz.*socket hang up/);
  });

  it('fails with the object URL when S3 refuses a manifest', async () => {
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));

    const error = await runReport({ source: { kind: 'export-s3', bucket: BUCKET, prefix: PREFIX }, outDir: join(root, 'out-denied'), quiet: true }, { s3: new S3Client({ region: 'us-east-1' }) }).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe('cannot read s3://finance-exports/exports/manifest-summary.json: Access Denied');
  });

  it('says so when the prefix holds no complete export', async () => {
    serveBucket();

    const error = await runReport({ source: { kind: 'export-s3', bucket: BUCKET, prefix: 'elsewhere' }, outDir: join(root, 'out-none'), quiet: true }, { s3: new S3Client({ region: 'us-east-1' }) }).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe('no DynamoDB export found at s3://finance-exports/elsewhere/: expected manifest-summary.json there, or a complete export under AWSDynamoDB/<ExportId>/');
  });
});
