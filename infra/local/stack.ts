import { CreateTableCommand, DescribeTableCommand, ResourceNotFoundException, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { createServer } from 'node:net';
import path from 'node:path';
import { dependenciesFromEnv } from '../../functions/http/dependencies';
import { invoiceNodeFromConfig } from '../../functions/http/invoice-node';
import { createTableInput } from '../../functions/lib/table/definition';
import { startLocalWebhooks, type LocalWebhooks } from './webhooks';
import { readWebhookSettings } from '../../functions/lib/webhooks/config';
import { secretSealerFromEnv } from '../../functions/lib/webhooks/kms-sealer';
import { routes } from '../../functions/routes';
import type { ClnSimulator } from '../../cln-simulator';
import { DEFAULT_NODE_ID, type LightningBackend, type NodeRole } from '../../functions/lib/node/node-config';
import type { LndSimulator } from '../../lnd-simulator';
import { checkoutPages } from './checkout-pages';
import { localDynamoDbClient, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local';
import { bindRoutes, startHttpServer, type HttpServer } from './http-server';
import {
  backendName,
  missingNodeFile,
  nodeEnv,
  nodeListEnv,
  startNodeSimulator,
  startNodeSimulators,
  withoutNodeVariables,
  MAX_SIMULATED_NODES,
  type NamedNodeSimulator,
  type NodeSimulator,
  type PipelineNode,
} from './local-node';
import { startPipeline, type Pipeline } from './pipeline';

export interface LocalStackSettings {
  port: number;
  dynamoDbLocalPort: number;
  /** The simulator's ports, whichever backend it simulates; node i of several is on these + i − 1. */
  lnsimGrpcPort: number;
  lnsimControlPort: number;
  /**
   * How many simulated nodes (LNSIM_NODES, 1 to 4), named sim-1… with their state under
   * DATA_DIR/nodes/; 1 is the single node of the single-node variables, state in DATA_DIR. @default 1
   */
  lnsimNodes?: number;
  /** Port of the node-bridge's /healthz, /readyz and /metrics. */
  bridgeHttpPort: number;
  dataDir: string;
  tableName: string;
  /** LND or Core Lightning (LIGHTNING_BACKEND). @default 'lnd' */
  backend?: LightningBackend;
  /** A real node of that backend instead of its simulator. */
  realNode?: PipelineNode;
}

export interface LocalStack {
  apiUrl: string;
  dynamoDbEndpoint: string;
  backend: LightningBackend;
  /** The simulator that runs (the first of several), of either backend; undefined when a real node is configured. */
  simulated: NodeSimulator | undefined;
  /** Every simulator with its node id: `default` for the one of LNSIM_NODES=1, sim-1… for several. */
  simulatedNodes: NamedNodeSimulator[];
  /** The LND simulator, when that is what runs (undefined on Core Lightning or a real node). */
  simulator: LndSimulator | undefined;
  /** The Core Lightning simulator, when that is what runs. */
  clnSimulator: ClnSimulator | undefined;
  /** The node in words, for the ready line: "LND simulator", "Core Lightning at host:port". */
  nodeLabel: string;
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
 * under DATA_DIR), the LND or Core Lightning simulator (or a real node of either), the
 * payment pipeline with the node-bridge as a child process, webhook delivery and invoice
 * expiry, and the API with the checkout pages. Whatever started is stopped again if a later part fails.
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
      ...(settings.realNode ? [] : simulatorPorts(settings)),
    ]);

    log('starting DynamoDB Local');
    const dynamoDb: DynamoDbLocal = await startDynamoDbLocal({ port: settings.dynamoDbLocalPort, dataDir: path.join(settings.dataDir, 'dynamodb') });
    stops.push(() => dynamoDb.stop());
    await ensureTable(dynamoDb.endpoint, settings.tableName);

    const backend = settings.realNode?.backend ?? settings.backend ?? 'lnd';
    const count = settings.realNode ? 1 : (settings.lnsimNodes ?? 1);
    let simulatedNodes: NamedNodeSimulator[] = [];
    let node: PipelineNode;
    if (settings.realNode) {
      node = settings.realNode;
    } else if (count === 1) {
      log(`starting the ${backendName(backend)} simulator`);
      const simulated = await startNodeSimulator(backend, { dataDir: settings.dataDir, grpcPort: settings.lnsimGrpcPort, controlPort: settings.lnsimControlPort });
      stops.push(() => simulated.simulator.stop());
      simulatedNodes = [{ ...simulated, id: DEFAULT_NODE_ID }];
      node = simulated.node;
    } else {
      log(`starting ${count} ${backendName(backend)} simulators`);
      simulatedNodes = await startNodeSimulators(backend, count, { dataDir: settings.dataDir, grpcPort: settings.lnsimGrpcPort, controlPort: settings.lnsimControlPort });
      for (const simulated of simulatedNodes) stops.push(() => simulated.simulator.stop());
      node = simulatedNodes[0]!.node;
    }
    const simulated = simulatedNodes[0];
    // Several nodes reach the API and the bridge as LIGHTNING_NODES; one keeps its single-node variables.
    const severalNodes = simulatedNodes.length > 1;
    const nodeVariables = (role: NodeRole) => (severalNodes ? nodeListEnv(simulatedNodes, role) : nodeEnv(node, role));

    log('starting the payment pipeline and the node-bridge');
    const pipeline = await startPipeline({
      tableName: settings.tableName,
      dynamoDbEndpoint: dynamoDb.endpoint,
      node,
      bridgeEnv: { BRIDGE_HTTP_PORT: String(settings.bridgeHttpPort), ...(severalNodes ? nodeVariables('payments') : {}) },
      bridgeLogFile: path.join(settings.dataDir, 'node-bridge.log'),
    });
    stops.push(() => pipeline.stop());

    const apiUrl = `http://localhost:${settings.port}`;
    // The local stack delivers webhooks to receivers on this machine: this process is the
    // deployment, so the setting is its own (the endpoint routes read it per request).
    process.env.WEBHOOK_ALLOW_HTTP = 'true';
    process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS = 'true';
    // Only this node's variables: stray LND_* or CLN_* ones of the shell must not reach the API.
    const env = {
      ...withoutNodeVariables(process.env),
      TABLE_NAME: settings.tableName,
      DYNAMODB_ENDPOINT: dynamoDb.endpoint,
      PUBLIC_BASE_URL: apiUrl,
      ...nodeVariables('invoices'),
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

    // One process serves every route here, the node-facing ones included.
    const deps = dependenciesFromEnv(env, invoiceNodeFromConfig);
    const server: HttpServer = await startHttpServer({
      port: settings.port,
      host: '127.0.0.1',
      routes: bindRoutes(routes, deps),
      fallback: checkoutPages(deps.table),
    });
    stops.push(() => server.close());

    const simulatorLines = simulatedNodes.map((each) => ({
      name: severalNodes ? `${backendName(backend)} simulator ${each.id}` : `${backendName(backend)} simulator`,
      where: `gRPC ${each.simulator.grpcAddress}, control API http://127.0.0.1:${each.simulator.controlPort}`,
    }));
    return {
      apiUrl,
      dynamoDbEndpoint: dynamoDb.endpoint,
      backend,
      simulated,
      simulatedNodes,
      simulator: simulated?.backend === 'lnd' ? simulated.simulator : undefined,
      clnSimulator: simulated?.backend === 'cln' ? simulated.simulator : undefined,
      nodeLabel: severalNodes
        ? `${simulatedNodes.length} ${backendName(backend)} simulators (${simulatedNodes.map((each) => each.id).join(', ')})`
        : simulated
          ? `${backendName(backend)} simulator`
          : `${backendName(backend)} at ${node.grpcHost}`,
      pipeline,
      services: [
        { name: 'API and checkout pages', where: apiUrl },
        { name: 'DynamoDB Local', where: `${dynamoDb.endpoint} (data in ${path.join(settings.dataDir, 'dynamodb')})` },
        ...(simulated ? simulatorLines : [{ name: backendName(backend), where: `${node.grpcHost} (real node)` }]),
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

/** Each simulator's two ports, named by the variable that moves them: node i's are the base ports + i − 1. */
function simulatorPorts(settings: LocalStackSettings): Array<readonly [string, number]> {
  const count = settings.lnsimNodes ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > MAX_SIMULATED_NODES) throw new LocalStackError(`LNSIM_NODES must be a whole number from 1 to ${MAX_SIMULATED_NODES}`);
  const ports: Array<readonly [string, number]> = [];
  for (let index = 0; index < count; index++) {
    for (const [name, base] of [['LNSIM_GRPC_PORT', settings.lnsimGrpcPort], ['LNSIM_CONTROL_PORT', settings.lnsimControlPort]] as const) {
      const port = base === 0 ? 0 : base + index;
      if (port > 65535) throw new LocalStackError(`${name} ${base} leaves no port for node ${index + 1} of ${count} (node i uses ${name} + i - 1): set a lower ${name}`);
      if (port !== 0) ports.push([name, port]);
    }
  }
  return ports;
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

/** Each file a real node's variables name must exist; the first one missing is reported by its variable. */
export function assertRealNodeFiles(node: PipelineNode): void {
  const files =
    node.backend === 'cln'
      ? ([
          ['CLN_CA_CERT_PATH', node.caCertPath],
          ['CLN_CLIENT_CERT_PATH', node.clientCertPath],
          ['CLN_CLIENT_KEY_PATH', node.clientKeyPath],
        ] as const)
      : ([
          ['LND_TLS_CERT_PATH', node.tlsCertPath],
          ['LND_MACAROON_PATH', node.adminMacaroonPath],
          ['LND_INVOICE_MACAROON_PATH', node.invoiceMacaroonPath],
        ] as const);
  const missing = missingNodeFile(files);
  if (missing) throw new LocalStackError(missing);
}
