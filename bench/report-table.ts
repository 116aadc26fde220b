/**
 * The benchmark's tables: one Markdown text, printed to the console and written into
 * docs/BENCHMARKS.md between the `bench:results` markers (the hand-written analysis around
 * them is kept).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import type { ApiBenchResult, Measured } from './api';
import type { ColdStartResult } from './cold-start';
import type { HotAccountResult } from './hot-account';
import type { PhaseResult, PipelineBenchResult } from './pipeline';
import type { ReportBenchResult } from './report-bench';
import { formatKb, formatMs, formatRate, formatRatio } from './stats';

export const RESULTS_START = '<!-- bench:results:start -->';
export const RESULTS_END = '<!-- bench:results:end -->';

export const TARGETS = {
  settleToCreditP99Ms: 500,
  settlementsPerSec: 1000,
  apiOverheadRatio: 1.5,
  bundleBytes: 300 * 1024,
  /** A function's init, as a multiple of the DynamoDB-client-only baseline measured in the same run (issue 19). */
  initVsFloor: 1.25,
  /** Core Lightning's settle → credited p99 as a multiple of LND's, same run (issue 17). */
  clnVsLndSettleToCredit: 1.2,
} as const;

export interface BenchResults {
  command: string;
  profile: 'quick' | 'full';
  startedAt: Date;
  durationSec: number;
  machine: MachineInfo;
  api?: ApiBenchResult;
  /** The pipeline on the LND simulator. */
  pipeline?: PipelineBenchResult;
  /** The same on the Core Lightning simulator. */
  pipelineCln?: PipelineBenchResult;
  hot?: HotAccountResult;
  cold?: ColdStartResult;
  report?: ReportBenchResult;
}

export interface MachineInfo {
  nproc: number;
  memoryGiB: number;
  cpuModel: string;
  node: string;
  loadAverage: string;
}

export function machineInfo(): MachineInfo {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpuModel;
  } catch {
    // not Linux: os.cpus() says it
  }
  return {
    nproc: cpus().length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    cpuModel,
    node: process.version,
    loadAverage: loadavg()
      .map((value) => value.toFixed(2))
      .join(', '),
  };
}

const verdict = (met: boolean) => (met ? 'met' : '**missed**');

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

const latencyCells = (m: Measured) => [formatRate(m.perSec), formatMs(m.latency.p50Ms), formatMs(m.latency.p99Ms)];

function apiSection(api: ApiBenchResult): string {
  const invoiceRatio = api.createInvoice.api.latency.p50Ms / api.createInvoice.rawDbAndNode.latency.p50Ms;
  const withdrawalRatio = api.withdrawal.api.latency.p50Ms / api.withdrawal.raw.latency.p50Ms;
  return [
    `### API (${api.requestsPerPhase} requests per side, concurrency ${api.concurrency})`,
    '',
    table(
      ['operation', 'side', 'req/s', 'p50', 'p99'],
      [
        ['create invoice', 'API over HTTP', ...latencyCells(api.createInvoice.api)],
        ['', 'raw: same DynamoDB calls + AddInvoice', ...latencyCells(api.createInvoice.rawDbAndNode)],
        ['', 'raw: same DynamoDB calls only', ...latencyCells(api.createInvoice.rawDb)],
        ['withdrawal', 'API over HTTP', ...latencyCells(api.withdrawal.api)],
        ['', 'raw: same DynamoDB calls', ...latencyCells(api.withdrawal.raw)],
      ],
    ),
    '',
    `Overhead (API p50 / raw p50): create invoice ${formatRatio(invoiceRatio)} (against DynamoDB only: ${formatRatio(api.createInvoice.api.latency.p50Ms / api.createInvoice.rawDb.latency.p50Ms)}), ` +
      `withdrawal ${formatRatio(withdrawalRatio)}; throughput raw / API: ${formatRatio(api.createInvoice.rawDbAndNode.perSec / api.createInvoice.api.perSec)} and ${formatRatio(api.withdrawal.raw.perSec / api.withdrawal.api.perSec)}.`,
    `Calls per request, as recorded: create invoice API ${api.createInvoice.apiCalls}, raw ${api.createInvoice.rawCalls}; withdrawal API ${api.withdrawal.apiCalls}, raw ${api.withdrawal.rawCalls}.`,
  ].join('\n');
}

const spread = (l: { p50Ms: number; p90Ms: number; p99Ms: number }) => `${formatMs(l.p50Ms)} / ${formatMs(l.p90Ms)} / ${formatMs(l.p99Ms)}`;

function phaseRow(name: string, phase: PhaseResult): string[] {
  return [
    phase.blocks > 1 ? `${name} (${phase.blocks} blocks)` : name,
    String(phase.settleToCredit.count),
    Number.isFinite(phase.offeredPerSec) ? formatRate(phase.offeredPerSec) : 'all at once',
    formatRate(phase.creditedPerSec),
    formatRate(phase.webhooksPerSec),
    `${spread(phase.settleToStream)} (${phase.settleToStream.count})`,
    [phase.settleToPublished, phase.publishedToRouted, phase.routedToCredit].map((stage) => `${formatMs(stage.p50Ms)} / ${formatMs(stage.p99Ms)}`).join(' → ') + ` (${phase.publishedToRouted.count})`,
    spread(phase.settleToCredit),
    `${formatMs(phase.settleToWebhook.p50Ms)} / ${formatMs(phase.settleToWebhook.p99Ms)}`,
  ];
}

function pipelineSection(p: PipelineBenchResult): string {
  return [
    `### Settlement pipeline on ${p.backend === 'cln' ? 'Core Lightning' : 'LND'} (simulator)`,
    '',
    table(
      ['phase', 'settlements', 'offered', 'credited/s', 'webhooks/s', 'settle → node stream p50 / p90 / p99 (samples)', 'stages p50 / p99: settle → published → routed → credited (samples)', 'settle → credit p50 / p90 / p99', 'settle → webhook p50 / p99'],
      [phaseRow('burst', p.burst), phaseRow('steady', p.steady)],
    ),
    '',
    `Same run, same DynamoDB Local: ${formatRate(p.rawPutItemPerSec)} single PutItems (8 at a time). This process made ${p.localCallsPerSettlement.toFixed(1)} table calls on this stack's DynamoDB Local per settlement in the burst ` +
      `(the bridge's and stream reads not counted): ${p.localCallBreakdown.map((entry) => `${entry.call} ${entry.perSettlement.toFixed(1)}`).join(', ')}. ` +
      `Duplicate webhook deliveries seen by the receiver: ${p.webhookDuplicates}.`,
  ].join('\n');
}

function hotSection(h: HotAccountResult): string {
  return [
    `### Hot account (${h.requests} withdrawals, concurrency ${h.concurrency}, one account)`,
    '',
    table(
      ['accepted', 'refused (422)', 'accepted/s', 'p50 / p99 (accepted)', 'conflict retries', 'lowest balance', 'ledger sum = balance', 'balance as expected'],
      [
        [
          String(h.accepted),
          String(h.refused),
          formatRate(h.acceptedPerSec),
          `${formatMs(h.latency.p50Ms)} / ${formatMs(h.latency.p99Ms)}`,
          String(h.conflictRetries),
          `${h.lowestBalanceMsat.toLocaleString('en-US')} msat`,
          h.ledgerSumMsat === h.balanceMsat ? `yes (${h.ledgerEntries} entries)` : `**NO**: ${h.ledgerSumMsat} ≠ ${h.balanceMsat}`,
          h.balanceMsat === h.expectedBalanceMsat ? 'yes' : `**NO**: ${h.balanceMsat} ≠ ${h.expectedBalanceMsat}`,
        ],
      ],
    ),
    ...(Object.keys(h.otherStatuses).length > 0 ? ['', `Other answers: ${JSON.stringify(h.otherStatuses)}`] : []),
  ].join('\n');
}

function coldSection(c: ColdStartResult): string {
  const rows = c.lambdas.map((lambda) => [
    `\`${lambda.entry}\``,
    lambda.serves.length > 60 ? `${lambda.serves.slice(0, 57)}...` : lambda.serves,
    `${formatKb(lambda.bundleBytes)}${lambda.bundleBytes > TARGETS.bundleBytes ? ' ✗' : ''}`,
    lambda.error ? `init failed: ${lambda.error}` : formatMs(lambda.initMs),
    lambda.error ? '' : formatMs(lambda.floorInitMs),
    lambda.error ? '' : `${formatRatio(lambda.initMs / lambda.floorInitMs)}${lambda.initMs / lambda.floorInitMs > TARGETS.initVsFloor ? ' ✗' : ''}`,
    lambda.error ? '' : formatMs(lambda.initNoSourceMapsMs),
  ]);
  const biggest = [...c.lambdas].sort((a, b) => b.bundleBytes - a.bundleBytes)[0];
  const route = c.lambdas.find((lambda) => lambda.entry === 'functions/accounts/get.ts');
  const consumer = c.lambdas.find((lambda) => lambda.entry === 'functions/settle-invoice/handler.ts');
  const contents = (lambda: typeof biggest) => (lambda ? lambda.topContents.map((item) => `${item.what} ${formatKb(item.bytes)}`).join(', ') : '');
  return [
    `### Cold start proxies (${c.lambdas.length} Lambdas, median of ${c.runs} fresh process${c.runs > 1 ? 'es' : ''})`,
    '',
    table(['entry', 'serves', 'bundle (minified)', 'init, source maps on (as deployed)', 'DynamoDB floor, timed in turn', '÷ floor', 'init, source maps off'], rows),
    '',
    `Baselines, same run: an empty module imports in ${formatMs(c.emptyModuleInitMs)}; one importing only the DynamoDB client and document client (the floor for every handler) in ${formatMs(c.sdkFloorInitMs)}, the median of its runs taken in turn with each function's; each ratio is to the floor timed beside it.`,
    ...(c.bundledSdk ? [sdkChoiceLine(c.bundledSdk)] : []),
    `Largest contents: ${route ? `a route (${route.entry}): ${contents(route)}` : ''}; ${consumer ? `a consumer (${consumer.entry}): ${contents(consumer)}` : ''}; ${biggest ? `the biggest (${biggest.entry}): ${contents(biggest)}` : ''}.`,
  ].join('\n');
}

/** Why the functions use the runtime's SDK: the bundled alternative, measured in the same run. */
function sdkChoiceLine(b: NonNullable<ColdStartResult['bundledSdk']>): string {
  return `AWS SDK bundled instead of the runtime's (timed in turn): the floor ${formatKb(b.floorBytes)}, ${formatMs(b.floorInitMs)} against ${formatMs(b.runtimeFloorInitMs)} (${formatRatio(b.floorInitMs / b.runtimeFloorInitMs)}); \`${b.entry}\` ${formatKb(b.routeBytes)}, ${formatMs(b.routeInitMs)} against ${formatMs(b.runtimeRouteInitMs)} (${formatRatio(b.routeInitMs / b.runtimeRouteInitMs)}). The functions keep the runtime's SDK unless bundling is clearly faster: bundled, every function passes 300 KB.`;
}

function reportSection(r: ReportBenchResult): string {
  return [
    `### Finance report over ${r.ledgerEntries.toLocaleString('en-US')} ledger entries`,
    '',
    table(
      ['items in the export', 'wall time', 'items/s', 'peak RSS', 'checks', 'totals vs generator'],
      [[r.items.toLocaleString('en-US'), `${r.wallSec.toFixed(1)} s`, r.itemsPerSec.toLocaleString('en-US'), `${r.peakRssMb} MB`, r.checksPassed ? 'all passed' : '**FAILED**', r.totalsMatch ? 'match' : '**MISMATCH**']],
    ),
  ].join('\n');
}

function targetsSection(results: BenchResults): string {
  const rows: string[][] = [];
  if (results.pipeline) {
    const p99 = results.pipeline.steady.settleToCredit.p99Ms;
    rows.push(['settle → credited p99 < 500 ms (local)', `steady ${formatMs(p99)} (burst ${formatMs(results.pipeline.burst.settleToCredit.p99Ms)})`, verdict(p99 < TARGETS.settleToCreditP99Ms)]);
    rows.push(['≥ 1,000 settlements/s', `${formatRate(results.pipeline.burst.creditedPerSec)} credited, ${formatRate(results.pipeline.burst.webhooksPerSec)} webhooks`, verdict(results.pipeline.burst.creditedPerSec >= TARGETS.settlementsPerSec)]);
  }
  if (results.pipeline && results.pipelineCln) {
    const lnd = results.pipeline.steady.settleToCredit;
    const cln = results.pipelineCln.steady.settleToCredit;
    rows.push([
      `settle → credited p99 on Core Lightning ≤ ${TARGETS.clnVsLndSettleToCredit}× LND (steady, both stacks up, blocks alternating)`,
      `CLN ${formatMs(cln.p99Ms)} / LND ${formatMs(lnd.p99Ms)} = ${formatRatio(cln.p99Ms / lnd.p99Ms)} over ${cln.count} and ${lnd.count} settlements ` +
        `(p50 ${formatMs(cln.p50Ms)} / ${formatMs(lnd.p50Ms)} = ${formatRatio(cln.p50Ms / lnd.p50Ms)}; p90 ${formatMs(cln.p90Ms)} / ${formatMs(lnd.p90Ms)} = ${formatRatio(cln.p90Ms / lnd.p90Ms)}; ` +
        `burst p99 ${formatRatio(results.pipelineCln.burst.settleToCredit.p99Ms / results.pipeline.burst.settleToCredit.p99Ms)})`,
      verdict(cln.p99Ms <= lnd.p99Ms * TARGETS.clnVsLndSettleToCredit),
    ]);
  }
  if (results.api) {
    const invoice = results.api.createInvoice.api.latency.p50Ms / results.api.createInvoice.rawDbAndNode.latency.p50Ms;
    const withdrawal = results.api.withdrawal.api.latency.p50Ms / results.api.withdrawal.raw.latency.p50Ms;
    rows.push(['API overhead ≤ 1.5× raw (p50)', `create invoice ${formatRatio(invoice)}, withdrawal ${formatRatio(withdrawal)}`, verdict(Math.max(invoice, withdrawal) <= TARGETS.apiOverheadRatio)]);
  }
  if (results.cold) {
    const sizes = results.cold.lambdas.map((lambda) => lambda.bundleBytes);
    const over = sizes.filter((size) => size > TARGETS.bundleBytes).length;
    rows.push(['bundles ≤ 300 KB minified', `${formatKb(Math.min(...sizes))} – ${formatKb(Math.max(...sizes))}; ${over} of ${sizes.length} over`, verdict(over === 0)]);
    const floor = results.cold.sdkFloorInitMs;
    const ratios = results.cold.lambdas.filter((lambda) => !lambda.error).map((lambda) => lambda.initMs / lambda.floorInitMs);
    const slow = ratios.filter((ratio) => ratio > TARGETS.initVsFloor).length;
    const failed = results.cold.lambdas.filter((lambda) => lambda.error).length;
    rows.push([
      `init ≤ ${TARGETS.initVsFloor}× the DynamoDB client's alone, timed in turn (median ${formatMs(floor)} this run)`,
      `${formatRatio(Math.min(...ratios))} – ${formatRatio(Math.max(...ratios))}; ${slow} of ${ratios.length} over${failed ? `; ${failed} failed` : ''}`,
      verdict(slow === 0 && failed === 0),
    ]);
  }
  if (results.hot) rows.push(['hot account: ledger sum = balance, never negative', results.hot.ok ? 'holds' : 'BROKEN', verdict(results.hot.ok)]);
  if (results.report) rows.push(['report over the export: checks pass, totals match', `${results.report.wallSec.toFixed(1)} s, ${results.report.peakRssMb} MB`, verdict(results.report.checksPassed && results.report.totalsMatch)]);
  return ['### Targets', '', table(['target', 'measured', ''], rows)].join('\n');
}

export function renderResults(results: BenchResults): string {
  const m = results.machine;
  return [
    `Measured ${results.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC with \`${results.command}\` (${results.profile} profile, ${Math.round(results.durationSec)} s).`,
    `Machine: ${m.nproc} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB memory, Node ${m.node}; load average at the start ${m.loadAverage}.`,
    '',
    targetsSection(results),
    ...(results.api ? ['', apiSection(results.api)] : []),
    ...(results.pipeline ? ['', pipelineSection(results.pipeline)] : []),
    ...(results.pipelineCln ? ['', pipelineSection(results.pipelineCln)] : []),
    ...(results.hot ? ['', hotSection(results.hot)] : []),
    ...(results.cold ? ['', coldSection(results.cold)] : []),
    ...(results.report ? ['', reportSection(results.report)] : []),
  ].join('\n');
}

/** Replaces the generated part of the document (between the markers), keeping the rest. */
export function writeResults(file: string, generated: string, skeleton: string): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = skeleton;
  }
  const start = text.indexOf(RESULTS_START);
  const end = text.indexOf(RESULTS_END);
  if (start < 0 || end < start) text = skeleton;
  const from = text.indexOf(RESULTS_START);
  const to = text.indexOf(RESULTS_END);
  writeFileSync(file, `${text.slice(0, from + RESULTS_START.length)}\n${generated}\n${text.slice(to)}`);
}
