/**
 * Runs a CommonJS bundle compiled with V8's code cache (core/code-cache.ts): the CLI's own bundle
 * (`dist/cli/main.cjs`, see harness/cli/bundled-bin.ts). Node keeps no compiled form of a program between
 * runs, and compiling the CLI's modules again was a good part of every command's start.
 *
 * The cache is written when the process exits, so it holds the functions that process ran (an audit's,
 * not only the top level's); a process that ran clearly longer than the one that made it (an audit
 * after `list`) writes it again. Under `--enable-source-maps` (or with caches turned off) the bundle is
 * required as usual: Node then maps stack traces to the sources.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import {
  codeCacheDir,
  codeCacheDisabled,
  codeCacheKey,
  pathTag,
  readCodeCache,
  writeCodeCache,
} from '../../core/code-cache.js';

/** Bytes in front of the V8 data of a cache file: how long the process that wrote it had run (float64, ms). */
const HEADER_BYTES = 8;
/** A process that ran this many times as long as the one that made the cache writes it again. */
const RENEWAL = 1.25;

/** How a bundle was compiled: from a cache, with none (`absent`), from one V8 refused, or without caching. */
export type CacheUse = 'accepted' | 'absent' | 'rejected' | 'off';

export interface LoadedBundle {
  /** The bundle's `module.exports`. */
  exports: Record<string, unknown>;
  cache: CacheUse;
  /** The cache file (undefined when caching is off). */
  cacheFile: string | undefined;
  /**
   * Writes the cache, with what this process compiled so far, when there was none, V8 refused it, or
   * this process ran `ranMs` (default: its run time so far) clearly longer than the one that made it.
   * Returns whether it wrote.
   */
  saveCache(ranMs?: number): boolean;
}

/**
 * Loads the CommonJS bundle `file` (absolute path) with a code cache in `cacheDir` (default: see
 * core/code-cache.ts `codeCacheDir`, for the package two folders above the bundle).
 */
export function loadBundle(file: string, opts: { cacheDir?: string } = {}): LoadedBundle {
  if (codeCacheDisabled() || process.sourceMapsEnabled) {
    const exports = createRequire(file)(file) as Record<string, unknown>;
    return { exports, cache: 'off', cacheFile: undefined, saveCache: () => false };
  }
  const dir = opts.cacheDir ?? codeCacheDir(path.resolve(path.dirname(file), '..', '..'));
  // `<name>-<path>-<build>-<flags>.v8`: a new build of the same file makes the older builds' caches
  // stale; those of other V8 flags (a test runner's, a profiler's) stay.
  const prefix = `${path.basename(file).replace(/\.[^.]+$/, '')}-${pathTag(file)}-`;
  const key = codeCacheKey(file);
  const build = key.split('-')[0];
  const cacheFile = path.join(dir, `${prefix}${key}.v8`);
  const saved = readCodeCache(cacheFile);
  const madeAfterMs = saved && saved.length > HEADER_BYTES ? saved.readDoubleLE(0) : 0;
  const cachedData = madeAfterMs > 0 ? saved?.subarray(HEADER_BYTES) : undefined;
  // The wrapper Node's loader puts around a CommonJS file.
  const script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`,
    { filename: file, ...(cachedData ? { cachedData } : {}) },
  );
  const cache: CacheUse = cachedData === undefined ? 'absent' : script.cachedDataRejected ? 'rejected' : 'accepted';
  const module = { exports: {} as Record<string, unknown> };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  return {
    exports: module.exports,
    cache,
    cacheFile,
    saveCache(ranMs = performance.now()) {
      if (cache === 'accepted' && ranMs < RENEWAL * madeAfterMs) return false;
      const header = Buffer.alloc(HEADER_BYTES);
      header.writeDoubleLE(Math.max(ranMs, Number.MIN_VALUE), 0);
      return writeCodeCache(
        cacheFile,
        Buffer.concat([header, script.createCachedData()]),
        (name) => name.startsWith(prefix) && !name.startsWith(`${prefix}${build}-`),
      );
    },
  };
}
