import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from './client';
import type { Key } from './keys';

/** One item by its key, strongly consistent, or undefined. */
export async function findObject<T>(table: Table, key: Key): Promise<T | undefined> {
  const { Item } = await table.doc.send(new GetCommand({ TableName: table.name, Key: key, ConsistentRead: true }));
  return Item as T | undefined;
}
