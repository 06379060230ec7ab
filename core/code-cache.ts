/**
 * V8 code caches of the large scripts the harness runs: playwright-core's bundles
 * (harness/browser/playwright-core.ts) and the CLI's own bundle (harness/cli/bundle-loader.ts).
 * Compiling those was a good part of every start; V8 can instead deserialize the compiled form a
 * previous process left.
 *
 * The caches live in `node_modules/.cache/login-harness-v8/` of the `node_modules` the code is installed
 * in (or of the checkout), else in the temporary folder; `LOGIN_HARNESS_CODE_CACHE_DIR` puts them
 * elsewhere (for a read-only `node_modules`) and `LOGIN_HARNESS_NO_CODE_CACHE=1` turns them off. A
 * cache's name includes Node's version and the process's V8 flags (V8 rejects a cache made under other
 * flags: the CLI sets one, a test runner none, and each keeps its own) and the script's size and
 * modification time, so a rebuilt or updated script gets a new one.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { v8FlagsFingerprint } from './v8-flags.js';

const CACHE_DIR_NAME = 'login-harness-v8';

/** Whether code caches are turned off (`LOGIN_HARNESS_NO_CODE_CACHE=1`). */
export function codeCacheDisabled(): boolean {
  return process.env.LOGIN_HARNESS_NO_CODE_CACHE === '1';
}

/**
 * Where the caches of the code in `packageRoot` live: `LOGIN_HARNESS_CODE_CACHE_DIR` when set; else
 * `.cache/` of the `node_modules` the package is installed in, or of the package's own `node_modules`
 * (a checkout); else the temporary folder.
 */
export function codeCacheDir(packageRoot: string): string {
  const chosen = process.env.LOGIN_HARNESS_CODE_CACHE_DIR;
  if (chosen) return path.resolve(chosen);
  const parent = path.dirname(packageRoot);
  if (path.basename(parent) === 'node_modules') return path.join(parent, '.cache', CACHE_DIR_NAME);
  const own = path.join(packageRoot, 'node_modules');
  if (existsSync(own)) return path.join(own, '.cache', CACHE_DIR_NAME);
  return path.join(os.tmpdir(), `${CACHE_DIR_NAME}-${os.userInfo().uid}`);
}

/**
 * The key of `file` as this process would compile it: `<build>-<flags>`, where `build` changes with
 * Node's version and architecture and the file's path, size and modification time, and `flags` with
 * the V8 flags. Throws when the file cannot be read.
 */
export function codeCacheKey(file: string): string {
  const { size, mtimeMs } = statSync(file);
  return `${hash([process.version, process.arch, file, size, mtimeMs].join('\0'), 12)}-${hash(v8FlagsFingerprint(), 8)}`;
}

/** The end of a cache file name made with {@link codeCacheKey}: `-<build>-<flags>.v8`. */
export const CODE_CACHE_KEY_SUFFIX = /-[0-9a-f]{12}-[0-9a-f]{8}\.v8$/;

function hash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** A short hash of a script's path, which keeps the caches of two copies of a package apart. */
export function pathTag(file: string): string {
  return hash(file, 8);
}

/** The bytes of a cache file, or undefined when there is none. */
export function readCodeCache(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Writes a cache file atomically (a temporary file of this process renamed over it), then removes the
 * other caches (`.v8`) in its folder that `isStale` names (made for an older script). Returns false
 * where nothing could be written (a read-only or full disk): the next process compiles as without a
 * cache.
 */
export function writeCodeCache(file: string, data: Uint8Array, isStale?: (name: string) => boolean): boolean {
  const dir = path.dirname(file);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(temp, data);
    renameSync(temp, file);
  } catch {
    try {
      unlinkSync(temp);
    } catch {
      // Never written.
    }
    return false;
  }
  if (isStale !== undefined) {
    try {
      const own = path.basename(file);
      for (const name of readdirSync(dir)) {
        if (name !== own && name.endsWith('.v8') && isStale(name)) unlinkSync(path.join(dir, name));
      }
    } catch {
      // Another process removed the same files.
    }
  }
  return true;
}
