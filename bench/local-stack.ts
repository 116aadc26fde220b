/**
 * The local stack as `npm start` runs it (infra/local/stack.ts), on free ports and in a
 * temporary data directory, plus the small helpers every benchmark section needs: a raw
 * table client of its own, merchants, API calls, funding accounts the way money arrives.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { AccountItem } from '../functions/lib/accounts/account';
import { createMerchant, type CreatedMerchant } from '../functions/lib/merchants/create-merchant';
import { createTable, type Table } from '../functions/lib/table/client';
import { keys } from '../functions/lib/table/keys';
import type { ClnSimulator } from '../cln-simulator';
import type { LightningNode } from '../functions/lib/node/lightning-node';
import { connectNode } from '../functions/lib/node/connect-node';
import { readNodeConfig, type LightningBackend } from '../functions/lib/node/node-config';
import { nodeEnv } from '../infra/local/local-node';
import { startLocalStack, type LocalStack } from '../infra/local/stack';
import type { LndSimulator } from '../lnd-simulator';

// The AWS SDK's notice that its 2027 releases need Node 22 is about upgrades, not this run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.AWS_REGION ??= 'us-east-1';
// Benchmarks drive one merchant far past the per-merchant limit; the check still runs (and its write is counted).
process.env.MERCHANT_RATE_LIMIT ??= '1000000000';
process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';

/** The simulator of the stack's backend: both share the control calls (payInvoice, createOutsideInvoice). */
export type BenchSimulator<B extends LightningBackend> = B extends 'cln' ? ClnSimulator : LndSimulator;

export interface BenchStack<B extends LightningBackend = 'lnd'> {
  stack: LocalStack;
  backend: B;
  sim: BenchSimulator<B>;
  /** The node through the port with the API's credentials, as POST /v1/invoices reaches it. */
  connectInvoiceNode(): Promise<LightningNode>;
  /** The API on 127.0.0.1 (the stack prints localhost). */
  apiUrl: string;
  /** A client of the bench's own on the stack's table: setup, checks and raw baselines. */
  table: Table;
  tableName: string;
  dataDir: string;
  newMerchant(name?: string): Promise<CreatedMerchant>;
  api<T = any>(method: string, urlPath: string, key: string, body?: unknown): Promise<{ status: number; body: T }>;
  balance(accountId: string): Promise<number>;
  /** Pays an invoice of ours from outside and waits until the pipeline has credited it. */
  fund(key: string, accountId: string, amountMsat: number): Promise<void>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

export async function waitFor<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 60_000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Where the stack keeps its data: on tmpfs when the machine has one (DynamoDB Local's files
 * then cost no fsync: the numbers measure the engine, not this machine's disk), else the
 * temp dir. BENCH_DATA_DIR chooses another parent.
 */
function dataParent(): string {
  if (process.env.BENCH_DATA_DIR) return process.env.BENCH_DATA_DIR;
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

/** A fresh local stack on `backend`'s simulator (LND unless told). */
export async function startBenchStack<B extends LightningBackend = 'lnd'>(label: string, backend: B = 'lnd' as B): Promise<BenchStack<B>> {
  const dataDir = await mkdtemp(path.join(dataParent(), `bench-${label}-`));
  const tableName = `bench-${label}`;
  let stack: LocalStack | undefined;
  try {
    stack = await startLocalStack({
      port: await freePort(),
      dynamoDbLocalPort: await freePort(),
      lnsimGrpcPort: await freePort(),
      lnsimControlPort: await freePort(),
      bridgeHttpPort: await freePort(),
      dataDir,
      tableName,
      backend,
    });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const running = stack;
  const simulated = running.simulated!;
  const sim = simulated.simulator as BenchSimulator<B>;
  const apiUrl = running.apiUrl.replace('localhost', '127.0.0.1');
  const table = createTable(tableName, {
    endpoint: running.dynamoDbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

  const api = async <T>(method: string, urlPath: string, key: string, body?: unknown) => {
    const response = await fetch(apiUrl + urlPath, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };

  const balance = async (accountId: string) => {
    const { Item } = await table.doc.send(new GetCommand({ TableName: tableName, Key: keys.account(accountId), ConsistentRead: true }));
    return (Item as AccountItem | undefined)?.balance_msat ?? 0;
  };

  return {
    stack: running,
    backend,
    sim,
    connectInvoiceNode: () => connectNode(readNodeConfig(nodeEnv(simulated.node, 'invoices'), { role: 'invoices' })),
    apiUrl,
    table,
    tableName,
    dataDir,
    newMerchant: (name = 'Bench shop') => createMerchant(table, { name }),
    api,
    balance,
    async fund(key, accountId, amountMsat) {
      const before = await balance(accountId);
      const created = await api<{ id: string; bolt11: string }>('POST', '/v1/invoices', key, { amount_msat: amountMsat, account_id: accountId });
      if (created.status !== 201) throw new Error(`funding invoice: ${created.status} ${JSON.stringify(created.body)}`);
      const paid = sim.payInvoice(created.body.bolt11);
      if (paid.status !== 'settled') throw new Error(`funding payment: ${paid.error ?? paid.status}`);
      await waitFor(async () => (await balance(accountId)) >= before + amountMsat, `account ${accountId} funded`);
    },
    async stop() {
      table.doc.destroy();
      await running.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
