/**
 * What `npm run cost` relies on from DynamoDB Local (bench/sdk-recorder.ts,
 * bench/aws-usage.ts): with the recorder listening, every call on the real table definition
 * asks for ReturnConsumedCapacity=INDEXES and the answer splits the units between the table
 * and its two all-projecting GSIs; and DynamoDB Local's TransactWriteItems answer is the
 * one bench/consumed-capacity.ts reproduces (not AWS's), which is why the cost run prices
 * transactions from the model. If a DynamoDB Local upgrade changes that answer, the last
 * test fails: revisit the transaction fallback in bench/aws-usage.ts and docs/COST.md.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localTransactionAnswer, readConsumedCapacity, type Share } from '../../bench/consumed-capacity';
import { recordSdkCalls, type SdkCall } from '../../bench/sdk-recorder';
import { useTestTable } from '../support/table';

const table = useTestTable();
const calls: SdkCall[] = [];
let stop = () => {};
beforeAll(() => {
  stop = recordSdkCalls((call) => calls.push(call), { consumedCapacity: true });
});
afterAll(() => stop());

const indexed = (id: string, bytes = 10) => ({ pk: `INVOICE#${id}`, sk: 'INVOICE', entity: 'invoice', gsi1pk: 'MERCHANT#m#INVOICES', gsi1sk: id, gsi2pk: 'OPEN_INVOICES#0', gsi2sk: id, pad: 'x'.repeat(bytes) });

describe('ConsumedCapacity through the recorder, on DynamoDB Local', () => {
  it('a PutItem of an item in both GSIs reports the table and each index, without touching the caller input', async () => {
    const command = new PutCommand({ TableName: table.name, Item: indexed('in_put', 1500) });
    const output = await table.doc.send(command);
    expect(command.input.ReturnConsumedCapacity).toBeUndefined();
    // 1.5 KB: 2 units on the table and 2 on each index (projection ALL copies the whole item).
    expect(readConsumedCapacity(output.ConsumedCapacity, table.name)).toEqual({ table: 2, indexes: { gsi1: 2, gsi2: 2 } });
    const recorded = calls.find((call) => call.input === command.input);
    expect(recorded?.operation).toBe('PutItem');
    expect(recorded?.output?.ConsumedCapacity).toBeDefined();
  });

  it('reports updates, reads, index queries and batch writes, for document and raw commands alike', async () => {
    await table.doc.send(new PutCommand({ TableName: table.name, Item: indexed('in_reads') }));
    const key = { pk: 'INVOICE#in_reads', sk: 'INVOICE' };
    const update = await table.doc.send(new UpdateCommand({ TableName: table.name, Key: key, UpdateExpression: 'REMOVE gsi2pk, gsi2sk' }));
    // Leaving gsi2 is a delete there: still one unit on that index.
    expect(readConsumedCapacity(update.ConsumedCapacity, table.name)).toEqual({ table: 1, indexes: { gsi1: 1, gsi2: 1 } });
    const get = await table.doc.send(new GetCommand({ TableName: table.name, Key: key }));
    expect(readConsumedCapacity(get.ConsumedCapacity, table.name)).toEqual({ table: 0.5, indexes: {} });
    const raw = await table.doc.send(new GetItemCommand({ TableName: table.name, Key: { pk: { S: key.pk }, sk: { S: key.sk } }, ConsistentRead: true }));
    expect(readConsumedCapacity(raw.ConsumedCapacity, table.name)).toEqual({ table: 1, indexes: {} });
    const query = await table.doc.send(
      new QueryCommand({ TableName: table.name, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': 'MERCHANT#m#INVOICES' } }),
    );
    expect(readConsumedCapacity(query.ConsumedCapacity, table.name)).toEqual({ table: 0, indexes: { gsi1: 0.5 } });
    // Finding nothing, DynamoDB Local answers 0 (AWS bills the 0.5 minimum: the cost run uses the model there).
    const empty = await table.doc.send(
      new QueryCommand({ TableName: table.name, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': 'MERCHANT#nobody#WEBHOOK_ENDPOINTS' } }),
    );
    expect(readConsumedCapacity(empty.ConsumedCapacity, table.name)).toEqual({ table: 0, indexes: { gsi1: 0 } });
    const batch = await table.doc.send(
      new BatchWriteCommand({ RequestItems: { [table.name]: [{ PutRequest: { Item: indexed('in_batch_1') } }, { PutRequest: { Item: indexed('in_batch_2') } }] } }),
    );
    // Batches sum their items (unlike transactions, below).
    expect(readConsumedCapacity(batch.ConsumedCapacity, table.name)).toEqual({ table: 2, indexes: { gsi1: 2, gsi2: 2 } });
  });

  it("answers TransactWriteItems the way bench/consumed-capacity.ts reproduces: equal items once, index writes doubled (AWS: summed, standard rate)", async () => {
    const transact = async (items: Array<Record<string, unknown>>) => {
      const output = await table.doc.send(new TransactWriteCommand({ TransactItems: items.map((Item) => ({ Put: { TableName: table.name, Item } })) }));
      return readConsumedCapacity(output.ConsumedCapacity, table.name);
    };
    const share = (kb: number): Share => ({ kind: 'invoice', table: 2 * kb, indexes: { gsi1: kb, gsi2: kb } });
    // Two puts of the same size: AWS bills 4 on the table and 1 per item on each index.
    expect(await transact([indexed('in_tx_1'), indexed('in_tx_2')])).toEqual(localTransactionAnswer([share(1), share(1)]));
    expect(localTransactionAnswer([share(1), share(1)])).toEqual({ table: 2, indexes: { gsi1: 2, gsi2: 2 } });
    // Different sizes are summed.
    expect(await transact([indexed('in_tx_3'), indexed('in_tx_4', 1500)])).toEqual(localTransactionAnswer([share(1), share(2)]));
  });
});
