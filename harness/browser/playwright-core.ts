/**
 * Playwright's Chromium launcher, loaded with `require`. playwright-core is CommonJS of about 7 MB: an
 * `import` makes Node's ES module loader scan each of its files for named exports (cjs-module-lexer,
 * about 0.3 CPU-s on two cores) before running them, while `require` only compiles them. Only types are
 * imported from the package elsewhere; whoever needs the launcher imports this module, which is loaded
 * only when a browser is really started.
 *
 * Its two bundles (`lib/coreBundle.js`, `lib/utilsBundle.js`) are compiled with V8's code cache: loading
 * the package cost about 0.4 s of the main thread, the largest single item of a web audit, and about
 * half of it was compiling. The cache is made when the first process that loads the package exits (so
 * it holds the functions that process ran, not only the top level) and kept in
 * `node_modules/.cache/login-harness-v8/`, named by Node's version and V8 flags, the package's version
 * and each bundle's size and modification time: an update writes a new one (and removes those of other
 * versions). A cache that V8 rejects all the same is written again; where nothing can be written, the
 * package loads as before. `LOGIN_HARNESS_CODE_CACHE_DIR` puts the caches elsewhere (for a read-only
 * `node_modules`), `LOGIN_HARNESS_NO_CODE_CACHE=1` turns them off.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import type * as PlaywrightCore from 'playwright-core';
import { v8FlagsFingerprint } from '../../core/v8-flags.js';

const requireHere = createRequire(import.meta.url);

/** The bundles compiled with a code cache, relative to the package root. */
const CACHED_BUNDLES = ['lib/coreBundle.js', 'lib/utilsBundle.js'];
const CACHE_DIR_NAME = 'login-harness-v8';

/** What `Module.prototype._compile` is, for the two files it is replaced for. */
type Compile = (this: NodeJS.Module, content: string, filename: string) => unknown;

interface CachedScript {
  script: vm.Script;
  file: string;
  /** Whether the cache file must be written at exit (there was none, or V8 rejected it). */
  write: boolean;
}

/**
 * Where the package's caches live: `LOGIN_HARNESS_CODE_CACHE_DIR` when set, else `node_modules/.cache/`
 * of the package's `node_modules`, else the temporary folder.
 */
function cacheDirFor(packageRoot: string): string {
  const chosen = process.env.LOGIN_HARNESS_CODE_CACHE_DIR;
  if (chosen) return path.resolve(chosen);
  const parent = path.dirname(packageRoot);
  return path.basename(parent) === 'node_modules'
    ? path.join(parent, '.cache', CACHE_DIR_NAME)
    : path.join(os.tmpdir(), `${CACHE_DIR_NAME}-${os.userInfo().uid}`);
}

/**
 * `<bundle name>-<package version>-<key>.v8`: the key changes with Node, its V8 flags (V8 rejects a
 * cache made under others: the CLI sets one, a test runner none, and each keeps its own) and the file.
 */
function cacheFileFor(dir: string, file: string, version: string): string {
  const { size, mtimeMs } = statSync(file);
  const key = createHash('sha256')
    .update([process.version, process.arch, v8FlagsFingerprint(), file, size, mtimeMs].join('\0'))
    .digest('hex')
    .slice(0, 16);
  return path.join(dir, `${path.basename(file, '.js')}-${version}-${key}.v8`);
}

function readCache(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Writes each cache that is missing or was rejected, atomically; removes those of other package versions. */
function writeCaches(scripts: readonly CachedScript[], version: string): void {
  for (const s of scripts) {
    if (!s.write) continue;
    try {
      const dir = path.dirname(s.file);
      mkdirSync(dir, { recursive: true });
      const temp = `${s.file}.${process.pid}.tmp`;
      writeFileSync(temp, s.script.createCachedData());
      renameSync(temp, s.file);
      // Caches of another version of the package are of no more use.
      const bundle = path.basename(s.file).slice(0, -'.v8'.length).split('-')[0];
      const current = `${bundle}-${version}-`;
      for (const name of readdirSync(dir)) {
        if (name.startsWith(`${bundle}-`) && name.endsWith('.v8') && !name.startsWith(current)) {
          unlinkSync(path.join(dir, name));
        }
      }
    } catch {
      // A read-only or full disk: the next process compiles without a cache, as without this.
    }
  }
}

/** The bundles compiled so far in this process, for {@link codeCacheState}. */
const loadedScripts: CachedScript[] = [];

/** How each of playwright-core's bundles was compiled here: from its cache file, or with one to write at exit. */
export function codeCacheState(): { file: string; fromCache: boolean }[] {
  return loadedScripts.map((s) => ({ file: s.file, fromCache: !s.write }));
}

/**
 * Requires playwright-core with its bundles compiled from V8's code cache (see above); returns
 * `undefined` where the cache cannot be used, and the caller requires the package as usual.
 */
function requireWithCodeCache(): typeof PlaywrightCore | undefined {
  if (process.env.LOGIN_HARNESS_NO_CODE_CACHE === '1') return undefined;
  let root: string;
  let version: string;
  try {
    const manifest = requireHere.resolve('playwright-core/package.json');
    root = path.dirname(manifest);
    version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
  const dir = cacheDirFor(root);
  const files = new Map<string, string>();
  try {
    for (const bundle of CACHED_BUNDLES) {
      const file = path.join(root, bundle);
      files.set(file, cacheFileFor(dir, file, version));
    }
  } catch {
    // Another layout of the package: no cache.
    return undefined;
  }
  const proto = Module.prototype as unknown as { _compile: Compile };
  const original = proto._compile;
  proto._compile = function compile(this: NodeJS.Module, content: string, filename: string): unknown {
    const cacheFile = files.get(filename);
    if (cacheFile === undefined) return original.call(this, content, filename);
    const cachedData = readCache(cacheFile);
    // The wrapper Node's loader puts around a CommonJS file; `import()` inside resolves as Node's would.
    const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) { ${content}\n})`, {
      filename,
      ...(cachedData ? { cachedData } : {}),
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    loadedScripts.push({
      script,
      file: cacheFile,
      write: cachedData === undefined || script.cachedDataRejected === true,
    });
    const fn = script.runInThisContext() as (...args: unknown[]) => unknown;
    return fn.call(this.exports, this.exports, createRequire(filename), this, filename, path.dirname(filename));
  };
  try {
    const loaded = requireHere('playwright-core') as typeof PlaywrightCore;
    if (loadedScripts.some((s) => s.write)) process.once('exit', () => writeCaches(loadedScripts, version));
    return loaded;
  } catch {
    // Node forgets a module whose loading threw: the caller's plain `require` starts over (and reports
    // the package's own error, if that was one).
    return undefined;
  } finally {
    proto._compile = original;
  }
}

/** `chromium` of playwright-core. */
export const chromium: typeof PlaywrightCore.chromium = (
  requireWithCodeCache() ?? (requireHere('playwright-core') as typeof PlaywrightCore)
).chromium;
