/**
 * Records every AWS call each component makes (a Lambda function, by its name or API route
 * key, or the node-bridge), for the role test (test/infra/roles.test.ts). Opt-in: only when
 * AWS_CALL_RECORD_DIR is set (npm test sets it), installed by vitest's setupFiles and
 * preloaded into the node-bridge child. Appends JSON lines to <dir>/<pid>.jsonl.
 *
 * - SDK calls are seen with bench/sdk-recorder.ts (the Smithy client's send, wrapped once).
 * - The local queues and bus are stand-ins backed by DynamoDB Local: they are recorded at
 *   their interface (sqs:SendMessage on the logical queue, events:PutEvents on the bus) and
 *   their own DynamoDB traffic is not counted.
 * - The component comes from where the call runs (infra/local/component-context.ts); calls
 *   outside any component (test fixtures, the stand-ins' own loops) are not recorded.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { recordSdkCalls, type SdkCall } from '../../bench/sdk-recorder';
import { LocalBusClient } from '../../infra/local/aws/local-bus';
import { LocalQueue } from '../../infra/local/aws/local-queue';
import { tableDefinition } from '../../functions/lib/table/definition';
import { currentComponent } from '../../infra/local/component-context';

export interface AwsCallRecord {
  component: string;
  /** dynamodb | sqs | events | secretsmanager | kms */
  service: string;
  /** The IAM action: dynamodb:GetItem, sqs:SendMessage, ... */
  action: string;
  /** `table`, `queue:<local name>`, `bus`, `secret:<name or arn>`, `key:<id>` */
  resource: string;
  /** Partition key values (table) or index partition key values (index Query). */
  leadingKeys?: string[];
  index?: string;
}

/** Inside a stand-in's own method: its DynamoDB traffic is the stand-in's, not the caller's. */
const insideStandIn = new AsyncLocalStorage<boolean>();
let installed = false;

export function installAwsCallRecorder(dir: string, defaultComponent?: string): void {
  if (installed) return;
  installed = true;
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${process.pid}.jsonl`);
  const seen = new Set<string>();
  const write = (record: Omit<AwsCallRecord, 'component'>) => {
    const component = currentComponent() ?? defaultComponent;
    if (!component) return;
    const line = JSON.stringify({ component, ...record });
    if (seen.has(line)) return;
    seen.add(line);
    appendFileSync(file, `${line}\n`);
  };

  recordSdkCalls((call) => {
    if (insideStandIn.getStore()) return;
    for (const record of recordsOfSdkCall(call)) write(record);
  });

  const queueActions = { send: 'SendMessage', sendBatch: 'SendMessage', receive: 'ReceiveMessage', delete: 'DeleteMessage', changeVisibility: 'ChangeMessageVisibility' } as const;
  for (const [method, action] of Object.entries(queueActions)) {
    const proto = LocalQueue.prototype as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const original = proto[method]!;
    proto[method] = function (this: LocalQueue, ...args: unknown[]) {
      if (!insideStandIn.getStore()) write({ service: 'sqs', action: `sqs:${action}`, resource: `queue:${this.name}` });
      return insideStandIn.run(true, () => original.apply(this, args));
    };
  }
  const originalPut = LocalBusClient.prototype.putEvents;
  LocalBusClient.prototype.putEvents = function (this: LocalBusClient, entries) {
    if (!insideStandIn.getStore()) write({ service: 'events', action: 'events:PutEvents', resource: 'bus' });
    return insideStandIn.run(true, () => originalPut.call(this, entries));
  };
}

const PARTITION_KEYS: Record<string, string> = Object.fromEntries([
  ['', tableDefinition.partitionKey],
  ...tableDefinition.globalSecondaryIndexes.map((index) => [index.indexName, index.partitionKey]),
]);

const plain = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof (value as { S?: unknown })?.S === 'string' ? (value as { S: string }).S : undefined;

function partitionKeyOf(key: Record<string, unknown> | undefined): string[] {
  const value = plain(key?.[tableDefinition.partitionKey]);
  return value === undefined ? [] : [value];
}

/** The partition key value a Query names: `<pk attribute> = :value` in its key condition. */
function queriedPartitionKey(input: Record<string, any>): string[] {
  const attribute = PARTITION_KEYS[input.IndexName ?? ''];
  const names: Record<string, string> = input.ExpressionAttributeNames ?? {};
  for (const part of String(input.KeyConditionExpression ?? '').split(/\s+AND\s+/i)) {
    const match = /^\(?\s*([#\w]+)\s*=\s*(:\w+)\s*\)?$/.exec(part.trim());
    if (match && (names[match[1]!] ?? match[1]) === attribute) {
      const value = plain(input.ExpressionAttributeValues?.[match[2]!]);
      if (value !== undefined) return [value];
    }
  }
  return [];
}

const isQueueTable = (name: unknown) => typeof name === 'string' && (name.endsWith('-local-queues') || name.startsWith('test-queues-'));

/** The IAM requests one SDK call makes: a transaction is one request per item, by its own action. */
export function recordsOfSdkCall(call: SdkCall): Array<Omit<AwsCallRecord, 'component'>> {
  const { service, operation, input } = call;
  if (service === 'dynamodb') {
    const item = (action: string, table: unknown, leadingKeys: string[], index?: string) =>
      isQueueTable(table) ? [] : [{ service, action: `dynamodb:${action}`, resource: 'table', leadingKeys, ...(index ? { index } : {}) }];
    switch (operation) {
      case 'GetItem':
      case 'DeleteItem':
      case 'UpdateItem':
        return item(operation, input.TableName, partitionKeyOf(input.Key));
      case 'PutItem':
        return item(operation, input.TableName, partitionKeyOf(input.Item));
      case 'Query':
        return item('Query', input.TableName, queriedPartitionKey(input), input.IndexName);
      case 'TransactWriteItems':
        return (input.TransactItems ?? []).flatMap((entry: Record<string, any>) => {
          if (entry.Put) return item('PutItem', entry.Put.TableName, partitionKeyOf(entry.Put.Item));
          if (entry.Update) return item('UpdateItem', entry.Update.TableName, partitionKeyOf(entry.Update.Key));
          if (entry.Delete) return item('DeleteItem', entry.Delete.TableName, partitionKeyOf(entry.Delete.Key));
          return item('ConditionCheckItem', entry.ConditionCheck?.TableName, partitionKeyOf(entry.ConditionCheck?.Key));
        });
      case 'TransactGetItems':
        return (input.TransactItems ?? []).flatMap((entry: Record<string, any>) => item('GetItem', entry.Get?.TableName, partitionKeyOf(entry.Get?.Key)));
      case 'BatchGetItem':
        return Object.entries(input.RequestItems ?? {}).flatMap(([table, request]) =>
          item('BatchGetItem', table, ((request as { Keys?: Record<string, unknown>[] }).Keys ?? []).flatMap(partitionKeyOf)),
        );
      case 'BatchWriteItem':
        return Object.entries(input.RequestItems ?? {}).flatMap(([table, requests]) =>
          item(
            'BatchWriteItem',
            table,
            (requests as Array<Record<string, any>>).flatMap((request) => partitionKeyOf(request.PutRequest?.Item ?? request.DeleteRequest?.Key)),
          ),
        );
      default:
        return item(operation, input.TableName, []);
    }
  }
  if (service === 'sqs') return [{ service, action: `sqs:${operation}`, resource: `queue:${String(input.QueueUrl ?? '').split('/').pop()}` }];
  if (service === 'eventbridge') return [{ service: 'events', action: `events:${operation}`, resource: 'bus' }];
  if (service === 'secrets-manager') return [{ service: 'secretsmanager', action: `secretsmanager:${operation}`, resource: `secret:${String(input.SecretId)}` }];
  if (service === 'kms') return [{ service, action: `kms:${operation}`, resource: `key:${String(input.KeyId ?? 'from-ciphertext')}` }];
  if (service === 'dynamodb-streams') return [];
  return [{ service, action: `${service}:${operation}`, resource: 'unknown' }];
}
