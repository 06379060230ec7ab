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
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import type * as PlaywrightCore from 'playwright-core';
import {
  CODE_CACHE_KEY_SUFFIX,
  codeCacheDir,
  codeCacheDisabled,
  codeCacheKey,
  readCodeCache,
  writeCodeCache,
} from '../../core/code-cache.js';

const requireHere = createRequire(import.meta.url);

/** The bundles compiled with a code cache, relative to the package root. */
const CACHED_BUNDLES = ['lib/coreBundle.js', 'lib/utilsBundle.js'];

/** What `Module.prototype._compile` is, for the two files it is replaced for. */
type Compile = (this: NodeJS.Module, content: string, filename: string) => unknown;

interface CachedScript {
  script: vm.Script;
  file: string;
  /** Whether the cache file must be written at exit (there was none, or V8 rejected it). */
  write: boolean;
}

/** `<bundle name>-<package version>-<key>.v8` (core/code-cache.ts `codeCacheKey`). */
function cacheFileFor(dir: string, file: string, version: string): string {
  return path.join(dir, `${path.basename(file, '.js')}-${version}-${codeCacheKey(file)}.v8`);
}

/** Writes each cache that is missing or was rejected; removes those of other package versions. */
function writeCaches(scripts: readonly CachedScript[], version: string): void {
  for (const s of scripts) {
    if (!s.write) continue;
    const bundle = path.basename(s.file).slice(0, -'.v8'.length).split('-')[0];
    // Caches of another version of the package are of no more use, nor those named by the key of
    // earlier releases of the harness (16 hex digits, now `<build>-<flags>`).
    writeCodeCache(
      s.file,
      s.script.createCachedData(),
      (name) =>
        name.startsWith(`${bundle}-`) &&
        (!name.startsWith(`${bundle}-${version}-`) || !CODE_CACHE_KEY_SUFFIX.test(name)),
    );
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
  if (codeCacheDisabled()) return undefined;
  let root: string;
  let version: string;
  try {
    const manifest = requireHere.resolve('playwright-core/package.json');
    root = path.dirname(manifest);
    version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
  const dir = codeCacheDir(root);
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
    const cachedData = readCodeCache(cacheFile);
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
