import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VERSION = (
  JSON.parse(readFileSync(createRequire(import.meta.url).resolve('playwright-core/package.json'), 'utf8')) as {
    version: string;
  }
).version;

interface Loaded {
  state: { file: string; fromCache: boolean }[];
  launch: string;
}

/** Loads the launcher in a new process (as the CLI does) and reports how its bundles were compiled. */
async function loadInNewProcess(env: Record<string, string>): Promise<Loaded> {
  const script =
    "const m = await import('./harness/browser/playwright-core.ts');" +
    'process.stdout.write(JSON.stringify({ state: m.codeCacheState(), launch: typeof m.chromium.launch }));';
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: ROOT, env: { ...process.env, LOGIN_HARNESS_NO_CODE_CACHE: '', ...env } },
  );
  return JSON.parse(stdout) as Loaded;
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pw-code-cache-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("playwright-core's code cache", () => {
  it('is written by the first process at exit, one file per bundle, and compiles the next process from it', async () => {
    const dir = tempDir();
    const first = await loadInNewProcess({ LOGIN_HARNESS_CODE_CACHE_DIR: dir });
    expect(first.launch).toBe('function');
    expect(first.state.map((s) => s.fromCache)).toEqual([false, false]);
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(new RegExp(`^coreBundle-${VERSION.replace(/\./g, '\\.')}-[0-9a-f]{12}-[0-9a-f]{8}\\.v8$`));
    expect(files[1]).toMatch(
      new RegExp(`^utilsBundle-${VERSION.replace(/\./g, '\\.')}-[0-9a-f]{12}-[0-9a-f]{8}\\.v8$`),
    );
    const written = new Map(files.map((f) => [f, statSync(path.join(dir, f)).mtimeMs]));

    const second = await loadInNewProcess({ LOGIN_HARNESS_CODE_CACHE_DIR: dir });
    expect(second.launch).toBe('function');
    expect(second.state).toEqual(first.state.map((s) => ({ ...s, fromCache: true })));
    // Nothing is written again when the caches were used.
    expect(new Map(readdirSync(dir).map((f) => [f, statSync(path.join(dir, f)).mtimeMs]))).toEqual(written);
  }, 60_000);

  it('writes again a cache V8 rejects, and removes the caches of other versions and of the old naming', async () => {
    const dir = tempDir();
    const first = await loadInNewProcess({ LOGIN_HARNESS_CODE_CACHE_DIR: dir });
    const core = first.state.find((s) => path.basename(s.file).startsWith('coreBundle-'))!.file;
    writeFileSync(core, Buffer.alloc(4096, 7));
    writeFileSync(path.join(dir, 'coreBundle-0.0.1-0123456789ab-01234567.v8'), 'other version');
    writeFileSync(path.join(dir, `coreBundle-${VERSION}-0123456789abcdef.v8`), 'old naming');
    // Made under other V8 flags (another test runner, a profiler): kept.
    const otherFlags = `coreBundle-${VERSION}-000000000000-00000000.v8`;
    writeFileSync(path.join(dir, otherFlags), 'other flags');

    const second = await loadInNewProcess({ LOGIN_HARNESS_CODE_CACHE_DIR: dir });
    expect(second.launch).toBe('function');
    expect(second.state.map((s) => [path.basename(s.file).split('-')[0], s.fromCache])).toEqual([
      ['coreBundle', false],
      ['utilsBundle', true],
    ]);
    expect(readFileSync(core).equals(Buffer.alloc(4096, 7))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual([...first.state.map((s) => path.basename(s.file)), otherFlags].sort());

    const third = await loadInNewProcess({ LOGIN_HARNESS_CODE_CACHE_DIR: dir });
    expect(third.state.every((s) => s.fromCache)).toBe(true);
  }, 60_000);

  it('is neither read nor written when turned off, and the launcher loads all the same', async () => {
    const dir = tempDir();
    const off = await loadInNewProcess({ LOGIN_HARNESS_CODE_CACHE_DIR: dir, LOGIN_HARNESS_NO_CODE_CACHE: '1' });
    expect(off).toEqual({ state: [], launch: 'function' });
    expect(readdirSync(dir)).toEqual([]);
  }, 60_000);
});
