import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

/**
 * A DynamoDB number kept as the decimal text DynamoDB stored, so that no amount ever
 * passes through a float on its way in. Item schemas turn it into msat with
 * msatFromDecimalString, which refuses anything that is not an exact safe integer.
 */
export class DynamoNumber {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type NativeItem = Record<string, unknown>;

/** A record in DynamoDB JSON (`{"pk": {"S": "..."}, ...}`) as plain values, numbers as DynamoNumber. */
export function fromDynamoDbJson(item: Record<string, AttributeValue>): NativeItem {
  return unmarshall(item, { wrapNumbers: (text: string) => new DynamoNumber(text) }) as NativeItem;
}

/**
 * One line of an export data file: `{"Item": {...DynamoDB JSON...}}`. Throws a plain
 * message (the reader adds the file and line) when the line is not that.
 */
export function parseExportLine(line: string): NativeItem {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    throw new Error(`not JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
  const item = (parsed as { Item?: unknown }).Item;
  if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new Error('no "Item" object (is this a DYNAMODB_JSON full export?)');
  try {
    return fromDynamoDbJson(item as Record<string, AttributeValue>);
  } catch (error) {
    throw new Error(`not DynamoDB JSON (${(error as Error).message})`);
  }
}
