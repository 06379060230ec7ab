/**
 * Splitting one audit across CI jobs: `--shard i/n` runs every n-th check of the catalog starting at
 * the i-th. Round-robin over the catalog order keeps shards the same size, keeps each shard in catalog
 * order, and gives every id to exactly one shard; all shards must run the same catalog version.
 */
import { UsageError } from './errors.js';

/** A shard of a split audit: 1-based `index` of `count`. */
export interface Shard {
  index: number;
  count: number;
}

function check(shard: Shard, spelled: string): void {
  const { index, count } = shard;
  if (!Number.isInteger(index) || !Number.isInteger(count) || count < 1 || index < 1 || index > count) {
    throw new UsageError(`--shard: expected i/n with 1 <= i <= n, got ${JSON.stringify(spelled)}`);
  }
}

/** Parses `--shard i/n` (1-based). Anything else is a usage error. */
export function parseShard(value: string): Shard {
  const m = /^\s*(\d{1,6})\s*\/\s*(\d{1,6})\s*$/.exec(value);
  if (!m) throw new UsageError(`--shard: expected i/n with 1 <= i <= n, got ${JSON.stringify(value)}`);
  const shard = { index: Number(m[1]), count: Number(m[2]) };
  check(shard, value);
  return shard;
}

/** The items of `ids` that belong to `shard`, in their original order. Deterministic. */
export function selectShard<T>(ids: readonly T[], shard: Shard): T[] {
  check(shard, `${shard.index}/${shard.count}`);
  return ids.filter((_, i) => i % shard.count === shard.index - 1);
}
