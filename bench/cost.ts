/**
 * `npm run cost [-- --ops N] [--no-write]`: what one deposit and one withdrawal cost in AWS,
 * from the calls they really make. The local stack runs K deposits (invoice created through
 * the API, paid by an outside payer, credited, invoice.paid delivered to a webhook endpoint)
 * and K withdrawals (through the API, paid by the bridge, finalised, withdrawal.succeeded
 * delivered); every AWS SDK call of this process and of the node-bridge child is recorded
 * (bench/sdk-recorder.ts) and mapped to what AWS bills (bench/aws-usage.ts), then priced
 * with bench/prices.ts. The idle month is priced from the stack's fixed resources. Writes
 * docs/COST.md (between the `cost:results` markers).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createTable } from '../functions/lib/table/client';
import { localQueueTableName } from '../infra/local/aws/local-queue-table';
import { addUsage, emptyUsage, subtractUsage, UsageMeter, type AwsUsage } from './aws-usage';
import { addLedger, INDEX_NAMES, ledgerTotals, TABLE_TARGET, type Ledger, type Units } from './consumed-capacity';
import { startBenchStack, waitFor, type BenchStack } from './local-stack';
import { HOURS_PER_MONTH, PRICES } from './prices';
import { recordSdkCalls } from './sdk-recorder';
import { runClosedLoop } from './stats';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS_START = '<!-- cost:results:start -->';
const RESULTS_END = '<!-- cost:results:end -->';
/** Assumptions where the local run cannot measure: documented in docs/COST.md. */
const ASSUMED = {
  /** Log bytes per Lambda invocation: the platform's START/END/REPORT lines plus a line or two of ours. */
  logBytesPerInvocation: 400,
  /** Size of an event kept by the bus archive. */
  archivedEventBytes: 2_048,
  /** HTTP headers of a webhook request, on top of its body. */
  webhookHeaderBytes: 500,
};

interface Receiver {
  url: string;
  received: Map<string, Set<string>>;
  bytes: number;
  requests: number;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const received = new Map<string, Set<string>>();
  const state = { bytes: 0, requests: 0 };
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      state.bytes += Buffer.byteLength(body);
      state.requests++;
      try {
        const event = JSON.parse(body) as { type: string; data: { object: { id: string } } };
        const ids = received.get(event.type) ?? new Set<string>();
        ids.add(event.data.object.id);
        received.set(event.type, ids);
      } catch {
        // not an event
      }
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    get bytes() {
      return state.bytes;
    },
    get requests() {
      return state.requests;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface CostLine {
  item: string;
  quantity: string;
  usd: number;
}

/** The cost of `usage` spread over `operations`, per million operations, line by line. */
function price(usage: AwsUsage, operations: number, webhookBytes: number): CostLine[] {
  const perOp = (count: number) => count / operations;
  const GB = 1024 ** 3;
  const invocations = Object.values(usage.lambda).reduce((total, lambda) => total + lambda.invocations, 0);
  const gbSeconds = Object.values(usage.lambda).reduce((total, lambda) => total + (lambda.totalMs / 1000) * PRICES.lambda.memoryGb, 0);
  const byFunction = Object.entries(usage.lambda)
    .filter(([, lambda]) => lambda.invocations > 0)
    .map(([name, lambda]) => `${name} ${perOp(lambda.invocations).toFixed(2)}`)
    .join(', ');
  const sqsRequests = Object.values(usage.sqs).reduce((total, requests) => total + Object.values(requests).reduce((sum, n) => sum + n, 0), 0);
  const sqsDetail = Object.entries(usage.sqs)
    .filter(([, requests]) => Object.values(requests).some((n) => n > 0))
    .map(([queue, requests]) => `${queue}: ${Object.entries(requests).filter(([, n]) => n > 0).map(([name, n]) => `${name} ${perOp(n).toFixed(2)}`).join(', ')}`)
    .join('; ');
  // Each line: what one operation costs, in dollars; shown per million operations.
  const lines: CostLine[] = [
    { item: 'API Gateway HTTP API requests', quantity: perOp(usage.apiRequests).toFixed(2), usd: (perOp(usage.apiRequests) * PRICES.apiGateway.perMillionHttpRequests) / 1e6 },
    { item: `Lambda requests (${byFunction})`, quantity: perOp(invocations).toFixed(2), usd: (perOp(invocations) * PRICES.lambda.perMillionRequests) / 1e6 },
    { item: 'Lambda duration, 256 MB arm64, from local wall time', quantity: `${(perOp(gbSeconds) * 1000).toFixed(1)} GB-ms`, usd: perOp(gbSeconds) * PRICES.lambda.perGbSecondArm },
    { item: 'DynamoDB write request units (ConsumedCapacity; table below)', quantity: perOp(usage.dynamodb.wru).toFixed(1), usd: (perOp(usage.dynamodb.wru) * PRICES.dynamodb.perMillionWriteRequestUnits) / 1e6 },
    { item: 'DynamoDB read request units (ConsumedCapacity; table below)', quantity: perOp(usage.dynamodb.rru).toFixed(1), usd: (perOp(usage.dynamodb.rru) * PRICES.dynamodb.perMillionReadRequestUnits) / 1e6 },
    { item: `SQS requests (${sqsDetail || 'none'})`, quantity: perOp(sqsRequests).toFixed(2), usd: (perOp(sqsRequests) * PRICES.sqs.perMillionRequests) / 1e6 },
    {
      item: `EventBridge custom events (in ${perOp(usage.eventbridge.putEventsCalls).toFixed(2)} PutEvents calls)`,
      quantity: perOp(usage.eventbridge.events).toFixed(2),
      usd: (perOp(usage.eventbridge.events) * PRICES.eventbridge.perMillionCustomEvents) / 1e6,
    },
    {
      item: `EventBridge archive (${ASSUMED.archivedEventBytes} B per event, assumed)`,
      quantity: `${((perOp(usage.eventbridge.events) * ASSUMED.archivedEventBytes) / 1024).toFixed(1)} KB`,
      usd: ((perOp(usage.eventbridge.events) * ASSUMED.archivedEventBytes) / GB) * PRICES.eventbridge.archivePerGbProcessed,
    },
    {
      item: `CloudWatch Logs ingestion (${ASSUMED.logBytesPerInvocation} B per invocation, assumed)`,
      quantity: `${((perOp(invocations) * ASSUMED.logBytesPerInvocation) / 1024).toFixed(1)} KB`,
      usd: ((perOp(invocations) * ASSUMED.logBytesPerInvocation) / GB) * PRICES.cloudwatch.logsIngestPerGb,
    },
    { item: 'Data transfer out: webhook requests (measured bodies + headers)', quantity: `${(perOp(webhookBytes) / 1024).toFixed(1)} KB`, usd: (perOp(webhookBytes) / GB) * PRICES.dataTransfer.outPerGb },
  ];
  return lines.map((line) => ({ ...line, usd: line.usd * 1e6 }));
}

/** The month of a stack that takes no traffic: its fixed resources. */
function idleMonth(): CostLine[] {
  const fargate = (0.25 * PRICES.fargate.perVcpuHour + 0.5 * PRICES.fargate.perGbHour) * HOURS_PER_MONTH;
  const minutes = HOURS_PER_MONTH * 60;
  const expiryInvocations = minutes;
  const expiry =
    (expiryInvocations / 1e6) * PRICES.lambda.perMillionRequests +
    expiryInvocations * 0.1 * PRICES.lambda.memoryGb * PRICES.lambda.perGbSecondArm +
    ((expiryInvocations * 8 * 0.5) / 1e6) * PRICES.dynamodb.perMillionReadRequestUnits +
    ((expiryInvocations * ASSUMED.logBytesPerInvocation) / 1024 ** 3) * PRICES.cloudwatch.logsIngestPerGb;
  // Long polls of 20 s: the bridge on 2 queues, Lambda's SQS poller (5 connections) on the webhook queue.
  const longPolls = (2 + 5) * 3 * minutes;
  return [
    { item: 'Fargate arm64, 0.25 vCPU + 0.5 GB, always on (node-bridge)', quantity: `${HOURS_PER_MONTH} h`, usd: fargate },
    // nodeEgress 'fixed' (the default): the bridge sits behind the NAT instance, whose Elastic IP is the one public address.
    { item: 'Elastic IP of the NAT instance (the egress address LND allows)', quantity: `${HOURS_PER_MONTH} h`, usd: PRICES.vpc.publicIpv4PerHour * HOURS_PER_MONTH },
    { item: 'NAT instance t4g.nano, always on, with its 8 GB gp3 root volume', quantity: `${HOURS_PER_MONTH} h`, usd: PRICES.ec2.t4gNanoPerHour * HOURS_PER_MONTH + 8 * PRICES.ec2.gp3PerGbMonth },
    { item: 'Secrets Manager, 3 secrets', quantity: '3', usd: 3 * PRICES.secretsManager.perSecretMonth },
    { item: 'CloudWatch alarms: 11, the 5xx-rate one on 2 metrics', quantity: '12 alarm metrics', usd: 12 * PRICES.cloudwatch.alarmPerMetricMonth },
    { item: 'CloudWatch custom metrics from the 5 log metric filters', quantity: '5', usd: 5 * PRICES.cloudwatch.customMetricMonth },
    { item: 'CloudWatch dashboard (free if the account has ≤ 3)', quantity: '1', usd: PRICES.cloudwatch.dashboardMonth },
    { item: 'KMS key of the alarm topic (+$1 per yearly rotation, first two)', quantity: '1', usd: PRICES.kms.perKeyMonth },
    { item: 'KMS key sealing webhook signing secrets (+$1 per yearly rotation, first two)', quantity: '1', usd: PRICES.kms.perKeyMonth },
    { item: 'Invoice expiry every minute: Lambda, 8 gsi2 queries, logs', quantity: `${expiryInvocations.toLocaleString('en-US')} runs`, usd: expiry },
    { item: 'SQS long polls while idle (bridge 2 queues, webhook queue poller)', quantity: `${longPolls.toLocaleString('en-US')} requests`, usd: (longPolls / 1e6) * PRICES.sqs.perMillionRequests },
    { item: 'ECR image (~150 MB), logs and PITR storage of a small table', quantity: '', usd: 0.15 * PRICES.ecr.storagePerGbMonth + 0.2 },
    { item: 'DynamoDB on demand, API Gateway, EventBridge at rest', quantity: '', usd: 0 },
  ];
}

const fmt = (n: number) => (Math.abs(n) < 0.005 ? '0' : n.toFixed(2));
const signed = (n: number) => (Math.abs(n) < 0.005 ? '0' : `${n > 0 ? '+' : ''}${n.toFixed(2)}`);

/**
 * DynamoDB units of one operation, by item type and by target (table, each index): what is
 * priced (ConsumedCapacity, and the model where DynamoDB Local's answer is not AWS's:
 * transactions, refused conditions), how much of it is the model's, the item-size model for
 * everything beside it, and the difference.
 */
function unitsTable(usage: AwsUsage, operations: number): string {
  const db = usage.dynamodb;
  const priced = addLedger(addLedger({}, db.measured), db.fallback);
  const targets = [TABLE_TARGET, ...INDEX_NAMES];
  const kinds = [...new Set([...Object.keys(priced), ...Object.keys(db.model)])];
  const cell = (ledger: Ledger, kind: string, target: string, unit: keyof Units) => (ledger[kind]?.[target]?.[unit] ?? 0) / operations;
  const sum = (ledger: Ledger, kind: string, unit: keyof Units) => targets.reduce((total, target) => total + cell(ledger, kind, target, unit), 0);
  const all = (ledger: Ledger, unit: keyof Units, target?: string) =>
    kinds.reduce((total, kind) => total + (target ? cell(ledger, kind, target, unit) : sum(ledger, kind, unit)), 0);
  kinds.sort((a, b) => sum(priced, b, 'wru') - sum(priced, a, 'wru') || sum(priced, b, 'rru') - sum(priced, a, 'rru') || a.localeCompare(b));
  const half = (unit: keyof Units, value: (target?: string) => number, fromModel: number, model: number) =>
    `${targets.map((target) => fmt(value(target))).join(' | ')} | **${fmt(value())}** | ${fmt(fromModel)} | ${fmt(model)} | ${signed(value() - model)}`;
  const row = (name: string, value: (unit: keyof Units, target?: string) => number, fromModel: (unit: keyof Units) => number, model: (unit: keyof Units) => number) =>
    `| ${name} | ${half('wru', (target) => value('wru', target), fromModel('wru'), model('wru'))} | ${half('rru', (target) => value('rru', target), fromModel('rru'), model('rru'))} |`;
  const columns = (unit: string) => `${targets.map((target) => `${unit} ${target}`).join(' | ')} | **${unit}** | of it model | model | Δ`;
  return [
    `| item type | ${columns('WRU')} | ${columns('RRU')} |`,
    `|---|${[...targets, 'a', 'b', 'c', 'd', ...targets, 'a', 'b', 'c', 'd'].map(() => '---:').join('|')}|`,
    ...kinds
      .filter((kind) => sum(priced, kind, 'wru') + sum(priced, kind, 'rru') + sum(db.model, kind, 'wru') + sum(db.model, kind, 'rru') > 0)
      .map((kind) =>
        row(
          kind,
          (unit, target) => (target ? cell(priced, kind, target, unit) : sum(priced, kind, unit)),
          (unit) => sum(db.fallback, kind, unit),
          (unit) => sum(db.model, kind, unit),
        ),
      ),
    row('**total**', (unit, target) => all(priced, unit, target), (unit) => all(db.fallback, unit), (unit) => all(db.model, unit)),
  ].join('\n');
}

/** What was measured, what came from the model and why, and the calls that are not DynamoDB in AWS. */
function unitsNotes(usage: AwsUsage, operations: number): string {
  const db = usage.dynamodb;
  const measured = ledgerTotals(db.measured).total;
  const fallback = ledgerTotals(db.fallback).total;
  const per = (n: number) => fmt(n / operations);
  const calls = (counts: Record<string, number>) =>
    Object.entries(counts)
      .filter(([, n]) => n > 0)
      .map(([operation, n]) => `${operation} ${per(n)}`)
      .join(', ') || 'none';
  const unanswered = Object.entries(db.unanswered).filter(([, n]) => n > 0);
  const tx = db.transactions;
  const txModel = Object.entries(db.fallback)
    .filter(([kind]) => !kind.endsWith('(refused condition)'))
    .reduce((total, [, targets]) => total + Object.values(targets).reduce((sum, n) => sum + n.wru, 0), 0);
  return [
    `From ConsumedCapacity: ${per(measured.wru)} WRU, ${per(measured.rru)} RRU. From the model: ${per(fallback.wru)} WRU, of which ${per(txModel)} in ${per(tx.calls)} TransactWriteItems ` +
      `(DynamoDB Local answered ${per(tx.localWru)} WRU for them; the model's items, counted as Local counts them, give exactly its answer in ${tx.confirmed} of ${tx.calls} transactions) ` +
      `and ${per(fallback.wru - txModel)} for ${per(db.conditionFailures)} refused conditions` +
      (unanswered.length ? `; other calls whose answer is missing or not AWS's, from the model: ${unanswered.map(([operation, n]) => `${operation} ${per(n)}`).join(', ')}` : '') +
      '.',
    `Main-table calls: ${calls(db.calls)}. Local queue table (the SQS/EventBridge stand-in, priced above as SQS/EventBridge, not as DynamoDB): ${calls(usage.queueTable.calls)}; ${per(usage.queueTable.wru)} WRU and ${per(usage.queueTable.rru)} RRU of DynamoDB Local, not priced. DynamoDB Streams: ${calls(usage.streams)} (the outbox's event source mapping in AWS; stream reads by Lambda are free).`,
  ].join(' ');
}

function table(lines: CostLine[], totalLabel: string): string {
  const total = lines.reduce((sum, line) => sum + line.usd, 0);
  return [
    '| item | per operation | $ |',
    '|---|---|---|',
    ...lines.map((line) => `| ${line.item} | ${line.quantity} | ${line.usd.toFixed(2)} |`),
    `| **${totalLabel}** | | **${total.toFixed(2)}** |`,
  ].join('\n');
}

async function readChildUsage(file: string): Promise<AwsUsage> {
  // The child writes every 250 ms: let it catch up.
  await new Promise((resolve) => setTimeout(resolve, 600));
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as AwsUsage) : emptyUsage();
}

/** The usage that says whether work is still going on: without the queue polls and stream reads, which never stop. */
function activity(usage: AwsUsage): string {
  return JSON.stringify({ ...usage, queueTable: { calls: { ...usage.queueTable?.calls, Query: 0, GetItem: 0 } }, streams: {} });
}

async function quiet(meter: UsageMeter, childFile: string): Promise<void> {
  let last = '';
  for (let stable = 0; stable < 3; ) {
    await meter.settled();
    const child = existsSync(childFile) ? readFileSync(childFile, 'utf8') : '';
    let childActivity = child;
    try {
      childActivity = child ? activity(JSON.parse(child) as AwsUsage) : '';
    } catch {
      // Caught mid-write: compare the text, the next round reads it whole.
    }
    const now = activity(meter.usage) + childActivity;
    stable = now === last ? stable + 1 : 0;
    last = now;
    await new Promise((resolve) => setTimeout(resolve, 700));
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { ops: { type: 'string', default: '100' }, 'no-write': { type: 'boolean', default: false } } });
  const operations = Number(values.ops);
  if (!Number.isSafeInteger(operations) || operations < 1) throw new Error('--ops must be a whole number ≥ 1');
  const log = (line: string) => process.stderr.write(`cost: ${line}\n`);
  const s: BenchStack = await startBenchStack('cost');
  const receiver = await startReceiver();
  const workDir = await mkdtemp(path.join(tmpdir(), 'bench-cost-'));
  const childFile = path.join(workDir, 'bridge-usage.json');
  let stopRecording = () => {};
  try {
    // The bridge again, with the recorder loaded into it.
    await s.stack.pipeline.killBridge('SIGTERM');
    const tsxLoader = pathToFileURL(path.join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
    const preload = pathToFileURL(path.join(REPO_ROOT, 'bench/sdk-recorder-preload.ts')).href;
    await s.stack.pipeline.startBridge({ NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${tsxLoader} --import ${preload}`.trim(), BENCH_USAGE_FILE: childFile });

    const merchant = await s.newMerchant('Cost shop');
    const key = merchant.secret_key;
    const endpoint = await s.api('POST', '/v1/webhook-endpoints', key, { url: receiver.url });
    if (endpoint.status !== 201) throw new Error(`webhook endpoint: ${endpoint.status} ${JSON.stringify(endpoint.body)}`);
    const payer = await s.api<{ id: string }>('POST', '/v1/accounts', key, { label: 'payouts' });
    await s.fund(key, payer.body.id, operations * 40_000 + 100_000);
    await waitFor(() => (receiver.received.get('invoice.paid')?.size ?? 0) >= 1, 'funding webhook', 60_000);

    const reader = createTable(s.tableName, { endpoint: s.stack.dynamoDbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const meter = new UsageMeter({ mainTable: s.tableName, queueTable: localQueueTableName(s.tableName), reader });
    stopRecording = recordSdkCalls((call) => meter.record(call), { consumedCapacity: true });
    await quiet(meter, childFile);

    const scenario = async (name: string, run: () => Promise<number[]>, done: () => boolean) => {
      const parentBefore = structuredClone(meter.usage);
      const childBefore = await readChildUsage(childFile);
      const bytesBefore = receiver.bytes;
      const requestsBefore = receiver.requests;
      log(`${name}: ${operations} operations`);
      const apiLatencies = await run();
      await waitFor(done, `${name} webhooks delivered`, 300_000, 100);
      await quiet(meter, childFile);
      const usage = addUsage(subtractUsage(meter.usage, parentBefore), subtractUsage(await readChildUsage(childFile), childBefore));
      usage.apiRequests += apiLatencies.length;
      const api = (usage.lambda.api ??= { invocations: 0, totalMs: 0 });
      api.invocations += apiLatencies.length;
      api.totalMs += apiLatencies.reduce((total, ms) => total + ms, 0);
      const webhookBytes = receiver.bytes - bytesBefore + (receiver.requests - requestsBefore) * ASSUMED.webhookHeaderBytes;
      return { usage, webhookBytes };
    };

    const deposits = await scenario(
      'deposits',
      async () => {
        const latencies: number[] = [];
        const result = await runClosedLoop(operations, 4, async () => {
          const t0 = performance.now();
          const created = await s.api<{ id: string; bolt11: string }>('POST', '/v1/invoices', key, { amount_msat: 25_000, account_id: merchant.default_account_id });
          latencies.push(performance.now() - t0);
          if (created.status !== 201) throw new Error(`invoice: ${created.status}`);
          const paid = s.sim.payInvoice(created.body.bolt11);
          if (paid.status !== 'settled') throw new Error(`payment: ${paid.error ?? paid.status}`);
        });
        if (result.errors.length) throw result.errors[0];
        return latencies;
      },
      () => (receiver.received.get('invoice.paid')?.size ?? 0) >= operations + 1,
    );

    // The same deposits for a merchant with no webhook endpoint: what the notification adds.
    const quietShop = await s.newMerchant('Cost shop without webhooks');
    const quietInvoices: string[] = [];
    const plainDeposits = await scenario(
      'deposits without a webhook endpoint',
      async () => {
        const latencies: number[] = [];
        const result = await runClosedLoop(operations, 4, async () => {
          const t0 = performance.now();
          const created = await s.api<{ id: string; bolt11: string }>('POST', '/v1/invoices', quietShop.secret_key, { amount_msat: 25_000, account_id: quietShop.default_account_id });
          latencies.push(performance.now() - t0);
          if (created.status !== 201) throw new Error(`invoice: ${created.status}`);
          quietInvoices.push(created.body.id);
          const paid = s.sim.payInvoice(created.body.bolt11);
          if (paid.status !== 'settled') throw new Error(`payment: ${paid.error ?? paid.status}`);
        });
        if (result.errors.length) throw result.errors[0];
        await waitFor(async () => (await s.balance(quietShop.default_account_id)) >= operations * 25_000, 'deposits credited', 300_000, 200);
        return latencies;
      },
      () => true,
    );

    const targets = Array.from({ length: operations }, () => s.sim.createOutsideInvoice({ amountMsat: 20_000, outcome: 'succeed', feeMsat: 100 }));
    const withdrawals = await scenario(
      'withdrawals',
      async () => {
        const latencies: number[] = [];
        const result = await runClosedLoop(operations, 4, async (i) => {
          const t0 = performance.now();
          const created = await s.api('POST', '/v1/withdrawals', key, { bolt11: targets[i]!.bolt11, account_id: payer.body.id });
          latencies.push(performance.now() - t0);
          if (created.status !== 202) throw new Error(`withdrawal: ${created.status} ${JSON.stringify(created.body)}`);
        });
        if (result.errors.length) throw result.errors[0];
        return latencies;
      },
      () => (receiver.received.get('withdrawal.succeeded')?.size ?? 0) >= operations,
    );

    const depositLines = price(deposits.usage, operations, deposits.webhookBytes);
    const plainDepositLines = price(plainDeposits.usage, operations, plainDeposits.webhookBytes);
    const withdrawalLines = price(withdrawals.usage, operations, withdrawals.webhookBytes);
    const idle = idleMonth();
    const sum = (lines: CostLine[]) => lines.reduce((total, line) => total + line.usd, 0);
    // Local wall time is DynamoDB Local's pace, not DynamoDB's: the same total with every invocation at 50 ms.
    const at50ms = (lines: CostLine[], usage: AwsUsage) => {
      const invocations = Object.values(usage.lambda).reduce((total, lambda) => total + lambda.invocations, 0);
      const duration = ((invocations / operations) * 0.05 * PRICES.lambda.memoryGb * PRICES.lambda.perGbSecondArm) * 1e6;
      return sum(lines.filter((line) => !line.item.startsWith('Lambda duration'))) + duration;
    };
    const unitsSection = (title: string, usage: Parameters<typeof unitsTable>[0]) => [`#### ${title}`, '', unitsTable(usage, operations), '', unitsNotes(usage, operations)];
    const generated = [
      `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC with \`npm run cost${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\`: ${operations} deposits and ${operations} withdrawals on the local stack. Prices: ${PRICES.region}, looked up ${PRICES.asOf} (bench/prices.ts).`,
      '',
      '### Targets',
      '',
      '| target | measured | |',
      '|---|---|---|',
      `| ≤ $10 per million deposits | $${sum(depositLines).toFixed(2)} ($${at50ms(depositLines, deposits.usage).toFixed(2)} with every Lambda invocation at 50 ms) | ${sum(depositLines) <= 10 ? 'met' : '**missed**'} |`,
      `| (the same, for a merchant without a webhook endpoint) | $${sum(plainDepositLines).toFixed(2)} ($${at50ms(plainDepositLines, plainDeposits.usage).toFixed(2)} at 50 ms) | ${sum(plainDepositLines) <= 10 ? 'met' : '**missed**'} |`,
      `| (withdrawals, no target) | $${sum(withdrawalLines).toFixed(2)} per million ($${at50ms(withdrawalLines, withdrawals.usage).toFixed(2)} at 50 ms) | |`,
      `| ≤ $10 per month idle | $${sum(idle).toFixed(2)} | ${sum(idle) <= 10 ? 'met' : '**missed**'} |`,
      `| ≤ 10 WRU per deposit (ConsumedCapacity) | ${fmt(deposits.usage.dynamodb.wru / operations)} | ${deposits.usage.dynamodb.wru / operations <= 10 ? 'met' : '**missed**'} |`,
      `| ≤ 4 RRU per deposit (ConsumedCapacity) | ${fmt(deposits.usage.dynamodb.rru / operations)} | ${deposits.usage.dynamodb.rru / operations <= 4 ? 'met' : '**missed**'} |`,
      '',
      '### Per million deposits (invoice created through the API, paid, credited, one webhook endpoint notified)',
      '',
      table(depositLines, 'per million deposits'),
      '',
      '### Per million deposits, merchant without a webhook endpoint',
      '',
      table(plainDepositLines, 'per million deposits, no webhooks'),
      '',
      '### Per million withdrawals (through the API, paid by the bridge, finalised, one webhook endpoint notified)',
      '',
      table(withdrawalLines, 'per million withdrawals'),
      '',
      '### Idle month',
      '',
      table(idle, 'per month, idle').replace('| item | per operation | $ |', '| item | quantity | $ |'),
      '',
      '### DynamoDB units, measured (ConsumedCapacity), by item type and index, with the item-size model beside',
      '',
      'Per operation; these are the units priced above. WRU/RRU by table and index: DynamoDB Local\'s ConsumedCapacity (ReturnConsumedCapacity=INDEXES on every call), split over the items of a batch in proportion to the model, except where Local\'s answer is not what AWS bills: TransactWriteItems, queries that find nothing and refused conditions take the model\'s figure ("of it model"; see Method). "model": the item-size model of bench/aws-usage.ts for every call, the cross-check; Δ = priced − model. A query is put under the kind of the items it returned.',
      '',
      ...unitsSection('Per deposit (one webhook endpoint)', deposits.usage),
      '',
      ...unitsSection('Per deposit, merchant without a webhook endpoint', plainDeposits.usage),
      '',
      ...unitsSection('Per withdrawal', withdrawals.usage),
    ].join('\n');
    process.stdout.write(`\n${generated}\n`);
    if (!values['no-write']) {
      const file = path.join(REPO_ROOT, 'docs/COST.md');
      const text = existsSync(file) ? readFileSync(file, 'utf8') : `# Cost\n\n${RESULTS_START}\n${RESULTS_END}\n`;
      const from = text.indexOf(RESULTS_START);
      const to = text.indexOf(RESULTS_END);
      if (from < 0 || to < from) throw new Error(`${file} has no ${RESULTS_START} ... ${RESULTS_END} markers`);
      writeFileSync(file, `${text.slice(0, from + RESULTS_START.length)}\n${generated}\n${text.slice(to)}`);
      log(`wrote ${path.relative(REPO_ROOT, file)}`);
    }
    reader.doc.destroy();
  } finally {
    stopRecording();
    await s.stop();
    await receiver.close();
    await rm(workDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    process.stderr.write(`cost: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
