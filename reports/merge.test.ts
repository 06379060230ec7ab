import { describe, expect, it } from 'vitest';
import { UsageError } from './errors.js';
import { mergeReports } from './merge.js';
import type { Report } from './model.js';
import { selectShard } from './shard.js';
import { catalogResults, makeReport } from './testing/fixtures.js';

/** A report without the fields that differ between runs. */
function timeless(r: Report) {
  const { startedAt: _s, finishedAt: _f, durationMs: _d, ...rest } = r;
  return rest;
}

function shardReports(count: number): Report[] {
  const results = catalogResults();
  const ids = results.map((r) => r.id);
  return Array.from({ length: count }, (_, i) => {
    const mine = new Set(selectShard(ids, { index: i + 1, count }));
    return makeReport({
      results: results.filter((r) => mine.has(r.id)),
      shard: { index: i + 1, count },
      startedAt: `2026-01-10T10:${String(i).padStart(2, '0')}:00.000Z`,
      finishedAt: `2026-01-10T10:${String(i).padStart(2, '0')}:30.000Z`,
    });
  });
}

describe('merge', () => {
  it('gives the unsharded report back from its shards, apart from times', () => {
    const unsharded = makeReport();
    const order = unsharded.results.map((r) => r.id);
    for (const count of [1, 2, 3, 5, 12]) {
      const merged = mergeReports(shardReports(count).reverse(), { order });
      expect(timeless(merged)).toEqual(timeless(unsharded));
    }
  });

  it('spans the times of all shards and sorts by id without a catalog order', () => {
    const merged = mergeReports(shardReports(3));
    expect(merged.startedAt).toBe('2026-01-10T10:00:00.000Z');
    expect(merged.finishedAt).toBe('2026-01-10T10:02:30.000Z');
    expect(merged.durationMs).toBe(150_000);
    const ids = merged.results.map((r) => r.id);
    expect(ids).toEqual([...ids].sort());
    expect(merged.shard).toBeUndefined();
  });

  it('keeps the worst status of the shards', () => {
    const [a, b] = shardReports(2);
    expect(mergeReports([a, { ...b, status: 'interrupted' }]).status).toBe('interrupted');
    expect(
      mergeReports([
        { ...a, status: 'crashed' },
        { ...b, status: 'deadline' },
      ]).status,
    ).toBe('crashed');
  });

  it('refuses reports of different audits', () => {
    const [a, b] = shardReports(2);
    expect(() => mergeReports([a, { ...b, seed: 7 }])).toThrow(/seed 7 differs from 42/);
    expect(() => mergeReports([a, { ...b, target: { ...b.target, name: 'other' } }])).toThrow(/target "other"/);
    expect(() => mergeReports([a, { ...b, mode: 'provider' }])).toThrow(UsageError);
    expect(() => mergeReports([a, { ...b, policy: 'strict' }])).toThrow(/policy strict differs from rfc9700/);
  });

  it('keeps the policy the shards were judged under', () => {
    const shards = shardReports(2).map((r) => ({ ...r, policy: 'fapi2' as const }));
    expect(mergeReports(shards).policy).toBe('fapi2');
  });

  it('refuses a missing or doubled shard and a check present twice', () => {
    const [a, b, c] = shardReports(3);
    expect(() => mergeReports([a, c])).toThrow(/shard 2\/3 missing/);
    expect(() => mergeReports([a, a, b, c])).toThrow(/shard 1\/3 is given twice/);
    const { shard: _x, ...plainA } = a;
    const { shard: _y, ...plainB } = b;
    expect(() => mergeReports([plainA, { ...plainB, results: [...plainB.results, a.results[0]] }])).toThrow(
      /check state\.present is in report 1 and report 2/,
    );
    expect(() => mergeReports([])).toThrow(UsageError);
  });
});
