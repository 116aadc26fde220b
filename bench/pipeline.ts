/**
 * Settlement pipeline: the simulator settles N invoices of ours (outside payers), and the
 * stack carries each one through the node-bridge, the bus, the settle consumer (credit),
 * the outbox and the webhook fan-out to a receiver on 127.0.0.1.
 *
 * - settle: the moment the simulator settles the invoice (payInvoice returns);
 * - credit: the moment the settle consumer's transaction (deposit ledger entry) committed,
 *   seen by the SDK recorder on its way back;
 * - webhook: the moment the receiver got the first delivery of that invoice's invoice.paid.
 *
 * Phase 1 (throughput) settles all N as fast as the simulator takes them; its latencies
 * include the queueing of a burst. Phase 2 (latency) settles at a fixed rate below the
 * measured throughput (half of it, at most 100/s) for a few seconds: latency unsaturated.
 * Invoices are made on the node and stored with BatchWriteItem before timing (the items
 * POST /v1/invoices writes), so setup does not take minutes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { IdPrefix, newId } from '../functions/lib/ids';
import { newInvoiceItem } from '../functions/lib/invoices/invoice';
import type { LightningNode } from '../functions/lib/node/lightning-node';
import type { LightningBackend } from '../functions/lib/node/node-config';
import { Entity, keys } from '../functions/lib/table/keys';
import { startBenchStack, waitFor, type BenchStack } from './local-stack';
import { tablesOf } from './aws-usage';
import { recordSdkCalls } from './sdk-recorder';
import { perSecond, runClosedLoop, summarize, type LatencySummary } from './stats';

const AMOUNT_MSAT = 20_000;

export interface PhaseResult {
  settlements: number;
  /** Offered rate (settle calls per second), Infinity for the burst. */
  offeredPerSec: number;
  creditedPerSec: number;
  webhooksPerSec: number;
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
  /** DynamoDB Local calls made by this process per settlement in the burst (bridge's not included). */
  localCallsPerSettlement: number;
  /** The biggest shares of those calls: "queue table Query 9.1". */
  localCallBreakdown: Array<{ call: string; perSettlement: number }>;
  webhookDuplicates: number;
}

export interface PipelineBenchOptions {
  settlements: number;
  /** Seconds of the fixed-rate phase. */
  steadySec: number;
  /** @default 'lnd' */
  backend?: LightningBackend;
  /** The fixed rate of phase 2; by default half the burst's throughput, at most 100/s. Comparing backends, both get the same. */
  steadyRatePerSec?: number;
  log: (line: string) => void;
}

interface Receiver {
  url: string;
  firstDelivery: Map<string, number>;
  duplicates: number;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const firstDelivery = new Map<string, number>();
  const seenIds = new Set<string>();
  const receiver = { duplicates: 0 };
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const at = performance.now();
      try {
        const event = JSON.parse(body) as { id: string; type: string; data: { object: { id: string } } };
        if (seenIds.has(event.id)) receiver.duplicates++;
        seenIds.add(event.id);
        if (event.type === 'invoice.paid' && !firstDelivery.has(event.data.object.id)) firstDelivery.set(event.data.object.id, at);
      } catch {
        // not ours
      }
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    firstDelivery,
    get duplicates() {
      return receiver.duplicates;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface Invoice {
  id: string;
  bolt11: string;
}

async function createInvoices(s: BenchStack<LightningBackend>, node: LightningNode, count: number, owners: Array<{ merchantId: string; accountId: string }>): Promise<Invoice[]> {
  const invoices: Invoice[] = [];
  const items: Record<string, unknown>[] = [];
  await runClosedLoop(count, 16, async (i) => {
    const owner = owners[i % owners.length]!;
    const id = newId(IdPrefix.invoice);
    const added = await node.createInvoice({ label: id, amountMsat: AMOUNT_MSAT, expirySec: 3600 });
    const now = new Date();
    items.push(
      newInvoiceItem({
        id,
        merchantId: owner.merchantId,
        accountId: owner.accountId,
        amountMsat: AMOUNT_MSAT,
        bolt11: added.bolt11,
        paymentHash: added.paymentHash,
        expiresAt: new Date(now.getTime() + 3_600_000).toISOString(),
        checkoutUrl: `${s.apiUrl}/checkout/${id}`,
        createdAt: now.toISOString(),
      }) as unknown as Record<string, unknown>,
      { ...keys.invoicePaymentHash(added.paymentHash), entity: Entity.invoicePaymentHash, invoice_id: id, merchant_id: owner.merchantId },
    );
    invoices.push({ id, bolt11: added.bolt11 });
  });
  const batches: Record<string, unknown>[][] = [];
  for (let start = 0; start < items.length; start += 25) batches.push(items.slice(start, start + 25));
  await runClosedLoop(batches.length, 4, async (i) => {
    let requests = batches[i]!.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      const result = await s.table.doc.send(new BatchWriteCommand({ RequestItems: { [s.tableName]: requests } }));
      requests = (result.UnprocessedItems?.[s.tableName] ?? []) as typeof requests;
      if (requests.length > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  });
  return invoices;
}

export async function benchPipeline(options: PipelineBenchOptions): Promise<PipelineBenchResult> {
  const { log } = options;
  const backend = options.backend ?? 'lnd';
  const s: BenchStack<LightningBackend> = await startBenchStack(`pipeline-${backend}`, backend);
  const receiver = await startReceiver();
  const node = await s.connectInvoiceNode();
  const creditedAt = new Map<string, number>();
  let localCalls = 0;
  const byCall = new Map<string, number>();
  const stopRecording = recordSdkCalls((call) => {
    if (call.service === 'dynamodb' || call.service === 'dynamodb-streams') {
      localCalls++;
      const tables = tablesOf(call);
      const where = call.service === 'dynamodb-streams' ? 'stream' : tables.some((name) => name.endsWith('-local-queues')) ? 'queue table' : 'main table';
      const key = `${where} ${call.operation}`;
      byCall.set(key, (byCall.get(key) ?? 0) + 1);
    }
    if (call.operation !== 'TransactWriteItems' || call.error) return;
    for (const entry of call.input.TransactItems ?? []) {
      const item = entry.Put?.Item;
      if (item?.entity === Entity.ledgerEntry && item.type === 'deposit' && typeof item.reference_id === 'string') {
        creditedAt.set(item.reference_id, call.startedAtMs + call.durationMs);
      }
    }
  });
  try {
    const owners: Array<{ merchantId: string; accountId: string }> = [];
    for (let m = 0; m < 4; m++) {
      const merchant = await s.newMerchant(`Pipeline shop ${m}`);
      const endpoint = await s.api('POST', '/v1/webhook-endpoints', merchant.secret_key, { url: `${receiver.url}/m${m}`, events: ['invoice.paid'] });
      if (endpoint.status !== 201) throw new Error(`webhook endpoint: ${endpoint.status} ${JSON.stringify(endpoint.body)}`);
      owners.push({ merchantId: merchant.merchant_id, accountId: merchant.default_account_id });
      for (let a = 0; a < 7; a++) {
        const account = await s.api<{ id: string }>('POST', '/v1/accounts', merchant.secret_key, { label: `a${a}` });
        owners.push({ merchantId: merchant.merchant_id, accountId: account.body.id });
      }
    }

    // The engine's own pace in this run, the ceiling everything local shares.
    const rawPut = await runClosedLoop(2000, 8, async (i) => {
      await s.table.doc.send(new PutCommand({ TableName: s.tableName, Item: { pk: `BENCH#${i}`, sk: 'BENCH', entity: 'bench', value: 'x'.repeat(200) } }));
    });
    const rawPutItemPerSec = perSecond(rawPut.latenciesMs.length, rawPut.elapsedMs);

    const steadyGuess = Math.max(5, Math.round(options.steadySec * 100));
    log(`pipeline (${backend}): creating ${options.settlements + steadyGuess} invoices on the node and in the table`);
    const invoices = await createInvoices(s, node, options.settlements + steadyGuess, owners);
    const burstInvoices = invoices.slice(0, options.settlements);

    const settledAt = new Map<string, number>();
    const settle = (invoice: Invoice) => {
      settledAt.set(invoice.id, performance.now());
      const paid = s.sim.payInvoice(invoice.bolt11);
      if (paid.status !== 'settled') throw new Error(`simulator did not settle ${invoice.id}: ${paid.error ?? paid.status}`);
    };
    const phase = async (batch: Invoice[], offeredPerSec: number): Promise<PhaseResult> => {
      const timeoutMs = Math.max(120_000, batch.length * 100);
      const started = performance.now();
      if (Number.isFinite(offeredPerSec)) {
        for (let i = 0; i < batch.length; i++) {
          const dueMs = started + (i * 1000) / offeredPerSec;
          const waitMs = dueMs - performance.now();
          if (waitMs > 1) await new Promise((resolve) => setTimeout(resolve, waitMs));
          settle(batch[i]!);
        }
      } else {
        // As fast as the simulator takes them, yielding now and then so the stack can run.
        for (let i = 0; i < batch.length; i += 25) {
          for (const invoice of batch.slice(i, i + 25)) settle(invoice);
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      await waitFor(() => batch.every((invoice) => creditedAt.has(invoice.id)), `${batch.length} settlements credited`, timeoutMs, 100);
      await waitFor(() => batch.every((invoice) => receiver.firstDelivery.has(invoice.id)), `${batch.length} invoice.paid webhooks delivered`, timeoutMs, 100);
      const firstSettle = Math.min(...batch.map((invoice) => settledAt.get(invoice.id)!));
      const lastCredit = Math.max(...batch.map((invoice) => creditedAt.get(invoice.id)!));
      const lastWebhook = Math.max(...batch.map((invoice) => receiver.firstDelivery.get(invoice.id)!));
      return {
        settlements: batch.length,
        offeredPerSec,
        creditedPerSec: perSecond(batch.length, lastCredit - firstSettle),
        webhooksPerSec: perSecond(batch.length, lastWebhook - firstSettle),
        settleToCredit: summarize(batch.map((invoice) => creditedAt.get(invoice.id)! - settledAt.get(invoice.id)!)),
        settleToWebhook: summarize(batch.map((invoice) => receiver.firstDelivery.get(invoice.id)! - settledAt.get(invoice.id)!)),
      };
    };

    log(`pipeline (${backend}): burst of ${burstInvoices.length} settlements`);
    const callsBefore = localCalls;
    byCall.clear();
    const burst = await phase(burstInvoices, Number.POSITIVE_INFINITY);
    const localCallsPerSettlement = (localCalls - callsBefore) / burstInvoices.length;
    const localCallBreakdown = [...byCall]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([call, count]) => ({ call, perSettlement: count / burstInvoices.length }));

    const steadyRate = options.steadyRatePerSec ?? Math.max(1, Math.min(100, Math.floor(burst.creditedPerSec / 2)));
    const steadyCount = Math.min(invoices.length - burstInvoices.length, Math.max(5, Math.round(steadyRate * options.steadySec)));
    log(`pipeline (${backend}): ${steadyCount} settlements at ${steadyRate}/s`);
    const steady = await phase(invoices.slice(burstInvoices.length, burstInvoices.length + steadyCount), steadyRate);
    return { backend, burst, steady, rawPutItemPerSec, localCallsPerSettlement, localCallBreakdown, webhookDuplicates: receiver.duplicates };
  } finally {
    stopRecording();
    node.close();
    await s.stop();
    await receiver.close();
  }
}
