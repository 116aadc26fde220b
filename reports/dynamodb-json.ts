import type { AttributeValue } from '@aws-sdk/client-dynamodb';

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

/**
 * A record in DynamoDB JSON (`{"pk": {"S": "..."}, ...}`) as plain values, numbers as
 * DynamoNumber. Written out rather than taken from util-dynamodb's unmarshall: this is the
 * hottest loop of a report over millions of items, and it must accept both what Scan returns
 * (binary as bytes) and what an export file holds (binary as base64 text).
 */
export function fromDynamoDbJson(item: Record<string, AttributeValue>): NativeItem {
  const native: NativeItem = {};
  for (const name in item) native[name] = toNative(item[name], name);
  return native;
}

type WireValue = Record<string, unknown> | undefined;

function toNative(value: unknown, path: string): unknown {
  if (typeof value !== 'object' || value === null) throw new Error(`${path}: not an attribute value`);
  const attribute = value as Record<string, unknown>;
  for (const type in attribute) {
    const content = attribute[type];
    switch (type) {
      case 'S':
        if (typeof content !== 'string') break;
        return content;
      case 'N':
        if (typeof content !== 'string') break;
        return new DynamoNumber(content);
      case 'BOOL':
        if (typeof content !== 'boolean') break;
        return content;
      case 'NULL':
        return null;
      case 'M': {
        if (typeof content !== 'object' || content === null) break;
        const map: NativeItem = {};
        for (const name in content as Record<string, unknown>) map[name] = toNative((content as Record<string, WireValue>)[name], `${path}.${name}`);
        return map;
      }
      case 'L':
        if (!Array.isArray(content)) break;
        return content.map((element, index) => toNative(element, `${path}[${index}]`));
      case 'SS':
        if (!Array.isArray(content)) break;
        return new Set(content as string[]);
      case 'NS':
        if (!Array.isArray(content)) break;
        return new Set((content as string[]).map((text) => new DynamoNumber(text)));
      case 'B':
        return binary(content, path);
      case 'BS':
        if (!Array.isArray(content)) break;
        return new Set(content.map((element) => binary(element, path)));
      default:
        throw new Error(`${path}: unknown attribute type ${type}`);
    }
    throw new Error(`${path}: malformed ${type} value`);
  }
  throw new Error(`${path}: empty attribute value`);
}

function binary(content: unknown, path: string): Uint8Array {
  if (content instanceof Uint8Array) return content;
  if (typeof content === 'string') return Buffer.from(content, 'base64');
  throw new Error(`${path}: malformed B value`);
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
