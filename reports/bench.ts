/**
 * `npm run bench:report [-- --entries 1000000 --accounts 1000]`: writes a synthetic,
 * consistent export of that many ledger entries to a temporary directory, runs the report
 * on it in a child process, and prints wall time and peak RSS (measured inside the child
 * with process.resourceUsage().maxRSS). Not part of `npm test`: it takes a while.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { tuneHeapForStreaming } from './heap';
import { runReport } from './report';
import { writeSyntheticExport, type SyntheticExpected } from './synthetic-export';

interface ChildResult {
  exitCode: number;
  itemsRead: number;
  wallMs: number;
  maxRssMb: number;
  rssBeforeMb: number;
  balancesMsat: string;
  depositsMsat: string;
  journalRows: number;
  failedChecks: string[];
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** In the child: run the report once, tuned as the CLI tunes it, and print one JSON line of measurements. */
async function child(exportDir: string, outDir: string): Promise<void> {
  tuneHeapForStreaming();
  const rssBeforeMb = mb(process.memoryUsage().rss);
  const started = performance.now();
  const result = await runReport({ source: { kind: 'export-dir', dir: exportDir }, outDir, quiet: false }, { progressStream: process.stderr, progressEveryItems: 250_000 });
  const wallMs = Math.round(performance.now() - started);
  const measured: ChildResult = {
    exitCode: result.exitCode,
    itemsRead: result.itemsRead,
    wallMs,
    // maxRSS is in kilobytes.
    maxRssMb: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
    rssBeforeMb,
    balancesMsat: result.totals.balances.toString(),
    depositsMsat: result.totals.ledgerAllTime.deposit.msat.toString(),
    journalRows: result.files['journal.csv'] ?? 0,
    failedChecks: result.checks.filter((check) => check.status === 'FAIL').map((check) => check.id),
  };
  process.stdout.write(`${JSON.stringify(measured)}\n`);
}

function runChild(exportDir: string, outDir: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const script = fileURLToPath(import.meta.url);
    const proc = spawn(process.execPath, ['--import', 'tsx', script, '--child', exportDir, outDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    proc.once('error', reject);
    proc.once('exit', (code) => {
      const last = stdout.trim().split('\n').at(-1);
      if (code !== 0 || !last) return reject(new Error(`report child exited with ${code}: ${stdout}`));
      resolve(JSON.parse(last) as ChildResult);
    });
  });
}

async function parent(): Promise<void> {
  const { values } = parseArgs({
    options: {
      entries: { type: 'string', default: '1000000' },
      accounts: { type: 'string', default: '1000' },
      /** Keep the export (and its expected totals) and print where it is. */
      keep: { type: 'boolean', default: false },
      /** Run on an export kept by an earlier --keep run instead of writing a new one. */
      reuse: { type: 'string' },
    },
  });
  const entries = Number(values.entries);
  const accounts = Number(values.accounts);
  if (!Number.isSafeInteger(entries) || entries < 1 || !Number.isSafeInteger(accounts) || accounts < 2) throw new Error('--entries and --accounts must be whole numbers');
  const dir = values.reuse ?? (await mkdtemp(join(tmpdir(), 'report-bench-')));
  const expectedFile = join(dir, 'expected.json');
  try {
    let expected: SyntheticExpected;
    if (values.reuse) {
      expected = JSON.parse(await readFile(expectedFile, 'utf8'), (key, value) => (typeof value === 'string' && key.endsWith('Msat') ? BigInt(value) : value));
      process.stderr.write(`bench: reusing the export of ${expected.ledgerEntries.toLocaleString('en-US')} ledger entries in ${dir}\n`);
    } else {
      process.stderr.write(`bench: writing a synthetic export of ${entries.toLocaleString('en-US')} ledger entries over ${accounts} accounts to ${dir}\n`);
      const generated = performance.now();
      ({ expected } = await writeSyntheticExport({ dir, ledgerEntries: entries, accounts }));
      await writeFile(expectedFile, JSON.stringify(expected, (_, value) => (typeof value === 'bigint' ? value.toString() : value)));
      process.stderr.write(`bench: ${expected.items.toLocaleString('en-US')} items written in ${Math.round(performance.now() - generated)} ms\n`);
    }
    process.stderr.write('bench: running the report in a child process\n');
    const result = await runChild(dir, join(dir, 'report'));

    const ok =
      result.exitCode === 0 &&
      BigInt(result.balancesMsat) === expected.balancesMsat &&
      BigInt(result.depositsMsat) === expected.depositsMsat &&
      result.journalRows === expected.ledgerEntries &&
      result.itemsRead === expected.items;
    const lines = [
      `ledger entries        ${expected.ledgerEntries.toLocaleString('en-US')}`,
      `items in the export   ${expected.items.toLocaleString('en-US')} (${expected.accounts} accounts, ${expected.invoices.toLocaleString('en-US')} invoices, ${expected.withdrawals.toLocaleString('en-US')} withdrawals, ${expected.transfers.toLocaleString('en-US')} transfers)`,
      `report wall time      ${(result.wallMs / 1000).toFixed(1)} s (${Math.round(result.itemsRead / (result.wallMs / 1000)).toLocaleString('en-US')} items/s)`,
      `peak RSS              ${result.maxRssMb} MB (RSS before the report: ${result.rssBeforeMb} MB)`,
      `checks                ${result.failedChecks.length === 0 ? 'all passed' : `FAILED: ${result.failedChecks.join(', ')}`}`,
      `totals vs generator   ${ok ? 'match to the msat' : 'MISMATCH'} (Σ balances ${result.balancesMsat} msat)`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (!ok) process.exitCode = 1;
  } finally {
    if (values.keep || values.reuse) process.stderr.write(`bench: kept ${dir} (run again with --reuse ${dir})\n`);
    else await rm(dir, { recursive: true, force: true });
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  await child(argv[1]!, argv[2]!);
} else {
  await parent();
}
