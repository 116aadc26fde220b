/**
 * Settlement pipeline on the LND and the Core Lightning simulator, both stacks up at once:
 * the simulator settles invoices of ours (outside payers), and the stack carries each one
 * through the node-bridge, the bus, the settle consumer (credit), the outbox and the webhook
 * fan-out to a receiver on 127.0.0.1.
 *
 * - settle: the moment the simulator settles the invoice (just before payInvoice);
 * - stream: the moment a settlement stream of the bench's own on that node (the bridge's
 *   path: node port, adapter, simulator) reported it;
 * - published: the `sent_at` of the bus-ingress message the bridge wrote for it (PutEvents
 *   on the local bus; the bridge's clock, the same machine's);
 * - routed: the end of the bus router's first ingress Query that returned that message;
 * - credit: the moment the settle consumer's transaction (deposit ledger entry) committed,
 *   seen by the SDK recorder on its way back;
 * - webhook: the moment the receiver got the first delivery of that invoice's invoice.paid.
 *
 * Burst (throughput): each backend in turn settles N as fast as its simulator takes them.
 * Steady (latency): blocks of settlements at one fixed rate for both (half the slower
 * burst's throughput, at most 100/s), alternating backends in the order LND CLN CLN LND …,
 * each block drained before the next, so load that comes and goes on a shared machine
 * falls on both alike. Only one stack is driven at a time; the other idles (its pollers run).
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { LightningBackend } from '../functions/lib/node/node-config';
import { Entity } from '../functions/lib/table/keys';
import { BUS_INGRESS_QUEUE } from '../infra/local/aws/local-bus';
import { tablesOf } from './aws-usage';
import { waitFor } from './local-stack';
import { openPipelineRig, type Invoice, type PipelineRig } from './pipeline-rig';
import { recordSdkCalls, type SdkCall } from './sdk-recorder';
import { perSecond, runClosedLoop, summarize, type LatencySummary } from './stats';

export interface PhaseResult {
  settlements: number;
  /** Offered rate (settle calls per second), Infinity for the burst. */
  offeredPerSec: number;
  creditedPerSec: number;
  webhooksPerSec: number;
  /** Steady only: the blocks the settlements came in, alternating with the other backend's. */
  blocks: number;
  settleToStream: LatencySummary;
  /** settle → the bridge's PutEvents reached the ingress queue (bridge sees it and publishes). */
  settleToPublished: LatencySummary;
  /** published → the bus router received it (its poll of the ingress queue). */
  publishedToRouted: LatencySummary;
  /** routed → credited (rule queue, settle consumer, its transaction). */
  routedToCredit: LatencySummary;
  settleToCredit: LatencySummary;
  settleToWebhook: LatencySummary;
}

export interface PipelineBenchResult {
  /** The node the stack ran on: the simulator of LND or of Core Lightning. */
  backend: LightningBackend;
  burst: PhaseResult;
  steady: PhaseResult;
  /** Same run, same DynamoDB Local: PutItem of a small item, 8 at a time (the engine's own pace). */
  rawPutItemPerSec: number;
  /** DynamoDB Local table calls made by this process on this stack per settlement in the burst (bridge's and stream reads not included). */
  localCallsPerSettlement: number;
  /** The biggest shares of those calls: "queue table Query 9.1". */
  localCallBreakdown: Array<{ call: string; perSettlement: number }>;
  webhookDuplicates: number;
}

export interface PipelineBenchOptions {
  /** The burst, per backend. */
  settlements: number;
  /** Steady-phase settlements per backend. */
  steadySettlements: number;
  /** Steady-phase settlements per block; blocks alternate between the backends. */
  steadyBlock: number;
  log: (line: string) => void;
}

export interface PipelineComparison {
  lnd: PipelineBenchResult;
  cln: PipelineBenchResult;
}

interface Samples {
  stream: number[];
  published: number[];
  routed: number[];
  routedToCredit: number[];
  credit: number[];
  webhook: number[];
  /** Sum over blocks of first settle → last credit / last webhook. */
  creditSpanMs: number;
  webhookSpanMs: number;
  settlements: number;
  blocks: number;
}

const noSamples = (): Samples => ({ stream: [], published: [], routed: [], routedToCredit: [], credit: [], webhook: [], creditSpanMs: 0, webhookSpanMs: 0, settlements: 0, blocks: 0 });

function phaseResult(samples: Samples, offeredPerSec: number): PhaseResult {
  return {
    settlements: samples.settlements,
    offeredPerSec,
    creditedPerSec: perSecond(samples.settlements, samples.creditSpanMs),
    webhooksPerSec: perSecond(samples.settlements, samples.webhookSpanMs),
    blocks: samples.blocks,
    settleToStream: summarize(samples.stream),
    settleToPublished: summarize(samples.published),
    publishedToRouted: summarize(samples.routed),
    routedToCredit: summarize(samples.routedToCredit),
    settleToCredit: summarize(samples.credit),
    settleToWebhook: summarize(samples.webhook),
  };
}

/** Settles one block on one rig (at `offeredPerSec`, or all at once) and waits until every one is credited and delivered. */
/** Per payment hash, when the bridge's event for it was written to the bus ingress and first received from there (performance.now() time). */
interface IngressTimes {
  publishedAt: Map<string, number>;
  routedAt: Map<string, number>;
}

/** An ingress Query's answer: each message's sent_at and the hash its InvoiceSettled carries. */
function noteIngress(call: SdkCall, times: IngressTimes): void {
  if (call.operation !== 'Query' || call.error || call.input.ExpressionAttributeValues?.[':pk'] !== `QUEUE#${BUS_INGRESS_QUEUE}`) return;
  const receivedAt = call.startedAtMs + call.durationMs;
  for (const item of (call.output?.Items ?? []) as Array<{ body?: string; sent_at?: string }>) {
    let hash: unknown;
    try {
      hash = (JSON.parse(item.body ?? '') as { detail?: { payment_hash?: unknown } }).detail?.payment_hash;
    } catch {
      continue;
    }
    if (typeof hash !== 'string' || times.routedAt.has(hash)) continue;
    times.routedAt.set(hash, receivedAt);
    if (item.sent_at) times.publishedAt.set(hash, Date.parse(item.sent_at) - performance.timeOrigin);
  }
}

async function settleBlock(rig: PipelineRig, creditedAt: Map<string, number>, ingress: IngressTimes, batch: Invoice[], offeredPerSec: number, into: Samples): Promise<void> {
  const timeoutMs = Math.max(120_000, batch.length * 100);
  const started = performance.now();
  if (Number.isFinite(offeredPerSec)) {
    for (let i = 0; i < batch.length; i++) {
      const waitMs = started + (i * 1000) / offeredPerSec - performance.now();
      if (waitMs > 1) await new Promise((resolve) => setTimeout(resolve, waitMs));
      rig.settle(batch[i]!);
    }
  } else {
    // As fast as the simulator takes them, yielding now and then so the stack can run.
    for (let i = 0; i < batch.length; i += 25) {
      for (const invoice of batch.slice(i, i + 25)) rig.settle(invoice);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  await waitFor(() => batch.every((invoice) => creditedAt.has(invoice.id)), `${rig.backend}: ${batch.length} settlements credited`, timeoutMs, 20);
  await waitFor(() => batch.every((invoice) => rig.firstDelivery.has(invoice.id)), `${rig.backend}: ${batch.length} invoice.paid webhooks delivered`, timeoutMs, 20);
  const settled = (invoice: Invoice) => rig.settledAt.get(invoice.id)!;
  const firstSettle = Math.min(...batch.map(settled));
  into.creditSpanMs += Math.max(...batch.map((invoice) => creditedAt.get(invoice.id)!)) - firstSettle;
  into.webhookSpanMs += Math.max(...batch.map((invoice) => rig.firstDelivery.get(invoice.id)!)) - firstSettle;
  for (const invoice of batch) {
    const seen = rig.streamSeenAt.get(invoice.paymentHash);
    if (seen !== undefined) into.stream.push(seen - settled(invoice));
    const published = ingress.publishedAt.get(invoice.paymentHash);
    const routed = ingress.routedAt.get(invoice.paymentHash);
    if (published !== undefined) into.published.push(published - settled(invoice));
    if (published !== undefined && routed !== undefined) into.routed.push(routed - published);
    if (routed !== undefined) into.routedToCredit.push(creditedAt.get(invoice.id)! - routed);
    into.credit.push(creditedAt.get(invoice.id)! - settled(invoice));
    into.webhook.push(rig.firstDelivery.get(invoice.id)! - settled(invoice));
  }
  into.settlements += batch.length;
  into.blocks++;
}

async function rawPutItemPerSec(rig: PipelineRig): Promise<number> {
  const { table, tableName } = rig.stack;
  const run = await runClosedLoop(2000, 8, async (i) => {
    await table.doc.send(new PutCommand({ TableName: tableName, Item: { pk: `BENCH#${i}`, sk: 'BENCH', entity: 'bench', value: 'x'.repeat(200) } }));
  });
  return perSecond(run.latenciesMs.length, run.elapsedMs);
}

/** LND CLN CLN LND LND CLN …: each backend goes first as often as second, so a steady drift cancels. */
export function alternatingOrder<T>(first: T, second: T, blocksEach: number): T[] {
  const order: T[] = [];
  for (let round = 0; round < blocksEach; round++) order.push(...(round % 2 === 0 ? [first, second] : [second, first]));
  return order;
}

export async function benchPipelines(options: PipelineBenchOptions): Promise<PipelineComparison> {
  const { log } = options;
  const creditedAt = new Map<string, number>();
  const ingress: IngressTimes = { publishedAt: new Map(), routedAt: new Map() };
  const callsByTable = new Map<string, Map<string, number>>();
  const stopRecording = recordSdkCalls((call) => {
    noteIngress(call, ingress);
    if (call.service === 'dynamodb') {
      const table = tablesOf(call)[0];
      if (table) {
        const main = table.replace(/-local-queues$/, '');
        const key = `${main === table ? 'main table' : 'queue table'} ${call.operation}`;
        const counts = callsByTable.get(main) ?? new Map<string, number>();
        counts.set(key, (counts.get(key) ?? 0) + 1);
        callsByTable.set(main, counts);
      }
    }
    if (call.operation !== 'TransactWriteItems' || call.error) return;
    for (const entry of call.input.TransactItems ?? []) {
      const item = entry.Put?.Item;
      if (item?.entity === Entity.ledgerEntry && item.type === 'deposit' && typeof item.reference_id === 'string') {
        creditedAt.set(item.reference_id, call.startedAtMs + call.durationMs);
      }
    }
  });
  const rigs: PipelineRig[] = [];
  try {
    for (const backend of ['lnd', 'cln'] as const) {
      log(`pipeline: starting the stack on the ${backend} simulator`);
      rigs.push(await openPipelineRig(backend));
    }
    const [lnd, cln] = rigs as [PipelineRig, PipelineRig];
    const steadyBlocks = Math.max(1, Math.ceil(options.steadySettlements / options.steadyBlock));
    const perRig = new Map<PipelineRig, { burst: Invoice[]; steady: Invoice[][]; rawPut: number; burstSamples: Samples; steadySamples: Samples; calls: PipelineBenchResult['localCallBreakdown']; callsPerSettlement: number }>();
    for (const rig of rigs) {
      const rawPut = await rawPutItemPerSec(rig);
      log(`pipeline (${rig.backend}): creating ${options.settlements + steadyBlocks * options.steadyBlock} invoices on the node and in the table`);
      const invoices = await rig.createInvoices(options.settlements + steadyBlocks * options.steadyBlock);
      const steady = Array.from({ length: steadyBlocks }, (_, b) => invoices.slice(options.settlements + b * options.steadyBlock, options.settlements + (b + 1) * options.steadyBlock));
      perRig.set(rig, { burst: invoices.slice(0, options.settlements), steady, rawPut, burstSamples: noSamples(), steadySamples: noSamples(), calls: [], callsPerSettlement: 0 });
    }

    for (const rig of rigs) {
      const state = perRig.get(rig)!;
      log(`pipeline (${rig.backend}): burst of ${state.burst.length} settlements`);
      callsByTable.delete(rig.stack.tableName);
      await settleBlock(rig, creditedAt, ingress, state.burst, Number.POSITIVE_INFINITY, state.burstSamples);
      const counts = [...(callsByTable.get(rig.stack.tableName) ?? new Map<string, number>())];
      state.callsPerSettlement = counts.reduce((sum, [, count]) => sum + count, 0) / state.burst.length;
      state.calls = counts
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([call, count]) => ({ call, perSettlement: count / state.burst.length }));
    }

    const slowerBurst = Math.min(...rigs.map((rig) => phaseResult(perRig.get(rig)!.burstSamples, Number.POSITIVE_INFINITY).creditedPerSec));
    const steadyRate = Math.max(1, Math.min(100, Math.floor(slowerBurst / 2)));
    log(`pipeline: steady, ${steadyBlocks} blocks of ${options.steadyBlock} per backend at ${steadyRate}/s, alternating`);
    const taken = new Map<PipelineRig, number>();
    for (const rig of alternatingOrder(lnd, cln, steadyBlocks)) {
      const state = perRig.get(rig)!;
      const index = taken.get(rig) ?? 0;
      taken.set(rig, index + 1);
      await settleBlock(rig, creditedAt, ingress, state.steady[index]!, steadyRate, state.steadySamples);
    }

    const result = (rig: PipelineRig): PipelineBenchResult => {
      const state = perRig.get(rig)!;
      return {
        backend: rig.backend,
        burst: phaseResult(state.burstSamples, Number.POSITIVE_INFINITY),
        steady: phaseResult(state.steadySamples, steadyRate),
        rawPutItemPerSec: state.rawPut,
        localCallsPerSettlement: state.callsPerSettlement,
        localCallBreakdown: state.calls,
        webhookDuplicates: rig.webhookDuplicates(),
      };
    };
    return { lnd: result(lnd), cln: result(cln) };
  } finally {
    stopRecording();
    for (const rig of rigs.reverse()) await rig.stop();
  }
}
