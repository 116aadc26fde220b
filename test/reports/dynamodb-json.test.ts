import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoNumber, fromDynamoDbJson, parseExportLine } from '../../reports/dynamodb-json';

describe('DynamoDB JSON of an export line', () => {
  it('reads every attribute type, keeping numbers as their exact decimal text', () => {
    const line = JSON.stringify({
      Item: {
        s: { S: 'text' },
        n: { N: '123456789012345678901234567890' },
        negative: { N: '-150000' },
        yes: { BOOL: true },
        nothing: { NULL: true },
        map: { M: { inner: { N: '1' }, list: { L: [{ S: 'a' }, { N: '2' }] } } },
        strings: { SS: ['a', 'b'] },
        numbers: { NS: ['1', '2'] },
        bytes: { B: Buffer.from('hi').toString('base64') },
        byteSet: { BS: [Buffer.from('x').toString('base64')] },
      },
    });

    const item = parseExportLine(line);

    expect(item).toEqual({
      s: 'text',
      n: new DynamoNumber('123456789012345678901234567890'),
      negative: new DynamoNumber('-150000'),
      yes: true,
      nothing: null,
      map: { inner: new DynamoNumber('1'), list: ['a', new DynamoNumber('2')] },
      strings: new Set(['a', 'b']),
      numbers: new Set([new DynamoNumber('1'), new DynamoNumber('2')]),
      bytes: Buffer.from('hi'),
      byteSet: new Set([Buffer.from('x')]),
    });
  });

  it('reads what the SDK marshals (Scan results, binary as bytes) the same way', () => {
    const native = { pk: 'ACCOUNT#acct_1', balance_msat: 42, label: null, ok: false, tags: ['x'], blob: new Uint8Array([1, 2]) };

    expect(fromDynamoDbJson(marshall(native))).toEqual({ ...native, balance_msat: new DynamoNumber('42') });
  });

  it.each([
    ['{"Item": {"pk": {"S": "x"}', /^not JSON/],
    ['[1, 2]', /^not a JSON object$/],
    ['{"NewImage": {}}', /no "Item" object/],
    ['{"Item": {"pk": {"X": "1"}}}', /pk: unknown attribute type X/],
    ['{"Item": {"pk": {"N": 1}}}', /pk: malformed N value/],
    ['{"Item": {"pk": {}}}', /pk: empty attribute value/],
    ['{"Item": {"m": {"M": {"a": {"S": 5}}}}}', /m\.a: malformed S value/],
  ])('refuses %s', (line, message) => {
    expect(() => parseExportLine(line)).toThrow(message);
  });
});
