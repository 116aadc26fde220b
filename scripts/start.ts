/**
 * `npm start`: the whole stack on this machine. Settings from the environment (README,
 * "Local stack"); prints what runs where, then a `ready` line; Ctrl-C or SIGTERM stops
 * everything it started.
 */
import * as z from 'zod';
import { assertRealNodeFiles, LocalStackError, startLocalStack, type LocalStack, type LocalStackSettings } from '../infra/local/stack';
import { LIGHTNING_BACKENDS } from '../functions/lib/node/node-config';
import { presentEnv } from '../functions/lib/runtime/env';
import { MAX_SIMULATED_NODES, type PipelineNode } from '../infra/local/local-node';

const port = (name: string, fallback: number) =>
  z.coerce
    .number({ message: `${name} must be a port number` })
    .int(`${name} must be a port number`)
    .min(1, `${name} must be a port number from 1 to 65535`)
    .max(65535, `${name} must be a port number from 1 to 65535`)
    .default(fallback);

const envSchema = z.object({
  PORT: port('PORT', 3000),
  DYNAMODB_LOCAL_PORT: port('DYNAMODB_LOCAL_PORT', 8000),
  LNSIM_GRPC_PORT: port('LNSIM_GRPC_PORT', 10009),
  LNSIM_CONTROL_PORT: port('LNSIM_CONTROL_PORT', 9737),
  BRIDGE_HTTP_PORT: port('BRIDGE_HTTP_PORT', 9090),
  LNSIM_NODES: z.coerce
    .number({ message: `LNSIM_NODES must be a whole number from 1 to ${MAX_SIMULATED_NODES}` })
    .int(`LNSIM_NODES must be a whole number from 1 to ${MAX_SIMULATED_NODES}`)
    .min(1, `LNSIM_NODES must be a whole number from 1 to ${MAX_SIMULATED_NODES}`)
    .max(MAX_SIMULATED_NODES, `LNSIM_NODES must be a whole number from 1 to ${MAX_SIMULATED_NODES}`)
    .default(1),
  DATA_DIR: z.string().min(1).default('.data'),
  TABLE_NAME: z.string().min(3).default('lightning-payments'),
  LIGHTNING_BACKEND: z.enum(LIGHTNING_BACKENDS, { message: `must be one of ${LIGHTNING_BACKENDS.join(', ')}` }).default('lnd'),
  LND_GRPC_HOST: z.string().regex(/^[^\s:]+:\d+$/, 'LND_GRPC_HOST must be host:port of your LND, e.g. 127.0.0.1:10009').optional(),
  LND_TLS_CERT_PATH: z.string().min(1).optional(),
  LND_MACAROON_PATH: z.string().min(1).optional(),
  LND_INVOICE_MACAROON_PATH: z.string().min(1).optional(),
  CLN_GRPC_HOST: z.string().regex(/^[^\s:]+:\d+$/, 'CLN_GRPC_HOST must be host:port of your cln-grpc, e.g. 127.0.0.1:9736').optional(),
  CLN_CA_CERT_PATH: z.string().min(1).optional(),
  CLN_CLIENT_CERT_PATH: z.string().min(1).optional(),
  CLN_CLIENT_KEY_PATH: z.string().min(1).optional(),
});

type Vars = z.output<typeof envSchema>;

/** A real LND when its variables are set (all or none), else undefined: the simulator. */
function realLnd(vars: Vars): PipelineNode | undefined {
  const required = [vars.LND_GRPC_HOST, vars.LND_TLS_CERT_PATH, vars.LND_MACAROON_PATH];
  if (required.every((value) => value === undefined)) return undefined;
  if (required.some((value) => value === undefined)) {
    throw new LocalStackError('to use a real LND, set all of LND_GRPC_HOST, LND_TLS_CERT_PATH and LND_MACAROON_PATH (or none, for the simulator)');
  }
  return {
    backend: 'lnd',
    grpcHost: vars.LND_GRPC_HOST!,
    tlsCertPath: vars.LND_TLS_CERT_PATH!,
    adminMacaroonPath: vars.LND_MACAROON_PATH!,
    invoiceMacaroonPath: vars.LND_INVOICE_MACAROON_PATH ?? vars.LND_MACAROON_PATH!,
  };
}

/** A real Core Lightning when its variables are set (all or none), else undefined: the simulator. */
function realCln(vars: Vars): PipelineNode | undefined {
  const required = [vars.CLN_GRPC_HOST, vars.CLN_CA_CERT_PATH, vars.CLN_CLIENT_CERT_PATH, vars.CLN_CLIENT_KEY_PATH];
  if (required.every((value) => value === undefined)) return undefined;
  if (required.some((value) => value === undefined)) {
    throw new LocalStackError(
      'to use a real Core Lightning, set all of CLN_GRPC_HOST, CLN_CA_CERT_PATH, CLN_CLIENT_CERT_PATH and CLN_CLIENT_KEY_PATH (or none, for the simulator)',
    );
  }
  return { backend: 'cln', grpcHost: vars.CLN_GRPC_HOST!, caCertPath: vars.CLN_CA_CERT_PATH!, clientCertPath: vars.CLN_CLIENT_CERT_PATH!, clientKeyPath: vars.CLN_CLIENT_KEY_PATH! };
}

/** The other backend's variables set too: a mix-up, said in one line rather than ignored. */
function assertNoOtherBackend(vars: Vars, present: Record<string, string>): void {
  const other = vars.LIGHTNING_BACKEND === 'cln' ? 'LND_' : 'CLN_';
  const stray = ['GRPC_HOST', 'TLS_CERT_PATH', 'MACAROON_PATH', 'INVOICE_MACAROON_PATH', 'CA_CERT_PATH', 'CLIENT_CERT_PATH', 'CLIENT_KEY_PATH']
    .map((name) => other + name)
    .filter((name) => present[name] !== undefined);
  if (stray.length > 0) {
    throw new LocalStackError(
      `${stray.join(', ')} ${stray.length === 1 ? 'is' : 'are'} for LIGHTNING_BACKEND=${other === 'LND_' ? 'lnd' : 'cln'}, but LIGHTNING_BACKEND is ${vars.LIGHTNING_BACKEND}: set LIGHTNING_BACKEND or unset ${stray.length === 1 ? 'it' : 'them'}`,
    );
  }
}

function readSettings(env: NodeJS.ProcessEnv): LocalStackSettings {
  const present = presentEnv(env);
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new LocalStackError(`${String(issue.path[0])}: ${issue.message}`);
  }
  const vars = parsed.data;
  assertNoOtherBackend(vars, present);
  const realNode = vars.LIGHTNING_BACKEND === 'cln' ? realCln(vars) : realLnd(vars);
  if (realNode) assertRealNodeFiles(realNode);
  if (realNode && vars.LNSIM_NODES > 1) throw new LocalStackError('LNSIM_NODES starts simulators: with a real node configured it must be 1 (or unset)');
  return {
    port: vars.PORT,
    dynamoDbLocalPort: vars.DYNAMODB_LOCAL_PORT,
    lnsimGrpcPort: vars.LNSIM_GRPC_PORT,
    lnsimControlPort: vars.LNSIM_CONTROL_PORT,
    lnsimNodes: vars.LNSIM_NODES,
    bridgeHttpPort: vars.BRIDGE_HTTP_PORT,
    dataDir: vars.DATA_DIR,
    tableName: vars.TABLE_NAME,
    backend: vars.LIGHTNING_BACKEND,
    ...(realNode ? { realNode } : {}),
  };
}

// The AWS SDK warns that future versions need Node 22; that is about upgrades, not this run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';

let stack: LocalStack | undefined;
let stopping = false;

async function shutdown(reason: string): Promise<void> {
  if (stopping) {
    console.error('stop: forced');
    process.exit(1);
  }
  stopping = true;
  console.log(`stop: ${reason}, stopping everything`);
  await stack?.stop();
  console.log('stop: done');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT received'));
process.on('SIGTERM', () => void shutdown('SIGTERM received'));
// Whoever started us may die without passing a signal on (a killed terminal, a wrapper that
// does not forward): stop anyway rather than leave the stack running with no owner.
const parentPid = process.ppid;
const parentAlive = () => {
  try {
    process.kill(parentPid, 0);
    return true;
  } catch {
    return false;
  }
};
setInterval(() => !parentAlive() && void shutdown('the process that started us is gone'), 1000).unref();

try {
  const settings = readSettings(process.env);
  stack = await startLocalStack(settings, (line) => console.log(`start: ${line}`));
  if (stopping) await stack.stop();
  console.log('');
  for (const service of stack.services) console.log(`  ${service.name.padEnd(58)} ${service.where}`);
  console.log('');
  console.log(`ready: API on ${stack.apiUrl}, node: ${stack.nodeLabel} (create a merchant: npm run admin -- merchant:create --name "Shop"; Ctrl-C stops)`);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`error: ${message.split('\n')[0]}`);
  process.exit(1);
}
