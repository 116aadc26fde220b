/**
 * Cold-start proxies for every Lambda: the bundle as `cdk synth` builds it (esbuild with
 * infra/constructs/lambda-bundle.ts's options: ESM, node22, minified, source map, the
 * createRequire banner, @aws-sdk/* external), its size, and the time to import it in a
 * fresh `node` process with the environment of a deployed function (dummy values, and
 * AWS_LAMBDA_FUNCTION_NAME set, so each handler builds its clients at init as in Lambda).
 * Init is timed with NODE_OPTIONS=--enable-source-maps, as the functions are deployed, and
 * without it. The SDK itself resolves from this repository's node_modules, as it does from
 * the runtime's in Lambda. Baselines from the same run: an empty module, and a module that
 * only imports the DynamoDB client and its document client (the floor every handler pays).
 * The floor is timed in turn with each function (floor, function, floor, ...), and each
 * function's ratio is to its own paired floor, so load that comes and goes on a shared
 * machine moves both sides of a ratio alike.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { discoverApiRoutes } from '../infra/api-routes';
import { lambdaBundleOptions } from '../infra/constructs/lambda-bundle';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A deployed function's environment, with placeholder values (a superset: each handler reads its own). */
const LAMBDA_ENV: Record<string, string> = {
  AWS_LAMBDA_FUNCTION_NAME: 'bench-cold-start',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  TABLE_NAME: 'bench-table',
  PUBLIC_BASE_URL: 'https://pay.example.com',
  LND_GRPC_HOST: 'lnd.example.com:10009',
  LND_NETWORK: 'mainnet',
  LND_TLS_CERT_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:tls',
  LND_INVOICE_MACAROON_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:macaroon',
  PAYOUT_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/payout',
  INVOICE_CANCEL_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/cancel',
  EVENT_BUS_NAME: 'bench-bus',
  WEBHOOK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/webhooks',
  WEBHOOK_DLQ_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/webhooks-dlq',
  OUTBOX_FAILURES_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/outbox-failures',
  DEAD_LETTER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/consumer-dlq',
  WEBHOOK_SECRETS_KMS_KEY_ARN: 'arn:aws:kms:us-east-1:000000000000:key/00000000-0000-0000-0000-000000000000',
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false',
  WEBHOOK_ALLOW_HTTP: 'false',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
};

export interface LambdaColdStart {
  /** The entry file, relative to the repository. */
  entry: string;
  /** Route keys served by it, or the consumer's name. */
  serves: string;
  bundleBytes: number;
  /** What the bundle is made of, biggest first: package (or our own code) and its bytes in the output. */
  topContents: Array<{ what: string; bytes: number }>;
  /** Median import time with --enable-source-maps (as deployed), and without. */
  initMs: number;
  initNoSourceMapsMs: number;
  /** Median import time of the DynamoDB floor, timed in turn with this function's runs. */
  floorInitMs: number;
  error?: string;
}

export interface ColdStartResult {
  lambdas: LambdaColdStart[];
  emptyModuleInitMs: number;
  /** Median over every paired floor run. */
  sdkFloorInitMs: number;
  /** The other choice: the SDK bundled into the function instead of the runtime's, for the floor and one route, each timed in turn with the runtime-SDK floor. */
  bundledSdk?: BundledSdkComparison;
  runs: number;
}

export interface BundledSdkComparison {
  /** The route compared (entry). */
  entry: string;
  floorBytes: number;
  floorInitMs: number;
  routeBytes: number;
  routeInitMs: number;
  /** The runtime-SDK floor and route, timed beside them. */
  runtimeFloorInitMs: number;
  runtimeRouteInitMs: number;
}

/** The route the SDK choice is shown on: a typical read route. */
const SDK_CHOICE_ENTRY = 'functions/accounts/get.ts';

export async function lambdaEntries(): Promise<Array<{ entry: string; serves: string }>> {
  const byEntry = new Map<string, string[]>();
  for (const route of await discoverApiRoutes()) byEntry.set(route.entry, [...(byEntry.get(route.entry) ?? []), route.routeKey]);
  const functionsDir = path.join(REPO_ROOT, 'functions');
  for (const name of readdirSync(functionsDir)) {
    const handler = path.join('functions', name, 'handler.ts');
    try {
      statSync(path.join(REPO_ROOT, handler));
    } catch {
      continue;
    }
    if (!byEntry.has(handler)) byEntry.set(handler, [name]);
  }
  return [...byEntry].map(([entry, serves]) => ({ entry, serves: serves.join(', ') })).sort((a, b) => a.entry.localeCompare(b.entry));
}

/** Imports `file` in a fresh node process and returns how long the import took (ms). */
function timeImport(file: string, sourceMaps: boolean): Promise<number> {
  const script = "const t0 = performance.now(); await import(process.env.BENCH_ENTRY_URL); process.stdout.write(JSON.stringify({ ms: performance.now() - t0 }));";
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: path.dirname(file),
      env: { PATH: process.env.PATH ?? '', ...LAMBDA_ENV, BENCH_ENTRY_URL: pathToFileURL(file).href, NODE_OPTIONS: sourceMaps ? '--enable-source-maps' : '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      try {
        if (code !== 0) throw new Error(stderr.trim().split('\n').find((line) => /Error|must|set /.test(line)) ?? `exit ${code}`);
        resolve((JSON.parse(stdout) as { ms: number }).ms);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}

/** Bytes in the output per npm package (scoped names kept whole) or per top folder of ours. */
function contentsOf(inputs: Record<string, { bytesInOutput: number }>): Array<{ what: string; bytes: number }> {
  const totals = new Map<string, number>();
  for (const [file, { bytesInOutput }] of Object.entries(inputs)) {
    const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    const what = inModules ? inModules[1]! : `ours: ${file.replace(/^(\.\.\/)+/, '').split('/').slice(0, 2).join('/')}`;
    totals.set(what, (totals.get(what) ?? 0) + bytesInOutput);
  }
  return [...totals]
    .map(([what, bytes]) => ({ what, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 6);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function medianImport(file: string, sourceMaps: boolean, runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await timeImport(file, sourceMaps));
  return median(times);
}

/** `runs` rounds of floor, function (source maps on), function (off): the medians of each, and the floor's samples. */
async function pairedImports(file: string, floor: string, runs: number): Promise<{ initMs: number; initNoSourceMapsMs: number; floorInitMs: number; floorSamples: number[] }> {
  const on: number[] = [];
  const off: number[] = [];
  const floorSamples: number[] = [];
  for (let i = 0; i < runs; i++) {
    floorSamples.push(await timeImport(floor, true));
    on.push(await timeImport(file, true));
    off.push(await timeImport(file, false));
  }
  return { initMs: median(on), initNoSourceMapsMs: median(off), floorInitMs: median(floorSamples), floorSamples };
}

export async function benchColdStart(options: { runs: number; log: (line: string) => void }): Promise<ColdStartResult> {
  const { runs, log } = options;
  // In the repository's folder so that the external @aws-sdk/* resolve as in the runtime.
  const outDir = await mkdtemp(path.join(tmpdir(), 'bench-bundles-'));
  try {
    await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(outDir, 'node_modules'), 'dir');
    const empty = path.join(outDir, 'empty.mjs');
    await writeFile(empty, 'export const handler = async () => {};\n');
    const sdkFloor = path.join(outDir, 'sdk-floor.mjs');
    await writeFile(
      sdkFloor,
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';\nexport const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));\n",
    );
    const entries = await lambdaEntries();
    log(`cold start: bundling ${entries.length} Lambda entries, ${runs} timed import(s) each, each paired with the DynamoDB floor`);
    const lambdas: LambdaColdStart[] = [];
    const floorSamples: number[] = [];
    for (const { entry, serves } of entries) {
      const dir = path.join(outDir, entry.replace(/[/.]/g, '_'));
      await mkdir(dir);
      const outfile = path.join(dir, 'index.mjs');
      const built = await build({ ...lambdaBundleOptions(path.join(REPO_ROOT, entry), outfile), logLevel: 'silent', metafile: true });
      const bundleBytes = statSync(outfile).size;
      const topContents = contentsOf(built.metafile.outputs[path.relative(process.cwd(), outfile)]?.inputs ?? Object.values(built.metafile.outputs)[0]?.inputs ?? {});
      try {
        const timed = await pairedImports(outfile, sdkFloor, runs);
        floorSamples.push(...timed.floorSamples);
        lambdas.push({ entry, serves, bundleBytes, topContents, initMs: timed.initMs, initNoSourceMapsMs: timed.initNoSourceMapsMs, floorInitMs: timed.floorInitMs });
      } catch (error) {
        lambdas.push({ entry, serves, bundleBytes, topContents, initMs: Number.NaN, initNoSourceMapsMs: Number.NaN, floorInitMs: Number.NaN, error: (error as Error).message });
      }
    }
    const bundledSdk = await compareBundledSdk(outDir, sdkFloor, runs);
    return { lambdas, emptyModuleInitMs: await medianImport(empty, true, runs), sdkFloorInitMs: median(floorSamples), bundledSdk, runs };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

/** The floor and SDK_CHOICE_ENTRY with @aws-sdk/* bundled in (nothing external), each timed in turn with its runtime-SDK twin. */
async function compareBundledSdk(outDir: string, runtimeFloor: string, runs: number): Promise<BundledSdkComparison> {
  const bundle = async (name: string, entry: string) => {
    const outfile = path.join(outDir, name, 'index.mjs');
    await mkdir(path.dirname(outfile), { recursive: true });
    await build({ ...lambdaBundleOptions(entry, outfile), external: [], logLevel: 'silent' });
    return outfile;
  };
  const floor = await bundle('bundled-sdk-floor', runtimeFloor);
  const route = await bundle('bundled-sdk-route', path.join(REPO_ROOT, SDK_CHOICE_ENTRY));
  const runtimeRoute = await bundle('runtime-sdk-route', path.join(REPO_ROOT, SDK_CHOICE_ENTRY));
  const floors = await pairedImports(floor, runtimeFloor, runs);
  const routes = await pairedImports(route, runtimeRoute, runs);
  return {
    entry: SDK_CHOICE_ENTRY,
    floorBytes: statSync(floor).size,
    floorInitMs: floors.initMs,
    routeBytes: statSync(route).size,
    routeInitMs: routes.initMs,
    runtimeFloorInitMs: floors.floorInitMs,
    runtimeRouteInitMs: routes.floorInitMs,
  };
}
