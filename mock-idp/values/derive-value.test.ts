import { describe, expect, it } from 'vitest';
import { ValueDeriver } from './derive-value.js';

describe('ValueDeriver', () => {
  it('gives the same values for the same seed, tag and order, and different ones per tag and kind', () => {
    const a = new ValueDeriver(1);
    const b = new ValueDeriver(1);
    const fromA = [a.next('code', 't'), a.next('code', 't'), a.next('access_token', 't'), a.next('code')];
    const fromB = [b.next('code', 't'), b.next('code', 't'), b.next('access_token', 't'), b.next('code')];
    expect(fromA).toEqual(fromB);
    expect(new Set(fromA).size).toBe(4);
    expect(new ValueDeriver(2).next('code', 't')).not.toBe(fromA[0]);
  });

  it('keeps the counters of a bounded number of tags, and never issues a value twice after dropping one', () => {
    const bounded = new ValueDeriver(1, false, 3);
    const issued = new Set<string>();
    const take = (kind: 'code' | 'access_token', tag?: string): string => {
      const value = bounded.next(kind, tag);
      expect(issued.has(value)).toBe(false);
      issued.add(value);
      return value;
    };
    take('code');
    for (let round = 0; round < 3; round++) {
      for (const tag of ['a', 'b', 'c', 'd']) {
        take('code', tag);
        take('access_token', tag);
      }
    }
    expect(bounded.countedTags).toBeLessThanOrEqual(3);
    // Untagged values are never dropped: they go on as in an unbounded deriver.
    const unbounded = new ValueDeriver(1);
    unbounded.next('code');
    expect(take('code')).toBe(unbounded.next('code'));
  });

  it('derives exactly the unbounded values while the cap is not reached', () => {
    const bounded = new ValueDeriver(1, false, 3);
    const unbounded = new ValueDeriver(1);
    for (const tag of ['a', undefined, 'b']) {
      expect(bounded.next('refresh_token', tag)).toBe(unbounded.next('refresh_token', tag));
    }
  });
});
