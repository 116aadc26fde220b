import type { TestProject } from 'vitest/node';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
  }
}

type Running = { endpoint: string; stop(): Promise<void> };
// Shared by the projects of one run (integration and system each name this setup): one DynamoDB Local, stopped after the last.
let shared: { started: Promise<Running>; users: number } | undefined;

/** Starts one real DynamoDB Local for the run and stops it afterwards, leaving no process. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!shared) {
    // A fresh record of AWS calls for the role check that follows this run.
    if (process.env.AWS_CALL_RECORD_DIR) rmSync(process.env.AWS_CALL_RECORD_DIR, { recursive: true, force: true });
    shared = { started: freePort().then((free) => startDynamoDbLocal({ port: Number(process.env.TEST_DYNAMODB_PORT) || free })), users: 0 };
  }
  const run = shared;
  run.users++;
  const dynamoDb = await run.started;
  project.provide('dynamoDbEndpoint', dynamoDb.endpoint);
  const stopOnSignal = () => void dynamoDb.stop();
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  return async () => {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
    if (--run.users > 0) return;
    shared = undefined;
    await dynamoDb.stop();
  };
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
