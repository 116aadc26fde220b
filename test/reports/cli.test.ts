import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDynamoDbClient } from '../../infra/local/dynamodb-local';
import { main } from '../../reports/cli';
import { findItemLine, rewriteDataFile, writeExportOfTable, type DynamoItem } from '../support/export-fixture';
import { dynamoDbEndpoint, useTestTable } from '../support/table';
import { EXPORT_TIME, runLedgerScenario, type Scenario } from './ledger-scenario';

const REPO = join(import.meta.dirname, '..', '..');

/**
 * `npm run report -- ...` as a real process: node + tsx on reports/cli.ts. One case runs it so
 * (exit code 1 and the streams, as a shell sees them); the others call the same `main`
 * in-process (`runInProcess`), without seconds of TypeScript loading per case.
 */
function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'reports/cli.ts', ...args], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function memoryIo() {
  const out = { stdout: '', stderr: '' };
  const sink = (key: 'stdout' | 'stderr') =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        out[key] += chunk.toString();
        done();
      },
    });
  return { out, io: { stdout: sink('stdout'), stderr: sink('stderr') } };
}

/** `main` on exactly these arguments and environment, with what it writes collected as the process's streams would carry it. */
async function runInProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const { io, out } = memoryIo();
  const code = await main(args, io, { env: { ...process.env, ...env } });
  return { code, ...out };
}

describe('npm run report (command line)', () => {
  const table = useTestTable();
  let scenario: Scenario;
  let workDir: string;
  let goodExport: string;
  let tamperedExport: string;
  let corruptExport: string;
  let corruptAt: { path: string; line: number };

  beforeAll(async () => {
    scenario = await runLedgerScenario(table);
    workDir = await mkdtemp(join(tmpdir(), 'report-cli-'));
    const client = localDynamoDbClient(dynamoDbEndpoint());
    try {
      goodExport = join(workDir, 'good');
      await writeExportOfTable({ client, tableName: table.name, dir: goodExport, exportTime: EXPORT_TIME });
      tamperedExport = join(workDir, 'tampered');
      await writeExportOfTable({
        client,
        tableName: table.name,
        dir: tamperedExport,
        exportTime: EXPORT_TIME,
        transform: (items: DynamoItem[]) =>
          items.filter((item) => !(item.entity?.S === 'ledger_entry' && item.reference_id?.S === scenario.ids.inv3)),
      });
      corruptExport = join(workDir, 'corrupt');
      const written = await writeExportOfTable({ client, tableName: table.name, dir: corruptExport, exportTime: EXPORT_TIME });
      corruptAt = await findItemLine(written, (item) => item.pk?.S === `INVOICE#${scenario.ids.inv1}`);
      await rewriteDataFile(corruptAt.path, (lines) => lines.map((text, index) => (index === corruptAt.line - 1 ? '{"Item": {"pk": {"S": "INVOICE#inv_x"}, "amount_msat": {"Q": "1"}}}' : text)));
    } finally {
      client.destroy();
    }
  });

  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it('exits 0 on a clean export and names every check on stdout', async () => {
    const out = join(workDir, 'out-good');
    const result = await runInProcess(['--export', goodExport, '--out', out, '--from', '2026-03-01', '--to', '2026-03-04']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('  PASS    Ledger sum equals balance, per account\n');
    expect(result.stdout).toMatch(/^PASS; reports in /m);
    expect(await readFile(join(out, 'reconciliation.md'), 'utf8')).toContain('| Period | 2026-03-01T00:00:00.000Z (inclusive) to 2026-03-04T00:00:00.000Z (exclusive) |');
  });

  it('exits 1 when an invariant fails', async () => {
    const result = await runCli(['--export', tamperedExport, '--out', join(workDir, 'out-tampered'), '--quiet']);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAIL    Each invoice is credited at most once (1 failures)');
    expect(result.stdout).toMatch(/^FAIL: \d+ check\(s\) failed/m);
  });

  it('exits 3 on a corrupt line, naming the file and the line', async () => {
    const result = await runInProcess(['--export', corruptExport, '--out', join(workDir, 'out-corrupt')]);

    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`report: ${corruptAt.path}:${corruptAt.line}: not DynamoDB JSON (amount_msat: unknown attribute type Q)`);
  });

  it('reads a live table through DYNAMODB_ENDPOINT with --table', async () => {
    const result = await runInProcess(['--table', table.name, '--out', join(workDir, 'out-table'), '--as-of', EXPORT_TIME.toISOString()], { DYNAMODB_ENDPOINT: dynamoDbEndpoint() });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`table ${table.name} (live scan started`);
  });

  it.each([
    [[], 'give exactly one source'],
    [['--export', 'x', '--table', 'y'], 'give exactly one source'],
    [['--export', 'x', '--from', '2026-02-30'], '--from: not a real date: 2026-02-30'],
    [['--export', 'x', '--from', '2026-03-02', '--to', '2026-03-01'], 'must be before --to'],
    [['--export', 'x', '--to', 'yesterday'], '--to must be a UTC date (YYYY-MM-DD) or an ISO-8601 UTC timestamp'],
    [['--export', 'x', '--merchant', 'acct_1'], '--merchant must be a merchant id'],
    [['--export', 'x', '--node-balance-msat', '1.5'], '--node-balance-msat must be a whole number of msat'],
    [['--export', 'x', '--node-balance-msat', '10', '--merchant', 'mch_1'], 'cannot be combined with --merchant'],
    [['--export', 's3://Bad_Bucket/x'], 'not an S3 bucket name'],
    [['--export', 'x', '--colour'], "Unknown option '--colour'"],
  ])('exits 2 with a clear message on usage error %j', async (args, message) => {
    const { io, out } = memoryIo();

    const code = await main(args, io);

    expect(code).toBe(2);
    expect(out.stderr).toContain(message);
    expect(out.stderr).toContain('Usage: npm run report --');
  });

  it('exits 2 when the merchant is not in the export, and 3 when there is no export', async () => {
    const missingMerchant = memoryIo();
    const noExport = memoryIo();

    expect(await main(['--export', goodExport, '--out', join(workDir, 'out-x'), '--merchant', 'mch_nosuchmerchant'], missingMerchant.io)).toBe(2);
    expect(await main(['--export', join(workDir, 'nothing-here'), '--out', join(workDir, 'out-y')], noExport.io)).toBe(3);

    expect(missingMerchant.out.stderr).toContain('merchant mch_nosuchmerchant is not in export');
    expect(noExport.out.stderr).toContain('no DynamoDB export found at');
  });

  it('prints the usage with --help and exits 0', async () => {
    const { io, out } = memoryIo();

    expect(await main(['--help'], io)).toBe(0);
    expect(out.stdout).toContain('Exit codes: 0 every check passed, 1 a check failed, 2 usage error, 3 unreadable or corrupt input.');
  });
});
