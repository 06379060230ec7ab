/**
 * The CLI bundle's loader (bundle-loader.ts): a CommonJS file run as Node would, its V8 code cache
 * written at exit and taken by the next process, refused caches replaced, and stale ones removed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/**
 * The compiled loader (`npm run build`), run by plain node as the command does: under tsx, source maps
 * are on, and the loader then goes without a cache.
 */
const LOADER = fileURLToPath(new URL('../../dist/harness/cli/bundle-loader.js', import.meta.url));

let dir: string;
let bundle: string;
let cacheDir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bundle-loader-'));
  bundle = path.join(dir, 'main.cjs');
  cacheDir = path.join(dir, 'cache');
  await writeFile(path.join(dir, 'helper.cjs'), 'module.exports = (x) => x * 2;\n');
  await writeFile(
    bundle,
    [
      '"use strict";',
      'const double = require("./helper.cjs");',
      'const path = require("node:path");',
      'function work(n) { let s = 0; for (let i = 0; i < n; i++) s += double(i); return s; }',
      'module.exports = { answer: work(4), file: path.basename(__filename), dir: __dirname };',
    ].join('\n'),
  );
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Outcome {
  exports: { answer: number; file: string; dir: string };
  cache: string;
  cacheFile?: string;
  saved: boolean;
}

/**
 * Loads the bundle in a new process (as each command does) and saves its cache as if it had run `ranMs`
 * (the loader's own clock when undefined).
 */
function loadInNewProcess(ranMs?: number, env: Record<string, string> = {}): Outcome {
  const script = [
    `const { loadBundle } = await import(${JSON.stringify(LOADER)});`,
    `const b = loadBundle(${JSON.stringify(bundle)}, { cacheDir: ${JSON.stringify(cacheDir)} });`,
    `const saved = b.saveCache(${ranMs === undefined ? '' : String(ranMs)});`,
    'process.stdout.write(JSON.stringify({ exports: b.exports, cache: b.cache, cacheFile: b.cacheFile, saved }));',
  ].join('\n');
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, LOGIN_HARNESS_NO_CODE_CACHE: '', LOGIN_HARNESS_CODE_CACHE_DIR: '', ...env },
  });
  return JSON.parse(out) as Outcome;
}

async function cacheFiles(): Promise<string[]> {
  try {
    return (await readdir(cacheDir)).sort();
  } catch {
    return [];
  }
}

describe('loadBundle', () => {
  it('runs a CommonJS file as Node would, writes its code cache, and the next process takes it', async () => {
    const first = loadInNewProcess();
    expect(first.exports).toEqual({ answer: 12, file: 'main.cjs', dir });
    expect(first.cache).toBe('absent');
    expect(first.saved).toBe(true);
    expect(await cacheFiles()).toEqual([path.basename(first.cacheFile ?? '')]);
    expect(path.basename(first.cacheFile ?? '')).toMatch(/^main-[0-9a-f]{8}-[0-9a-f]{12}-[0-9a-f]{8}\.v8$/);

    const second = loadInNewProcess(1);
    expect(second.exports).toEqual(first.exports);
    expect(second.cache).toBe('accepted');
    // It ran no longer than the process that made the cache: nothing to add.
    expect(second.saved).toBe(false);
  });

  it('writes the cache again after a run clearly longer than the one that made it', async () => {
    expect(loadInNewProcess(100).saved).toBe(true);
    const before = (await stat(path.join(cacheDir, (await cacheFiles())[0]))).mtimeMs;
    expect(loadInNewProcess(120).saved).toBe(false);
    const longer = loadInNewProcess(130);
    expect(longer.cache).toBe('accepted');
    expect(longer.saved).toBe(true);
    expect((await stat(longer.cacheFile ?? '')).mtimeMs).toBeGreaterThanOrEqual(before);
    // Now made after 130 ms: 150 ms is not enough for another.
    expect(loadInNewProcess(150).saved).toBe(false);
  });

  it('replaces a cache V8 refuses, and the bundle still runs', async () => {
    const first = loadInNewProcess(100);
    const header = Buffer.alloc(8);
    header.writeDoubleLE(100, 0);
    await writeFile(first.cacheFile ?? '', Buffer.concat([header, Buffer.from('not a code cache')]));
    const refused = loadInNewProcess(1);
    expect(refused.cache).toBe('rejected');
    expect(refused.exports.answer).toBe(12);
    expect(refused.saved).toBe(true);
    expect(loadInNewProcess(1).cache).toBe('accepted');
  });

  it("removes the caches of the file's older builds, not those made under other V8 flags", async () => {
    const first = loadInNewProcess();
    const name = path.basename(first.cacheFile ?? '');
    const [, tag, build, flags] = /^main-([0-9a-f]+)-([0-9a-f]+)-([0-9a-f]+)\.v8$/.exec(name) ?? [];
    const olderBuild = `main-${tag}-${'0'.repeat(build.length)}-${flags}.v8`;
    const otherFlags = `main-${tag}-${build}-${'0'.repeat(flags.length)}.v8`;
    const otherCopy = `main-${'0'.repeat(tag.length)}-${'1'.repeat(build.length)}-${flags}.v8`;
    for (const f of [olderBuild, otherFlags, otherCopy]) await writeFile(path.join(cacheDir, f), 'x');
    // A refused cache is written again, and the older build's goes with it.
    await writeFile(first.cacheFile ?? '', Buffer.alloc(16, 1));
    expect(loadInNewProcess().saved).toBe(true);
    expect(await cacheFiles()).toEqual([name, otherCopy, otherFlags].sort());
    // A new build of the file gets a new key, and its cache replaces every cache of the old build.
    await writeFile(bundle, 'module.exports = { answer: 1, file: "main.cjs", dir: __dirname };\n');
    const rebuilt = loadInNewProcess();
    expect(rebuilt.cache).toBe('absent');
    expect(rebuilt.exports.answer).toBe(1);
    expect(await cacheFiles()).toEqual([path.basename(rebuilt.cacheFile ?? ''), otherCopy].sort());
  });

  it('goes without a cache when LOGIN_HARNESS_NO_CODE_CACHE=1 or under --enable-source-maps', async () => {
    const settings: Record<string, string>[] = [
      { LOGIN_HARNESS_NO_CODE_CACHE: '1' },
      { NODE_OPTIONS: '--enable-source-maps' },
    ];
    for (const env of settings) {
      const off = loadInNewProcess(undefined, env);
      expect(off.cache).toBe('off');
      expect(off.exports.answer).toBe(12);
      expect(off.saved).toBe(false);
    }
    expect(await cacheFiles()).toEqual([]);
  });
});
