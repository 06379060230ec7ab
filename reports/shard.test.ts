import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from './errors.js';
import { parseShard, selectShard } from './shard.js';

describe('shards', () => {
  it('parses i/n with a 1-based index', () => {
    expect(parseShard('1/3')).toEqual({ index: 1, count: 3 });
    expect(parseShard(' 3 / 3 ')).toEqual({ index: 3, count: 3 });
  });

  it('refuses anything that is not i/n with 1 <= i <= n as a usage error', () => {
    for (const bad of ['0/3', '4/3', '1/0', 'a/b', '1', '1/2/3', '-1/2', '']) {
      const err = (() => {
        try {
          parseShard(bad);
        } catch (e) {
          return e;
        }
      })();
      expect(err, bad).toBeInstanceOf(UsageError);
      expect((err as UsageError).message).toContain('--shard');
    }
  });

  it('gives every id to exactly one shard, keeps catalog order and balances sizes', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string(), { maxLength: 80 }), fc.integer({ min: 1, max: 12 }), (ids, count) => {
        const shards = Array.from({ length: count }, (_, i) => selectShard(ids, { index: i + 1, count }));
        const all = shards.flat();
        expect(all.length).toBe(ids.length);
        expect(new Set(all)).toEqual(new Set(ids));
        for (const s of shards) {
          expect(s).toEqual(ids.filter((id) => s.includes(id)));
          expect(s.length).toBeLessThanOrEqual(Math.ceil(ids.length / count));
          expect(s.length).toBeGreaterThanOrEqual(Math.floor(ids.length / count));
        }
        expect(selectShard(ids, { index: 1, count })).toEqual(shards[0]);
      }),
    );
  });

  it('refuses an out-of-range shard', () => {
    expect(() => selectShard(['a'], { index: 3, count: 2 })).toThrow(UsageError);
  });
});
