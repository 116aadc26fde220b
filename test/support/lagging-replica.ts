import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../../functions/lib/table/client';

/**
 * The table as an eventually consistent read can see it: DynamoDB documents that a GetItem
 * without ConsistentRead may return data that is not yet up to date, and DynamoDB Local is
 * always up to date, so this stand-in makes the lag visible. An eventually consistent
 * GetItem answers what the first such read of that key saw (a replica that never catches
 * up); a strongly consistent one, and every other call, goes to the table.
 */
export function laggingReplica(table: Table): Table {
  const seen = new Map<string, unknown>();
  const send = async (command: unknown, ...rest: unknown[]): Promise<unknown> => {
    const real = () => (table.doc.send as (...args: unknown[]) => Promise<unknown>)(command, ...rest);
    if (!(command instanceof GetCommand) || command.input.ConsistentRead === true) return real();
    const key = JSON.stringify([command.input.TableName, command.input.Key]);
    if (!seen.has(key)) seen.set(key, await real());
    return seen.get(key);
  };
  const doc = new Proxy(table.doc, { get: (target, property, receiver) => (property === 'send' ? send : Reflect.get(target, property, receiver)) });
  return { ...table, doc };
}
