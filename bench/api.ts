/**
 * API: create-invoice and withdrawal requests per second and latency, against the same
 * DynamoDB calls made directly ("raw") in the same run, on the same stack. The ratio is
 * what the API adds: HTTP, middy, zod, authentication, error mapping (and, for
 * withdrawals, decoding and checking the BOLT11).
 *
 * - The HTTP load comes from a child process (bench/http-load.ts), so the client does not
 *   share the API's event loop; the raw baseline runs in this process with the same
 *   concurrency. Phases alternate raw, API, raw, API to spread drift over both.
 * - The node-bridge is stopped while timing (in AWS it runs on its own machine); the
 *   outbox, bus and webhook workers of the stack keep running, for both sides alike.
 * - Each request names its account (no merchant look-up) and sends no Idempotency-Key.
 */
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { IdPrefix, newId } from '../functions/lib/ids';
import { newInvoiceItem } from '../functions/lib/invoices/invoice';
import { LedgerEntryType } from '../functions/lib/ledger/ledger-entry';
import { PaymentLockState, takePaymentLock } from '../functions/lib/ledger/payment-lock';
import { appendLedgerEntry, debitAccount, putNew } from '../functions/lib/ledger/writes';
import { LndClient } from '../functions/lib/lnd';
import { hashApiKey } from '../functions/lib/merchants/api-key';
import { defaultFeeReserveMsat } from '../functions/lib/money';
import { Entity, keys } from '../functions/lib/table/keys';
import { newWithdrawalItem } from '../functions/lib/withdrawals/withdrawal';
import { startBenchStack, type BenchStack } from './local-stack';
import type { LoadPlan, LoadResult } from './http-load';
import { tablesOf } from './aws-usage';
import { recordSdkCalls } from './sdk-recorder';
import { runClosedLoop, summarize, perSecond, type LatencySummary } from './stats';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const INVOICE_MSAT = 10_000;
const WITHDRAWAL_MSAT = 1_000;

export interface Measured {
  perSec: number;
  latency: LatencySummary;
}

export interface ApiBenchResult {
  concurrency: number;
  requestsPerPhase: number;
  createInvoice: { api: Measured; rawDb: Measured; rawDbAndNode: Measured; apiCalls: string; rawCalls: string };
  withdrawal: { api: Measured; raw: Measured; apiCalls: string; rawCalls: string };
}

export interface ApiBenchOptions {
  /** Timed requests per kind and side (split over two rounds). */
  requests: number;
  concurrency: number;
  log: (line: string) => void;
}

async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-load-'));
  try {
    const file = path.join(dir, 'plan.json');
    await writeFile(file, JSON.stringify(plan));
    return await new Promise<LoadResult>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'bench/http-load.ts'), file], {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.once('error', reject);
      child.once('exit', (code) => {
        const last = stdout.trim().split('\n').at(-1);
        if (code !== 0 || !last) return reject(new Error(`load generator exited with ${code}`));
        resolve(JSON.parse(last) as LoadResult);
      });
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function measured(latenciesMs: number[], elapsedMs: number): Measured {
  return { perSec: perSecond(latenciesMs.length, elapsedMs), latency: summarize(latenciesMs) };
}

/** Two rounds per side, raw first: their samples pooled, rates from the summed wall time. */
function pool(rounds: Array<{ latenciesMs: number[]; elapsedMs: number }>): Measured {
  return measured(
    rounds.flatMap((round) => round.latenciesMs),
    rounds.reduce((total, round) => total + round.elapsedMs, 0),
  );
}

/** "GetItem×2, TransactWriteItems×1": the DynamoDB calls per operation, seen by the SDK recorder. */
async function callShape(tableName: string, count: number, run: () => Promise<void>): Promise<string> {
  const seen = new Map<string, number>();
  const stop = recordSdkCalls((call) => {
    if (call.service === 'dynamodb' && tablesOf(call).includes(tableName)) seen.set(call.operation, (seen.get(call.operation) ?? 0) + 1);
  });
  try {
    await run();
  } finally {
    stop();
  }
  return [...seen].map(([operation, n]) => `${operation}×${+(n / count).toFixed(2)}`).join(', ');
}

export async function benchApi(options: ApiBenchOptions): Promise<ApiBenchResult> {
  const { log, concurrency } = options;
  const half = Math.max(1, Math.round(options.requests / 2));
  const warmup = Math.min(100, half);
  const s: BenchStack = await startBenchStack('api');
  const lnd = LndClient.fromFiles({ host: s.sim.grpcAddress, tlsCertPath: s.sim.tlsCertPath, macaroonPath: s.sim.invoiceMacaroonPath });
  try {
    const merchant = await s.newMerchant();
    const key = merchant.secret_key;
    const accounts: string[] = [];
    for (let i = 0; i < concurrency; i++) {
      const created = await s.api<{ id: string }>('POST', '/v1/accounts', key, { label: `bench ${i}` });
      if (created.status !== 201) throw new Error(`account: ${created.status}`);
      accounts.push(created.body.id);
    }
    // Every withdrawal debits 1,000 msat plus the default fee reserve.
    const withdrawalsTotal = 4 * half + 2 * warmup + 20;
    const perWithdrawalMsat = WITHDRAWAL_MSAT + defaultFeeReserveMsat(WITHDRAWAL_MSAT);
    const fundEach = Math.ceil(withdrawalsTotal / accounts.length + 10) * perWithdrawalMsat;
    log(`api: funding ${accounts.length} accounts with ${fundEach.toLocaleString('en-US')} msat each through the pipeline`);
    await Promise.all(accounts.map((accountId) => s.fund(key, accountId, fundEach)));
    await s.stack.pipeline.killBridge('SIGTERM');

    log(`api: creating ${withdrawalsTotal} outside invoices to withdraw to`);
    const outside = Array.from({ length: withdrawalsTotal }, () => s.sim.createOutsideInvoice({ amountMsat: WITHDRAWAL_MSAT, outcome: 'hang' }));
    let nextOutside = 0;
    const takeOutside = () => {
      const invoice = outside[nextOutside++];
      if (!invoice) throw new Error('ran out of outside invoices');
      return invoice;
    };
    const accountFor = (i: number) => accounts[i % accounts.length]!;
    const bolt11Template = (await lnd.addInvoice({ valueMsat: INVOICE_MSAT, expirySec: 3600 })).paymentRequest;

    // The raw baseline: the calls the routes make, built with the same item builders, sent directly.
    const keyHash = hashApiKey(key);
    const raw = s.table;
    const rawInvoice = async (i: number, withNode: boolean) => {
      await raw.doc.send(new GetCommand({ TableName: raw.name, Key: keys.apiKey(keyHash) }));
      await raw.doc.send(new GetCommand({ TableName: raw.name, Key: keys.account(accountFor(i)), ConsistentRead: true }));
      const onNode = withNode
        ? await lnd.addInvoice({ valueMsat: INVOICE_MSAT, expirySec: 3600 })
        : { paymentHash: randomBytes(32).toString('hex'), paymentRequest: bolt11Template };
      const now = new Date();
      const id = newId(IdPrefix.invoice);
      await raw.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            putNew(
              raw,
              newInvoiceItem({
                id,
                merchantId: merchant.merchant_id,
                accountId: accountFor(i),
                amountMsat: INVOICE_MSAT,
                bolt11: onNode.paymentRequest,
                paymentHash: onNode.paymentHash,
                expiresAt: new Date(now.getTime() + 3_600_000).toISOString(),
                checkoutUrl: `${s.apiUrl}/checkout/${id}`,
                createdAt: now.toISOString(),
              }),
            ),
            putNew(raw, { ...keys.invoicePaymentHash(onNode.paymentHash), entity: Entity.invoicePaymentHash, invoice_id: id, merchant_id: merchant.merchant_id }),
          ],
        }),
      );
    };
    const rawWithdrawal = async (i: number) => {
      const target = takeOutside();
      await raw.doc.send(new GetCommand({ TableName: raw.name, Key: keys.apiKey(keyHash) }));
      const id = newId(IdPrefix.withdrawal);
      const at = new Date();
      const accountId = accountFor(i);
      const feeReserveMsat = defaultFeeReserveMsat(WITHDRAWAL_MSAT);
      const entry = { accountId, merchantId: merchant.merchant_id, referenceId: id, at };
      await raw.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            debitAccount(raw, { accountId, merchantId: merchant.merchant_id, amountMsat: WITHDRAWAL_MSAT + feeReserveMsat }),
            takePaymentLock(raw, { paymentHash: target.paymentHash, withdrawalId: id, state: PaymentLockState.held, at }),
            putNew(
              raw,
              newWithdrawalItem({ id, merchantId: merchant.merchant_id, accountId, amountMsat: WITHDRAWAL_MSAT, feeReserveMsat, paymentHash: target.paymentHash, bolt11: target.bolt11, createdAt: at.toISOString() }),
            ),
            appendLedgerEntry(raw, { ...entry, type: LedgerEntryType.withdrawal, amountMsat: -WITHDRAWAL_MSAT }),
            appendLedgerEntry(raw, { ...entry, type: LedgerEntryType.feeReserve, amountMsat: -feeReserveMsat }),
          ],
        }),
      );
    };
    const invoicePlan = (n: number): LoadPlan => ({
      baseUrl: s.apiUrl,
      concurrency,
      requests: Array.from({ length: n }, (_, i) => ({ method: 'POST', path: '/v1/invoices', key, body: { amount_msat: INVOICE_MSAT, account_id: accountFor(i) } })),
    });
    const withdrawalPlan = (n: number): LoadPlan => ({
      baseUrl: s.apiUrl,
      concurrency,
      requests: Array.from({ length: n }, (_, i) => ({ method: 'POST', path: '/v1/withdrawals', key, body: { bolt11: takeOutside().bolt11, account_id: accountFor(i) } })),
    });
    const api = async (plan: LoadPlan, expectStatus: number) => {
      const result = await runLoad(plan);
      const ok = result.statuses[expectStatus] ?? 0;
      if (ok !== plan.requests.length) throw new Error(`API answered ${JSON.stringify(result.statuses)}: ${result.failures.join(' | ')}`);
      return result;
    };
    const rawLoop = async (n: number, operation: (i: number) => Promise<void>) => {
      const result = await runClosedLoop(n, concurrency, operation);
      if (result.errors.length > 0) throw new Error(`raw baseline failed: ${(result.errors[0] as Error).message}`);
      return result;
    };

    log('api: warming up');
    await api(invoicePlan(warmup), 201);
    await rawLoop(warmup, (i) => rawInvoice(i, true));
    await api(withdrawalPlan(warmup), 202);
    await rawLoop(warmup, rawWithdrawal);

    // The same DynamoDB calls on both sides, checked rather than assumed.
    const apiInvoiceCalls = await callShape(s.tableName, 10, async () => void (await api(invoicePlan(10), 201)));
    const rawInvoiceCalls = await callShape(s.tableName, 10, () => rawLoop(10, (i) => rawInvoice(i, true)).then(() => undefined));
    const apiWithdrawalCalls = await callShape(s.tableName, 10, async () => void (await api(withdrawalPlan(10), 202)));
    const rawWithdrawalCalls = await callShape(s.tableName, 10, () => rawLoop(10, rawWithdrawal).then(() => undefined));

    log(`api: create-invoice, ${2 * half} requests per side at concurrency ${concurrency}`);
    const invoiceRounds = { api: [] as LoadResult[], rawDb: [] as Array<{ latenciesMs: number[]; elapsedMs: number }>, rawNode: [] as Array<{ latenciesMs: number[]; elapsedMs: number }> };
    for (let round = 0; round < 2; round++) {
      invoiceRounds.rawDb.push(await rawLoop(half, (i) => rawInvoice(i, false)));
      invoiceRounds.rawNode.push(await rawLoop(half, (i) => rawInvoice(i, true)));
      invoiceRounds.api.push(await api(invoicePlan(half), 201));
    }
    log(`api: withdrawals, ${2 * half} requests per side at concurrency ${concurrency}`);
    const withdrawalRounds = { api: [] as LoadResult[], raw: [] as Array<{ latenciesMs: number[]; elapsedMs: number }> };
    for (let round = 0; round < 2; round++) {
      withdrawalRounds.raw.push(await rawLoop(half, rawWithdrawal));
      withdrawalRounds.api.push(await api(withdrawalPlan(half), 202));
    }
    return {
      concurrency,
      requestsPerPhase: 2 * half,
      createInvoice: {
        api: pool(invoiceRounds.api),
        rawDb: pool(invoiceRounds.rawDb),
        rawDbAndNode: pool(invoiceRounds.rawNode),
        apiCalls: `${apiInvoiceCalls} + gRPC AddInvoice`,
        rawCalls: `${rawInvoiceCalls} + gRPC AddInvoice`,
      },
      withdrawal: { api: pool(withdrawalRounds.api), raw: pool(withdrawalRounds.raw), apiCalls: apiWithdrawalCalls, rawCalls: rawWithdrawalCalls },
    };
  } finally {
    lnd.close();
    await s.stop();
  }
}
