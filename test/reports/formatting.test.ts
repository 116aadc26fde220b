import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatBtc, MSAT_PER_BTC } from '../../reports/btc';
import { csvField, csvRecord } from '../../reports/csv';
import { parseCsv } from './csv-parse';

describe('formatBtc', () => {
  it.each([
    [0n, '0.00000000000'],
    [1n, '0.00000000001'],
    [-1n, '-0.00000000001'],
    [1_000n, '0.00000001000'],
    [150_000n, '0.00000150000'],
    [100_000_000_000n, '1.00000000000'],
    [-123_456_789_012_345n, '-1234.56789012345'],
    [2_100_000_000_000_000_000n, '21000000.00000000000'],
    [BigInt(Number.MAX_SAFE_INTEGER), '90071.99254740991'],
  ])('writes %s msat as %s BTC', (msat, btc) => {
    expect(formatBtc(msat)).toBe(btc);
  });

  it('takes safe integer numbers and refuses anything else', () => {
    expect(formatBtc(-150_000)).toBe('-0.00000150000');
    expect(() => formatBtc(0.5)).toThrow(RangeError);
    expect(() => formatBtc(2 ** 53)).toThrow(RangeError);
  });

  it('round-trips every amount exactly: BTC digits × 10^11 == msat', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), (msat) => {
        const text = formatBtc(msat);
        expect(text).toMatch(/^-?\d+\.\d{11}$/);
        const negative = text.startsWith('-');
        const [whole, fraction] = text.replace('-', '').split('.') as [string, string];
        const back = BigInt(whole) * MSAT_PER_BTC + BigInt(fraction);
        expect(negative ? -back : back).toBe(msat);
      }),
    );
  });
});

describe('CSV (RFC 4180)', () => {
  it('quotes only fields with a comma, a double quote, CR or LF, doubling quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('carriage\rreturn')).toBe('"carriage\rreturn"');
    expect(csvField(null)).toBe('');
    expect(csvField(-5n)).toBe('-5');
    expect(csvRecord(['x', 'y,z', 3])).toBe('x,"y,z",3');
  });

  it('reads back exactly what it wrote, whatever the text', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }), (rows) => {
        const width = rows[0]!.length;
        const table = rows.map((row) => Array.from({ length: width }, (_, index) => row[index] ?? ''));
        const text = table.map((row) => `${csvRecord(row)}\r\n`).join('');
        // A lone empty field is an empty line; RFC 4180 readers take it as one empty field.
        if (width === 1 && table.some((row) => row[0] === '')) return;
        expect(parseCsv(text)).toEqual(table);
      }),
    );
  });
});
