/**
 * `npm run bench [-- --quick] [--settlements N] [--only api,pipeline,hot,cold,report] [--no-write]`
 *
 * Every benchmark on the local stack (each section on a fresh one; the pipeline once on
 * the LND and the Core Lightning simulator, both up at once, steady blocks alternating), printed as tables and
 * written into docs/BENCHMARKS.md with the date, the machine and the command. Machines are
 * shared and noisy: each section measures its baseline in the same run and prints ratios.
 * Not part of `npm test`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchApi } from './api';
import { benchColdStart } from './cold-start';
import { benchHotAccount } from './hot-account';
import { benchPipelines } from './pipeline';
import { benchReport } from './report-bench';
import { machineInfo, renderResults, RESULTS_END, RESULTS_START, writeResults, type BenchResults } from './report-table';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECTIONS = ['api', 'pipeline', 'hot', 'cold', 'report'] as const;
type Section = (typeof SECTIONS)[number];

interface Profile {
  apiRequests: number;
  concurrency: number;
  settlements: number;
  /** Steady-phase settlements per backend, in blocks of steadyBlock alternating LND and CLN. */
  steadySettlements: number;
  steadyBlock: number;
  hotRequests: number;
  hotConcurrency: number;
  coldRuns: number;
  reportEntries: number;
}

const PROFILES: Record<'quick' | 'full', Profile> = {
  quick: { apiRequests: 200, concurrency: 8, settlements: 200, steadySettlements: 200, steadyBlock: 50, hotRequests: 150, hotConcurrency: 24, coldRuns: 5, reportEntries: 100_000 },
  full: { apiRequests: 600, concurrency: 8, settlements: 5_000, steadySettlements: 600, steadyBlock: 50, hotRequests: 400, hotConcurrency: 32, coldRuns: 7, reportEntries: 1_000_000 },
};

const SKELETON = `# Benchmarks

\`npm run bench\` measures the product on the local stack (\`npm start\`'s, on free ports, one
fresh stack per section) and writes the tables below; \`npm run bench -- --quick\` is the short
profile, \`--settlements N\` sets the pipeline's burst, \`--only api,pipeline,hot,cold,report\`
runs some sections. Code in \`bench/\`; not part of \`npm test\`.

${RESULTS_START}
${RESULTS_END}
`;

function usage(message: string): never {
  process.stderr.write(`bench: ${message}\nusage: npm run bench -- [--quick] [--settlements N] [--only ${SECTIONS.join(',')}] [--no-write]\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      settlements: { type: 'string' },
      only: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const profileName = values.quick ? 'quick' : 'full';
  const profile: Profile = { ...PROFILES[profileName] };
  if (values.settlements !== undefined) {
    const n = Number(values.settlements);
    if (!Number.isSafeInteger(n) || n < 1) usage('--settlements must be a whole number ≥ 1');
    profile.settlements = n;
  }
  const only = values.only ? values.only.split(',').map((name) => name.trim()) : [...SECTIONS];
  for (const name of only) if (!SECTIONS.includes(name as Section)) usage(`unknown section ${name}`);
  const wanted = (section: Section) => only.includes(section);

  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const startedAt = new Date();
  const started = performance.now();
  const log = (line: string) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
  const results: BenchResults = { command, profile: profileName, startedAt, durationSec: 0, machine: machineInfo() };
  log(`bench: ${profileName} profile; ${results.machine.nproc} CPUs, load average ${results.machine.loadAverage}`);

  if (wanted('api')) results.api = await benchApi({ requests: profile.apiRequests, concurrency: profile.concurrency, log });
  if (wanted('pipeline')) {
    // Both stacks up at once; the steady phase alternates blocks between them at one fixed rate.
    const pipelines = await benchPipelines({ settlements: profile.settlements, steadySettlements: profile.steadySettlements, steadyBlock: profile.steadyBlock, log });
    results.pipeline = pipelines.lnd;
    results.pipelineCln = pipelines.cln;
  }
  if (wanted('hot')) results.hot = await benchHotAccount({ requests: profile.hotRequests, concurrency: profile.hotConcurrency, log });
  if (wanted('cold')) results.cold = await benchColdStart({ runs: profile.coldRuns, log });
  if (wanted('report')) results.report = await benchReport({ entries: profile.reportEntries, log });
  results.durationSec = (performance.now() - started) / 1000;

  const generated = renderResults(results);
  process.stdout.write(`\n${generated}\n`);
  if (!values['no-write']) {
    const file = path.join(REPO_ROOT, 'docs/BENCHMARKS.md');
    writeResults(file, generated, SKELETON);
    log(`bench: wrote ${path.relative(REPO_ROOT, file)}`);
  }
}

main().then(
  // Sockets of stopped stacks can linger a moment; nothing else is left running.
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    process.stderr.write(`bench: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
