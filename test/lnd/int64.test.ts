import { describe, expect, it } from 'vitest';
import { UnsafeIntegerError } from '../../functions/lib/lnd';
import { int64ToNumber, numberToInt64 } from '../../functions/lib/lnd/int64';

describe('int64ToNumber', () => {
  it('converts the int64 strings LND sends', () => {
    expect(int64ToNumber('0', 'x')).toBe(0);
    expect(int64ToNumber('150000', 'x')).toBe(150_000);
    expect(int64ToNumber('-42', 'x')).toBe(-42);
    expect(int64ToNumber('9007199254740991', 'x')).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses values a float would round instead of silently changing them', () => {
    expect(() => int64ToNumber('9007199254740992', 'value_msat')).toThrow(UnsafeIntegerError);
    expect(() => int64ToNumber('18446744073709551615', 'value_msat')).toThrow('value_msat is not a safe integer');
    expect(() => int64ToNumber('1e3', 'x')).toThrow(UnsafeIntegerError);
    expect(() => int64ToNumber('12.5', 'x')).toThrow(UnsafeIntegerError);
    expect(() => int64ToNumber(0.5, 'x')).toThrow(UnsafeIntegerError);
  });

  it('writes numbers back only when they are safe integers', () => {
    expect(numberToInt64(1_000, 'x')).toBe('1000');
    expect(() => numberToInt64(2 ** 53, 'x')).toThrow(UnsafeIntegerError);
  });
});
