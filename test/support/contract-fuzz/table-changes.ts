import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type GetRecordsCommandOutput } from '@aws-sdk/client-dynamodb-streams';
import { localDynamoDbClient } from '../../../infra/local/dynamodb-local';

// "Nothing changed" for every item of the table at once, at a cost that does not grow with
// the table: the table's own stream (DynamoDB Local writes a record with the change, and none
// for a write that changes nothing). What a request wrote is what the stream gained while it ran.

export interface TableChange {
  event: 'INSERT' | 'MODIFY' | 'REMOVE';
  pk: string;
  sk: string;
}

export interface TableChangeWatch {
  /** The changes since the last call (or since the watch started). */
  drain(): Promise<TableChange[]>;
  close(): void;
}

export async function watchTableChanges(endpoint: string, tableName: string): Promise<TableChangeWatch> {
  const admin = localDynamoDbClient(endpoint);
  const { Table } = await admin.send(new DescribeTableCommand({ TableName: tableName }));
  admin.destroy();
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${tableName} has no stream`);
  const streams = new DynamoDBStreamsClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  /** Open shards and where to read on; a closed shard drops out once read to its end. */
  const iterators = new Map<string, string>();
  const finished = new Set<string>();

  const discoverShards = async () => {
    let start: string | undefined;
    do {
      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ...(start ? { ExclusiveStartShardId: start } : {}) }));
      for (const shard of StreamDescription?.Shards ?? []) {
        const shardId = shard.ShardId!;
        if (iterators.has(shardId) || finished.has(shardId)) continue;
        const { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
        if (ShardIterator) iterators.set(shardId, ShardIterator);
      }
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
  };

  const drain = async (): Promise<TableChange[]> => {
    const changes: TableChange[] = [];
    if (iterators.size === 0) await discoverShards();
    for (;;) {
      let shardClosed = false;
      for (const [shardId, iterator] of [...iterators]) {
        let next: string | undefined = iterator;
        for (;;) {
          const page: GetRecordsCommandOutput = await streams.send(new GetRecordsCommand({ ShardIterator: next }));
          for (const record of page.Records ?? []) {
            const keys = record.dynamodb?.Keys ?? {};
            changes.push({ event: record.eventName as TableChange['event'], pk: keys.pk?.S ?? '', sk: keys.sk?.S ?? '' });
          }
          next = page.NextShardIterator;
          if (!next || (page.Records ?? []).length === 0) break;
        }
        if (next) {
          iterators.set(shardId, next);
        } else {
          iterators.delete(shardId);
          finished.add(shardId);
          shardClosed = true;
        }
      }
      // A closed shard has children holding what came after it: read them too, now.
      if (!shardClosed) return changes;
      await discoverShards();
    }
  };

  await discoverShards();
  await drain();
  return { drain, close: () => streams.destroy() };
}
