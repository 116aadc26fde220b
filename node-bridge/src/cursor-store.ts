import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../../functions/lib/table/client';
import { DEFAULT_NODE_ID } from '../../functions/lib/node/node-config';
import { Entity, keys } from '../../functions/lib/table/keys';

/**
 * Where the invoice stream resumes: `settleIndex`, the highest settle_index below which
 * every settlement is published; `addIndex`, the highest add_index seen; `scanAddIndex`,
 * the add_index at or below which every invoice is final and settled (if at all) at or
 * below `settleIndex`, so ListInvoices catch-ups can start there instead of at 0.
 */
export interface InvoiceCursor {
  settleIndex: number;
  addIndex: number;
  scanAddIndex: number;
}

export interface CursorStore {
  load(): Promise<InvoiceCursor>;
  save(cursor: InvoiceCursor): Promise<void>;
}

/**
 * The cursor item of a node's stream. The `default` node (the one the single-node variables
 * name) keeps the item it always had, so moving to LIGHTNING_NODES with that node listed as
 * `default` neither replays nor skips a settlement; every other node has its own.
 */
export function invoiceCursorName(nodeId: string): string {
  return nodeId === DEFAULT_NODE_ID ? 'invoices' : `invoices#${nodeId}`;
}

const cursorNeverMovesBack = 'attribute_not_exists(pk) OR settle_index <= :settleIndex';

/** The `CURSOR#<name>` item of the table. */
export function tableCursorStore(table: Table, name = 'invoices'): CursorStore {
  const key = keys.cursor(name);
  return {
    async load() {
      const { Item } = await table.doc.send(new GetCommand({ TableName: table.name, Key: key, ConsistentRead: true }));
      return {
        settleIndex: Number(Item?.settle_index ?? 0),
        addIndex: Number(Item?.add_index ?? 0),
        scanAddIndex: Number(Item?.scan_add_index ?? 0),
      };
    },
    async save(cursor) {
      try {
        await table.doc.send(
          new UpdateCommand({
            TableName: table.name,
            Key: key,
            UpdateExpression: 'SET entity = :entity, #name = :name, settle_index = :settleIndex, add_index = :addIndex, scan_add_index = :scanAddIndex, updated_at = :now',
            ConditionExpression: cursorNeverMovesBack,
            ExpressionAttributeNames: { '#name': 'name' },
            ExpressionAttributeValues: {
              ':entity': Entity.cursor,
              ':name': name,
              ':settleIndex': cursor.settleIndex,
              ':addIndex': cursor.addIndex,
              ':scanAddIndex': cursor.scanAddIndex,
              ':now': new Date().toISOString(),
            },
          }),
        );
      } catch (error) {
        // Another bridge (a rolling deploy) is further along: its cursor stands.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
  };
}
