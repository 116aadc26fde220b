import { pathToFileURL } from 'node:url';
import type { Writable } from 'node:stream';
import { parseReportArgs, USAGE, UsageError } from './args';
import { CheckStatus } from './checks/check';
import { InputError } from './errors';
import { tuneHeapForStreaming } from './heap';
import { ExitCode, ReportFile, runReport, type ReportDependencies } from './report';
import { join } from 'node:path';

interface Io {
  stdout: Writable;
  stderr: Writable & { isTTY?: boolean };
}

/** `npm run report -- ...`: returns the exit code (0 pass, 1 a check failed, 2 usage, 3 bad input). */
export async function main(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr }, deps: ReportDependencies = {}): Promise<number> {
  let options;
  try {
    options = parseReportArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`report: ${error.message}\n\n${USAGE}\n`);
      return ExitCode.usage;
    }
    throw error;
  }
  if (!options) {
    io.stdout.write(`${USAGE}\n`);
    return ExitCode.ok;
  }
  try {
    const result = await runReport(options, { progressStream: options.quiet ? undefined : io.stderr, ...deps });
    const failed = result.checks.filter((check) => check.status === CheckStatus.fail);
    io.stdout.write(`${result.source}: ${result.itemsRead} items read\n`);
    for (const check of result.checks) io.stdout.write(`  ${check.status.padEnd(7)} ${check.title}${check.failures ? ` (${check.failures} failures)` : ''}\n`);
    io.stdout.write(`${failed.length === 0 ? 'PASS' : `FAIL: ${failed.length} check(s) failed`}; reports in ${options.outDir} (see ${join(options.outDir, ReportFile.reconciliation)})\n`);
    return result.exitCode;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`report: ${error.message}\n`);
      return ExitCode.usage;
    }
    if (error instanceof InputError) {
      io.stderr.write(`report: ${error.message}\n`);
      return ExitCode.input;
    }
    throw error;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  tuneHeapForStreaming();
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`report: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 4;
    },
  );
}
