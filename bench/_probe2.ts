import { CreateTableCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { PutCommand, GetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal, localDynamoDbClient } from '../infra/local/dynamodb-local';
import { createTableInput } from '../functions/lib/table/definition';
import { runClosedLoop, summarize } from './stats';
import { mkdtempSync } from 'node:fs';
for (const [label, dataDir] of [['memory', undefined], ['disk /tmp', mkdtempSync('/tmp/ddb-')], ['tmpfs /dev/shm', mkdtempSync('/dev/shm/ddb-')]] as const) {
  const ddb = await startDynamoDbLocal({ port: 18456, ...(dataDir ? { dataDir } : {}) });
  try {
    const c = localDynamoDbClient(ddb.endpoint);
    await c.send(new CreateTableCommand(createTableInput('probe-table')));
    await waitUntilTableExists({ client: c, maxWaitTime: 30 }, { TableName: 'probe-table' });
    const doc = DynamoDBDocumentClient.from(c);
    for (let i = 0; i < 100; i++) await doc.send(new PutCommand({ TableName: 'probe-table', Item: { pk: 'w' + i, sk: 'x' } }));
    const w = await runClosedLoop(1000, 8, async (i) => void (await doc.send(new PutCommand({ TableName: 'probe-table', Item: { pk: 'a' + i, sk: 'b', v: 'x'.repeat(300) } }))));
    const r = await runClosedLoop(1000, 8, async (i) => void (await doc.send(new GetCommand({ TableName: 'probe-table', Key: { pk: 'a' + i, sk: 'b' }, ConsistentRead: true }))));
    console.log(label, 'put/s', Math.round(1000 * 1000 / w.elapsedMs), 'p50', summarize(w.latenciesMs).p50Ms.toFixed(1), 'get/s', Math.round(1000 * 1000 / r.elapsedMs), 'p50', summarize(r.latenciesMs).p50Ms.toFixed(1));
  } finally { await ddb.stop(); }
}
