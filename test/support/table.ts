import { CreateTableCommand, DeleteTableCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, inject } from 'vitest';
import { randomUUID } from 'node:crypto';
import { localDynamoDbClient } from '../../infra/local/dynamodb-local';
import { createTableInput } from '../../functions/lib/table/definition';
import { createTable, type Table } from '../../functions/lib/table/client';

export function dynamoDbEndpoint(): string {
  return inject('dynamoDbEndpoint');
}

/** Creates a fresh table from the stack's own definition, in the run's DynamoDB Local. */
export async function createTestTable(): Promise<Table & { drop(): Promise<void> }> {
  const endpoint = dynamoDbEndpoint();
  const name = `test-${randomUUID()}`;
  const admin = localDynamoDbClient(endpoint);
  await admin.send(new CreateTableCommand(createTableInput(name)));
  await waitUntilTableExists({ client: admin, maxWaitTime: 30 }, { TableName: name });
  const table = createTable(name, {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    // Tests race hundreds of writers against one item: let the ledger's own retries do the work.
    maxAttempts: 3,
  });
  return {
    ...table,
    async drop() {
      await admin.send(new DeleteTableCommand({ TableName: name }));
      admin.destroy();
      table.doc.destroy();
    },
  };
}

/** One table for the whole test file, dropped afterwards. */
export function useTestTable(): Table {
  let current: Awaited<ReturnType<typeof createTestTable>> | undefined;
  const handle = {} as Table;
  beforeAll(async () => {
    current = await createTestTable();
    Object.assign(handle, { doc: current.doc, name: current.name });
  });
  afterAll(async () => {
    await current?.drop();
  });
  return handle;
}
