import type { TestProject } from 'vitest/node';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
  }
}

/** Starts one real DynamoDB Local for the run and stops it afterwards, leaving no process. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // A fresh record of AWS calls for the role check that follows this run.
  if (process.env.AWS_CALL_RECORD_DIR) rmSync(process.env.AWS_CALL_RECORD_DIR, { recursive: true, force: true });
  const port = Number(process.env.TEST_DYNAMODB_PORT) || (await freePort());
  const dynamoDb = await startDynamoDbLocal({ port });
  project.provide('dynamoDbEndpoint', dynamoDb.endpoint);
  const stopOnSignal = () => void dynamoDb.stop();
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  return async () => {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
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
