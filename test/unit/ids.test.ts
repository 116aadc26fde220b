import { describe, expect, it } from 'vitest';
import { IdPrefix, newId } from '../../functions/lib/ids';

describe('ids', () => {
  it('carry their type prefix and at least 128 random bits', () => {
    const id = newId(IdPrefix.invoice);
    expect(id).toMatch(/^inv_[0-9a-hjkmnp-tv-z]{36}$/);
    const ids = new Set(Array.from({ length: 10_000 }, () => newId(IdPrefix.invoice, 0)));
    expect(ids.size).toBe(10_000);
  });

  it('sort by creation time', () => {
    const times = [0, 1, 999, 1_000, 1_700_000_000_000, 1_700_000_000_001, 2 ** 47];
    const ids = times.map((time) => newId(IdPrefix.event, time));
    expect([...ids].sort()).toEqual(ids);
  });
});
