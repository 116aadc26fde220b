import { CreateTableCommand, DescribeTableCommand, ResourceNotFoundException, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { dependenciesFromEnv } from '../../functions/http/dependencies';
import { createTableInput } from '../../functions/lib/table/definition';
import { startLocalWebhooks, type LocalWebhooks } from './webhooks';
import { readWebhookSettings } from '../../functions/lib/webhooks/config';
import { secretSealerFromEnv } from '../../functions/lib/webhooks/kms-sealer';
import { routes } from '../../functions/routes';
import { startLndSimulator, type LndSimulator } from '../../lnd-simulator';
import { checkoutPages } from './checkout-pages';
import { localDynamoDbClient, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local';
import { bindRoutes, startHttpServer, type HttpServer } from './http-server';
import { startPipeline, type Pipeline, type PipelineLnd } from './pipeline';

export interface LocalStackSettings {
  port: number;
  dynamoDbLocalPort: number;
  lnsimGrpcPort: number;
  lnsimControlPort: number;
  /** Port of the node-bridge's /healthz, /readyz and /metrics. */
  bridgeHttpPort: number;
  dataDir: string;
  tableName: string;
  /** A real LND instead of the simulator. */
  realLnd?: { grpcHost: string; tlsCertPath: string; macaroonPath: string; invoiceMacaroonPath: string };
}

export interface LocalStack {
  apiUrl: string;
  dynamoDbEndpoint: string;
  /** Undefined when a real LND is configured. */
  simulator: LndSimulator | undefined;
  pipeline: Pipeline;
  /** What runs where, for the start-up banner. */
  services: Array<{ name: string; where: string }>;
  stop(): Promise<void>;
}

/** A setting the user can fix: reported as one line, without a stack trace. */
export class LocalStackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalStackError';
  }
}

/**
 * The whole product on one machine, with the same handlers as in AWS: DynamoDB Local (data
 * under DATA_DIR), the LND simulator (or a real LND), the payment pipeline with the
 * node-bridge as a child process, webhook delivery and invoice expiry, and the API with the
 * checkout pages. Whatever started is stopped again if a later part fails.
 */
export async function startLocalStack(settings: LocalStackSettings, log: (line: string) => void = () => {}): Promise<LocalStack> {
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
  try {
    await assertPortsFree([
      ['PORT', settings.port],
      ['DYNAMODB_LOCAL_PORT', settings.dynamoDbLocalPort],
      ['BRIDGE_HTTP_PORT', settings.bridgeHttpPort],
      ...(settings.realLnd ? [] : ([['LNSIM_GRPC_PORT', settings.lnsimGrpcPort], ['LNSIM_CONTROL_PORT', settings.lnsimControlPort]] as const)),
    ]);

    log('starting DynamoDB Local');
    const dynamoDb: DynamoDbLocal = await startDynamoDbLocal({ port: settings.dynamoDbLocalPort, dataDir: path.join(settings.dataDir, 'dynamodb') });
    stops.push(() => dynamoDb.stop());
    await ensureTable(dynamoDb.endpoint, settings.tableName);

    let simulator: LndSimulator | undefined;
    let lnd: PipelineLnd;
    if (settings.realLnd) {
      lnd = {
        grpcHost: settings.realLnd.grpcHost,
        tlsCertPath: settings.realLnd.tlsCertPath,
        adminMacaroonPath: settings.realLnd.macaroonPath,
        invoiceMacaroonPath: settings.realLnd.invoiceMacaroonPath,
      };
    } else {
      log('starting the LND simulator');
      simulator = await startLndSimulator({ dataDir: settings.dataDir, grpcPort: settings.lnsimGrpcPort, controlPort: settings.lnsimControlPort });
      stops.push(() => simulator!.stop());
      lnd = {
        grpcHost: simulator.grpcAddress,
        tlsCertPath: simulator.tlsCertPath,
        adminMacaroonPath: simulator.adminMacaroonPath,
        invoiceMacaroonPath: simulator.invoiceMacaroonPath,
      };
    }

    log('starting the payment pipeline and the node-bridge');
    const pipeline = await startPipeline({
      tableName: settings.tableName,
      dynamoDbEndpoint: dynamoDb.endpoint,
      lnd,
      bridgeEnv: { BRIDGE_HTTP_PORT: String(settings.bridgeHttpPort) },
      bridgeLogFile: path.join(settings.dataDir, 'node-bridge.log'),
    });
    stops.push(() => pipeline.stop());

    const apiUrl = `http://localhost:${settings.port}`;
    // The local stack delivers webhooks to receivers on this machine: this process is the
    // deployment, so the setting is its own (the endpoint routes read it per request).
    process.env.WEBHOOK_ALLOW_HTTP = 'true';
    process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS = 'true';
    const env = {
      ...process.env,
      TABLE_NAME: settings.tableName,
      DYNAMODB_ENDPOINT: dynamoDb.endpoint,
      PUBLIC_BASE_URL: apiUrl,
      LND_GRPC_HOST: lnd.grpcHost,
      LND_TLS_CERT_PATH: lnd.tlsCertPath,
      LND_INVOICE_MACAROON_PATH: lnd.invoiceMacaroonPath,
      // The local stand-in for the KMS key that seals webhook signing secrets (made 0600 on first start).
      WEBHOOK_SECRETS_KEY_FILE: path.join(settings.dataDir, 'webhook-secrets.key'),
    };
    const webhooks: LocalWebhooks = startLocalWebhooks({
      table: pipeline.table,
      queues: pipeline.queues,
      addRule: (rule) => pipeline.addRule(rule),
      settings: readWebhookSettings(env),
      secrets: secretSealerFromEnv(env),
    });
    stops.push(() => webhooks.stop());

    const deps = dependenciesFromEnv(env);
    const server: HttpServer = await startHttpServer({
      port: settings.port,
      host: '127.0.0.1',
      routes: bindRoutes(routes, deps),
      fallback: checkoutPages(deps.table),
    });
    stops.push(() => server.close());

    return {
      apiUrl,
      dynamoDbEndpoint: dynamoDb.endpoint,
      simulator,
      pipeline,
      services: [
        { name: 'API and checkout pages', where: apiUrl },
        { name: 'DynamoDB Local', where: `${dynamoDb.endpoint} (data in ${path.join(settings.dataDir, 'dynamodb')})` },
        simulator
          ? { name: 'LND simulator', where: `gRPC ${simulator.grpcAddress}, control API http://127.0.0.1:${simulator.controlPort}` }
          : { name: 'LND', where: `${lnd.grpcHost} (real node)` },
        { name: 'node-bridge', where: `health and metrics on http://127.0.0.1:${settings.bridgeHttpPort}, log in ${path.join(settings.dataDir, 'node-bridge.log')}` },
        { name: 'outbox, bus, queues, consumers, webhooks, invoice expiry', where: 'in this process' },
      ],
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = localDynamoDbClient(endpoint);
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await client.send(new CreateTableCommand(createTableInput(tableName)));
    await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: tableName });
  } finally {
    client.destroy();
  }
}

async function assertPortsFree(ports: ReadonlyArray<readonly [string, number]>): Promise<void> {
  for (const [name, port] of ports) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (!free) throw new LocalStackError(`port ${port} is already in use: stop what uses it, or set ${name} to another port`);
  }
}

export function assertRealLndFiles(realLnd: NonNullable<LocalStackSettings['realLnd']>): void {
  for (const [name, file] of [
    ['LND_TLS_CERT_PATH', realLnd.tlsCertPath],
    ['LND_MACAROON_PATH', realLnd.macaroonPath],
    ['LND_INVOICE_MACAROON_PATH', realLnd.invoiceMacaroonPath],
  ] as const) {
    if (!existsSync(file)) throw new LocalStackError(`${name} points at ${file}, which does not exist`);
  }
}
