import type { TestProject } from 'vitest/node';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local';
import { buildLocalBridgeBundle, type LocalBridgeBundle } from './local-bridge-bundle';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
    /** The run's bundle of the local bridge (test/support/local-bridge-bundle.ts). */
    localBridgeBundle: string;
  }
}

type Running = { endpoint: string; stop(): Promise<void> };
type RunResources = { dynamoDb: Running; bridge: LocalBridgeBundle };
// Shared by the projects of one run (integration and system each name this setup): one
// DynamoDB Local and one bridge bundle, removed after the last project.
let shared: { started: Promise<RunResources>; users: number } | undefined;

/** Starts one real DynamoDB Local and bundles the local bridge for the run; stops and removes both afterwards, leaving no process. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!shared) {
    // A fresh record of AWS calls for the role check that follows this run.
    if (process.env.AWS_CALL_RECORD_DIR) rmSync(process.env.AWS_CALL_RECORD_DIR, { recursive: true, force: true });
    shared = { started: startRunResources(), users: 0 };
  }
  const run = shared;
  run.users++;
  const { dynamoDb, bridge } = await run.started;
  project.provide('dynamoDbEndpoint', dynamoDb.endpoint);
  project.provide('localBridgeBundle', bridge.file);
  // `vitest --watch` reruns in this process: bundle the bridge's sources as they are now.
  project.onTestsRerun(() => bridge.rebuild());
  const stopOnSignal = () => {
    void dynamoDb.stop();
    bridge.remove();
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  return async () => {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
    if (--run.users > 0) return;
    shared = undefined;
    bridge.remove();
    await dynamoDb.stop();
  };
}

async function startRunResources(): Promise<RunResources> {
  // The bundle builds while DynamoDB Local's JVM starts.
  const [dynamoDb, bridge] = await Promise.allSettled([
    freePort().then((free) => startDynamoDbLocal({ port: Number(process.env.TEST_DYNAMODB_PORT) || free })),
    buildLocalBridgeBundle(),
  ]);
  if (dynamoDb.status === 'fulfilled' && bridge.status === 'fulfilled') return { dynamoDb: dynamoDb.value, bridge: bridge.value };
  if (dynamoDb.status === 'fulfilled') await dynamoDb.value.stop();
  if (bridge.status === 'fulfilled') bridge.value.remove();
  throw dynamoDb.status === 'rejected' ? dynamoDb.reason : (bridge as PromiseRejectedResult).reason;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
