import { describe, expect, it } from 'vitest';
import { ReplayCache } from './replay-cache.js';

describe('ReplayCache', () => {
  it('refuses an identifier that is used again before it expires', () => {
    const cache = new ReplayCache();
    expect(cache.use('a', 2_000, 1_000)).toBe(true);
    expect(cache.use('a', 2_000, 1_500)).toBe(false);
  });

  it('accepts an identifier again once its expiry has passed', () => {
    const cache = new ReplayCache();
    cache.use('a', 2_000, 1_000);
    expect(cache.use('a', 3_000, 2_000)).toBe(true);
  });

  it('stays within its capacity, dropping expired entries before live ones', () => {
    const cache = new ReplayCache(2);
    cache.use('old', 1_500, 1_000);
    cache.use('live', 9_000, 1_000);
    cache.use('new', 9_000, 2_000);
    expect(cache.size).toBe(2);
    expect(cache.use('live', 9_000, 2_100)).toBe(false);
  });

  it('drops the oldest live entry when every entry is live and the cache is full', () => {
    const cache = new ReplayCache(2);
    cache.use('a', 9_000, 1_000);
    cache.use('b', 9_000, 1_000);
    cache.use('c', 9_000, 1_000);
    expect(cache.size).toBe(2);
    expect(cache.use('b', 9_000, 1_000)).toBe(false);
    expect(cache.use('c', 9_000, 1_000)).toBe(false);
  });
});
