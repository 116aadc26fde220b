/**
 * The product on one machine for the chaos suite, wired as infra/local/stack.ts wires it
 * (the pipeline with its bridge child, the API over real HTTP) but with the clients this
 * process owns open to fault injection: the API's table client, the consumers' table client
 * (pipeline.table) and the local queue table's client (the outbox's queue sends, the bus,
 * every consumer's receives and deletes), and the outbox's bus wrapped. A separate clean
 * client reads for the checks.
 */
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Dependencies } from '../../functions/http/dependencies';
import { IdempotencyStore } from '../../functions/http/idempotency';
import type { EventBus } from '../../functions/lib/bus/event-bus';
import { DEFAULT_MAX_INVOICE_MSAT } from '../../functions/lib/money';
import { ApiNode } from '../../functions/lib/node/api-node';
import { createTable, type Table } from '../../functions/lib/table/client';
import { localSecretSealer } from '../../functions/lib/webhooks/secret-sealer';
import { routes } from '../../functions/routes';
import { localDynamoDbClient } from '../../infra/local/dynamodb-local';
import { bindRoutes, startHttpServer } from '../../infra/local/http-server';
import { localQueueTableName } from '../../infra/local/aws/local-queue-table';
import { FAST_TIMING, startPipeline, type Pipeline } from '../../infra/local/pipeline';
import { useRunBridgeBundle } from '../support/run-bridge-bundle';
import { startSimulatedNode, type SimulatedNode } from '../support/simulated-node';
import { createTestTable, dynamoDbEndpoint } from '../support/table';

export interface ChaosStackOptions {
  /** Wraps the outbox's bus (PutEvents failures). */
  wrapOutboxBus: (bus: EventBus) => EventBus;
}

export interface ApiAnswer<T = any> {
  status: number;
  body: T;
}

export interface ChaosStack {
  tableName: string;
  endpoint: string;
  /** The API's table client (faults go on its middleware stack). */
  apiTable: Table;
  /** A client of the checks' own, never faulted. */
  checks: Table;
  /** The node simulator of TEST_LIGHTNING_BACKEND (LND by default). */
  sim: SimulatedNode;
  pipeline: Pipeline;
  apiUrl: string;
  /** What the API logged as errors (5xx causes), for the failure message. */
  apiErrors: string[];
  request<T = any>(method: string, urlPath: string, key: string, body?: unknown, idempotencyKey?: string): Promise<ApiAnswer<T>>;
  stop(): Promise<void>;
}

export async function startChaosStack(options: ChaosStackOptions): Promise<ChaosStack> {
  const cleanups: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
  };
  try {
    const endpoint = dynamoDbEndpoint();
    const apiTable = await createTestTable();
    cleanups.push(async () => {
      const admin = localDynamoDbClient(endpoint);
      await admin.send(new DeleteTableCommand({ TableName: localQueueTableName(apiTable.name) })).catch(() => undefined);
      admin.destroy();
      await apiTable.drop();
    });
    const clientConfig = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    const checks = createTable(apiTable.name, clientConfig);
    cleanups.push(async () => checks.doc.destroy());
    const dataDir = await mkdtemp(path.join(tmpdir(), 'chaos-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));

    const sim = await startSimulatedNode({ dataDir, maxPaymentTimeoutMs: 1000 });
    cleanups.push(() => sim.stop());
    useRunBridgeBundle();
    const pipeline = await startPipeline({
      tableName: apiTable.name,
      dynamoDbEndpoint: endpoint,
      node: sim.node,
      timing: FAST_TIMING,
      bridgeLogFile: path.join(dataDir, 'bridge.log'),
      wrapOutboxBus: options.wrapOutboxBus,
    });
    cleanups.push(() => pipeline.stop());

    const apiNode = await sim.connect('invoices');
    cleanups.push(async () => apiNode.close());
    const apiErrors: string[] = [];
    const secrets = localSecretSealer(randomBytes(32));
    const deps: Dependencies = {
      table: apiTable,
      node: new ApiNode(apiNode),
      config: { publicBaseUrl: 'http://127.0.0.1', maxInvoiceMsat: DEFAULT_MAX_INVOICE_MSAT },
      // A request that died holding its key frees it after 3 s, so a retrying client is not stuck for a minute.
      idempotency: new IdempotencyStore(apiTable, { lockMs: 3_000, sealer: secrets }),
      secrets,
      log: {
        error: (message, details) => void apiErrors.push(`${message} ${JSON.stringify(details ?? {})}`.slice(0, 300)),
        warn: () => undefined,
      },
      now: () => new Date(),
    };
    const server = await startHttpServer({ port: 0, host: '127.0.0.1', routes: bindRoutes(routes, deps) });
    cleanups.push(() => server.close());

    const request = async <T>(method: string, urlPath: string, key: string, body?: unknown, idempotencyKey?: string): Promise<ApiAnswer<T>> => {
      const response = await fetch(server.url + urlPath, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
      return { status: response.status, body: parsed as T };
    };

    return { tableName: apiTable.name, endpoint, apiTable, checks, sim, pipeline, apiUrl: server.url, apiErrors, request, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
