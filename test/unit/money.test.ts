import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addMsat, AmountOverflowError, defaultFeeReserveMsat, msatFromDecimalString } from '../../functions/lib/money';

describe('money', () => {
  it('computes the default fee reserve as max(ceil(1%), 10,000 msat)', () => {
    expect(defaultFeeReserveMsat(1_000)).toBe(10_000);
    expect(defaultFeeReserveMsat(1_000_000)).toBe(10_000);
    expect(defaultFeeReserveMsat(1_000_001)).toBe(10_001);
    expect(defaultFeeReserveMsat(100_000_000_000)).toBe(1_000_000_000);
  });

  it('never reserves less than 1% of any safe amount, nor a float', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (amount) => {
        const reserve = defaultFeeReserveMsat(amount);
        expect(Number.isSafeInteger(reserve)).toBe(true);
        expect(BigInt(reserve) * 100n >= BigInt(amount)).toBe(true);
        expect(reserve).toBeGreaterThanOrEqual(10_000);
      }),
    );
  });

  it('refuses a sum that is not a safe integer', () => {
    expect(addMsat(1, 2)).toBe(3);
    expect(() => addMsat(Number.MAX_SAFE_INTEGER, 1)).toThrow(AmountOverflowError);
    expect(() => addMsat(0.5, 1)).toThrow(AmountOverflowError);
  });

  it('parses int64 strings exactly and refuses what it cannot hold', () => {
    expect(msatFromDecimalString('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(msatFromDecimalString('-42')).toBe(-42);
    expect(() => msatFromDecimalString('9007199254740993')).toThrow(/larger than/);
    expect(() => msatFromDecimalString('1e3')).toThrow();
    expect(() => msatFromDecimalString('12.5')).toThrow();
  });
});
