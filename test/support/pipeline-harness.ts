import { BusSource, NodeDetailType } from '../../functions/lib/bus/bus-events';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { allLedgerEntries } from '../../functions/lib/accounts/repository';
import type { EventBus } from '../../functions/lib/bus/event-bus';
import type { BusEvent, BusRule } from '../../infra/local/aws/local-bus';
import type { Log } from '../../functions/lib/runtime/log';
import type { Metrics } from '../../functions/lib/runtime/metrics';
import { IdPrefix, newId } from '../../functions/lib/ids';
import type { InvoiceItem } from '../../functions/lib/invoices/invoice';
import { insertInvoice } from '../../functions/lib/invoices/repository';
import { debitWithdrawal } from '../../functions/lib/ledger/debit-withdrawal';
import type { LedgerEntryItem } from '../../functions/lib/ledger/ledger-entry';
import type { LightningNode } from '../../functions/lib/node/lightning-node';
import { createTable, type Table } from '../../functions/lib/table/client';
import { keys } from '../../functions/lib/table/keys';
import type { WithdrawalItem } from '../../functions/lib/withdrawals/withdrawal';
import { localDynamoDbClient } from '../../infra/local/dynamodb-local';
import { ensureLocalQueueTable, localQueueTableName } from '../../infra/local/aws/local-queue-table';
import { FAST_TIMING, startPipeline, type Pipeline, type PipelineTiming } from '../../infra/local/pipeline';
import type { PaymentOutcome } from '../../lnd-simulator';
import { fund, newMerchant, readAccount } from './ledger-fixtures';
import { useRunBridgeBundle } from './run-bridge-bundle';
import { startSimulatedNode, type SimulatedNode } from './simulated-node';
import { createTestTable, dynamoDbEndpoint } from './table';

export interface PipelineHarnessOptions {
  /** Start the node-bridge child at once. @default true */
  startBridge?: boolean;
  bridgeEnv?: Record<string, string>;
  /**
   * 'fast' (default): FAST_TIMING, its bridge duration overrides included.
   * 'production-scaled': none of FAST_TIMING's bridge overrides; the bridge runs its own
   * production defaults under LOCAL_TIME_SCALE=`timeScale`, and the pipeline's delivery
   * durations use the same `timeScale` (counts exact everywhere). `bridgeEnv` still applies.
   */
  bridgeTiming?: 'fast' | 'production-scaled';
  /** The pipeline's time scale (and, with 'production-scaled', the bridge's). @default FAST_TIMING.timeScale */
  timeScale?: number;
  wrapOutboxBus?: (bus: EventBus) => EventBus;
  extraRules?: BusRule[];
}

export interface PipelineHarness {
  table: Table;
  /** The node simulator of TEST_LIGHTNING_BACKEND (LND by default). */
  sim: SimulatedNode;
  pipeline: Pipeline;
  /** The node through the port with the API's credentials (LND: the invoice macaroon). */
  node: LightningNode;
  /** Every event that crossed the bus, in routing order. */
  events: BusEvent[];
  /** Counters the outbox and the consumers emitted (name → total). */
  counters: Map<string, number>;
  dataDir: string;
  newAccount(options?: { fundMsat?: number }): Promise<{ merchantId: string; accountId: string }>;
  /** An invoice made on the node and stored, as POST /v1/invoices does. */
  createInvoice(input: { merchantId: string; accountId: string; amountMsat: number; expirySec?: number }): Promise<InvoiceItem>;
  /** A pending withdrawal of an outside invoice whose payment ends as `outcome`, as POST /v1/withdrawals does. */
  withdraw(input: {
    merchantId: string;
    accountId: string;
    amountMsat: number;
    feeReserveMsat: number;
    outcome?: PaymentOutcome;
    feeMsat?: number;
    /** Expiry of the outside invoice. @default the simulator's */
    expirySec?: number;
    /** An invoice without an amount: the withdrawal's amount is what the node is told to pay. */
    amountless?: boolean;
    /** Pay this outside invoice again (an earlier withdrawal's) instead of a new one. */
    invoice?: { bolt11: string; paymentHash: string };
  }): Promise<WithdrawalItem>;
  readWithdrawal(id: string): Promise<WithdrawalItem>;
  readInvoice(id: string): Promise<InvoiceItem>;
  balance(accountId: string): Promise<number>;
  ledger(accountId: string): Promise<LedgerEntryItem[]>;
  /** A value of the running bridge's /metrics (summed over label sets), 0 when absent. */
  bridgeMetric(name: string, labels?: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  message?: string;
}

/** Polls until `check` returns something truthy and returns it; fails after the timeout with the last value seen. */
export async function waitUntil<T>(check: () => T | Promise<T>, options: WaitOptions = {}): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`${options.message ?? 'condition'} not met within ${timeoutMs} ms (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}

const consoleLog: Log = {
  debug: () => {},
  info: (message, fields) => console.log('[pipeline]', new Date().toISOString(), message, JSON.stringify(fields ?? {})),
  warn: (message, fields) => console.log('[pipeline] WARN', message, JSON.stringify(fields ?? {})),
  error: (message, fields) => console.log('[pipeline] ERROR', message, JSON.stringify(fields ?? {})),
};

/** A real DynamoDB Local table, the node simulator of TEST_LIGHTNING_BACKEND in a temp dir, and the whole pipeline with its bridge child. */
export async function startPipelineHarness(options: PipelineHarnessOptions = {}): Promise<PipelineHarness> {
  useRunBridgeBundle();
  const cleanups: Array<() => Promise<void>> = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
  };
  try {
    const table = await createTestTable();
    cleanups.push(async () => {
      const admin = localDynamoDbClient(dynamoDbEndpoint());
      await admin.send(new DeleteTableCommand({ TableName: localQueueTableName(table.name) })).catch(() => undefined);
      admin.destroy();
      await table.drop();
    });
    const dataDir = await mkdtemp(path.join(tmpdir(), 'pipeline-test-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const sim = await startSimulatedNode({ dataDir, maxPaymentTimeoutMs: 1000 });
    cleanups.push(() => sim.stop());
    const node = await sim.connect('invoices');
    cleanups.push(async () => node.close());

    const events: BusEvent[] = [];
    const counters = new Map<string, number>();
    const metrics: Metrics = { count: (name, value = 1) => void counters.set(name, (counters.get(name) ?? 0) + value) };
    const pipeline = await startPipeline({
      tableName: table.name,
      dynamoDbEndpoint: dynamoDbEndpoint(),
      node: sim.node,
      timing: harnessTiming(options),
      extraRules: options.extraRules ?? [],
      startBridge: options.startBridge ?? true,
      bridgeEnv: options.bridgeEnv ?? {},
      bridgeLogFile: path.join(dataDir, 'bridge.log'),
      metrics,
      ...(process.env.PIPELINE_DEBUG ? { log: consoleLog } : {}),
      ...(options.wrapOutboxBus ? { wrapOutboxBus: options.wrapOutboxBus } : {}),
    });
    cleanups.push(() => pipeline.stop());
    pipeline.bus.onEvent((event) => events.push(event));

    const read = async <T>(key: { pk: string; sk: string }): Promise<T> => {
      const { Item } = await table.doc.send(new GetCommand({ TableName: table.name, Key: key, ConsistentRead: true }));
      if (!Item) throw new Error(`no item ${key.pk}`);
      return Item as T;
    };

    return {
      table,
      sim,
      pipeline,
      node,
      events,
      counters,
      dataDir,
      async newAccount(accountOptions = {}) {
        const merchant = await newMerchant(table);
        const account = { merchantId: merchant.merchant_id, accountId: merchant.default_account_id };
        if (accountOptions.fundMsat) await fund(table, { ...account, amountMsat: accountOptions.fundMsat });
        return account;
      },
      async createInvoice(input) {
        const id = newId(IdPrefix.invoice);
        const added = await node.createInvoice({ label: id, amountMsat: input.amountMsat, expirySec: input.expirySec ?? 3600 });
        return insertInvoice(table, {
          id,
          merchantId: input.merchantId,
          accountId: input.accountId,
          amountMsat: input.amountMsat,
          bolt11: added.bolt11,
          paymentHash: added.paymentHash,
          expiresAt: new Date(Date.now() + (input.expirySec ?? 3600) * 1000).toISOString(),
          checkoutUrl: `http://127.0.0.1/checkout/${id}`,
          createdAt: new Date().toISOString(),
        });
      },
      async withdraw(input) {
        const outside = input.invoice ?? sim.createOutsideInvoice({
          ...(input.amountless ? {} : { amountMsat: input.amountMsat }),
          outcome: input.outcome ?? 'succeed',
          feeMsat: input.feeMsat ?? 0,
          ...(input.expirySec !== undefined ? { expirySec: input.expirySec } : {}),
        });
        return debitWithdrawal(table, {
          id: newId(IdPrefix.withdrawal),
          merchantId: input.merchantId,
          accountId: input.accountId,
          amountMsat: input.amountMsat,
          feeReserveMsat: input.feeReserveMsat,
          paymentHash: outside.paymentHash,
          bolt11: outside.bolt11,
          createdAt: new Date().toISOString(),
        });
      },
      readWithdrawal: (id) => read<WithdrawalItem>(keys.withdrawal(id)),
      readInvoice: (id) => read<InvoiceItem>(keys.invoice(id)),
      balance: async (accountId) => (await readAccount(table, accountId)).balance_msat,
      ledger: (accountId) => allLedgerEntries(table, accountId),
      async bridgeMetric(name, labels = {}) {
        const bridge = pipeline.bridge;
        if (!bridge?.running) throw new Error('the bridge is not running');
        const text = await (await fetch(`${bridge.httpUrl}/metrics`)).text();
        let total = 0;
        for (const line of text.split('\n')) {
          const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
          if (!match || match[1] !== name) continue;
          const labelText = match[2] ?? '';
          if (Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`))) total += Number(match[3]);
        }
        return total;
      },
      stop: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

function harnessTiming(options: PipelineHarnessOptions): PipelineTiming {
  if (options.bridgeTiming !== 'production-scaled') return options.timeScale ? { ...FAST_TIMING, timeScale: options.timeScale } : FAST_TIMING;
  const timeScale = options.timeScale ?? FAST_TIMING.timeScale;
  return { ...FAST_TIMING, timeScale, bridgeEnv: { LOCAL_TIME_SCALE: String(timeScale) } };
}

/** One harness for the test file, stopped in afterAll whatever happened (the bridge child included). */
export function usePipelineHarness(options: PipelineHarnessOptions = {}): PipelineHarness {
  const handle = {} as PipelineHarness;
  let harness: PipelineHarness | undefined;
  beforeAll(async () => {
    harness = await startPipelineHarness(options);
    Object.assign(handle, harness);
  }, 90_000);
  afterAll(async () => {
    await harness?.stop();
  }, 60_000);
  return handle;
}

/** A local queue table of its own for this file. */
export function useLocalQueueTable(): { table: Table } {
  const handle = {} as { table: Table };
  const name = `test-queues-${randomUUID()}`;
  beforeAll(async () => {
    const admin = localDynamoDbClient(dynamoDbEndpoint());
    await ensureLocalQueueTable(admin, name);
    admin.destroy();
    handle.table = createTable(name, {
      endpoint: dynamoDbEndpoint(),
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });
  afterAll(async () => {
    const admin = localDynamoDbClient(dynamoDbEndpoint());
    await admin.send(new DeleteTableCommand({ TableName: name }));
    admin.destroy();
    handle.table.doc.destroy();
  });
  return handle;
}


/** The PaymentSucceeded / PaymentFailed events the bridge published for one withdrawal. */
export function paymentResultEvents(h: PipelineHarness, withdrawalId: string) {
  return h.events.filter(
    (e) =>
      e.source === BusSource.node &&
      (e['detail-type'] === NodeDetailType.paymentSucceeded || e['detail-type'] === NodeDetailType.paymentFailed) &&
      (e.detail as { withdrawal_id: string }).withdrawal_id === withdrawalId,
  );
}
