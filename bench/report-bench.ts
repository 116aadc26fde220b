/**
 * The finance report over a synthetic export of N ledger entries: reports/bench.ts as it
 * is (it writes the export, runs the report in a child process and measures wall time and
 * peak RSS there), run as a child of this one; its summary lines parsed.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface ReportBenchResult {
  ledgerEntries: number;
  items: number;
  wallSec: number;
  itemsPerSec: number;
  peakRssMb: number;
  checksPassed: boolean;
  totalsMatch: boolean;
  /** reports/bench.ts's own summary, as printed. */
  summary: string;
}

export async function benchReport(options: { entries: number; log: (line: string) => void }): Promise<ReportBenchResult> {
  options.log(`report: ${options.entries.toLocaleString('en-US')} ledger entries (reports/bench.ts)`);
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'reports/bench.ts'), '--entries', String(options.entries)], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`reports/bench.ts exited with ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`))));
  });
  const field = (label: string) => new RegExp(`^${label}\\s+(.*)$`, 'm').exec(stdout)?.[1] ?? '';
  const number = (text: string) => Number(text.replace(/,/g, ''));
  const wall = /([\d.]+) s \(([\d,]+) items\/s\)/.exec(field('report wall time'));
  const rss = /([\d.]+) MB/.exec(field('peak RSS'));
  return {
    ledgerEntries: number(field('ledger entries')),
    items: number(/^([\d,]+)/.exec(field('items in the export'))?.[1] ?? 'NaN'),
    wallSec: Number(wall?.[1]),
    itemsPerSec: number(wall?.[2] ?? 'NaN'),
    peakRssMb: Number(rss?.[1]),
    checksPassed: field('checks') === 'all passed',
    totalsMatch: field('totals vs generator').startsWith('match'),
    summary: stdout.trim(),
  };
}
