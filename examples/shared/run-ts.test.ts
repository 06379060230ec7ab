import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const LAUNCHER = fileURLToPath(new URL('./run-ts.mjs', import.meta.url));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lh-run-ts-'));
  // Its own node_modules: the cache goes there, not into the package's.
  await mkdir(path.join(dir, 'node_modules'));
  await mkdir(path.join(dir, 'app', 'lib'), { recursive: true });
  await writeFile(path.join(dir, 'app', 'lib', 'greeting.ts'), greeting('hello'));
  await writeFile(
    path.join(dir, 'app', 'main.ts'),
    [
      "import { fileURLToPath } from 'node:url';",
      "import { greet, libUrl } from './lib/greeting.js';",
      'const self: string = import.meta.url;',
      'console.log(JSON.stringify({ greeting: greet(process.argv[2] ?? "?"), self, libUrl, argv1: process.argv[1],',
      '  main: fileURLToPath(import.meta.url) === process.argv[1] }));',
    ].join('\n'),
  );
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function greeting(word: string): string {
  return [
    `export const greet = (name: string): string => \`${word} \${name}\`;`,
    'export const libUrl: string = import.meta.url;',
  ].join('\n');
}

/** Runs the program as a target.json does: `node <launcher> main.ts ARG` in its folder. */
async function start(arg = 'world'): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [LAUNCHER, 'main.ts', arg], { cwd: path.join(dir, 'app') });
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe('run-ts.mjs', () => {
  it('runs a TypeScript program whose files keep their own import.meta.url and which sees itself as argv[1]', async () => {
    const main = path.join(dir, 'app', 'main.ts');
    expect(await start('world')).toEqual({
      greeting: 'hello world',
      self: pathToFileURL(main).href,
      libUrl: pathToFileURL(path.join(dir, 'app', 'lib', 'greeting.ts')).href,
      argv1: main,
      main: true,
    });
    const cached = await readdir(path.join(dir, 'node_modules', '.cache', 'login-harness-run-ts'));
    expect(cached.some((f) => f.endsWith('.cjs'))).toBe(true);
  });

  it('runs an edit of an imported file on the next start, with no build step', async () => {
    expect((await start()).greeting).toBe('hello world');
    expect((await start()).greeting).toBe('hello world');
    await writeFile(path.join(dir, 'app', 'lib', 'greeting.ts'), greeting('goodbye'));
    expect((await start()).greeting).toBe('goodbye world');
  });

  it('gives each of several processes started together with a cold cache the whole program', async () => {
    const outs = await Promise.all(['a', 'b', 'c', 'd'].map((arg) => start(arg)));
    expect(outs.map((o) => o.greeting)).toEqual(['hello a', 'hello b', 'hello c', 'hello d']);
    const left = await readdir(path.join(dir, 'node_modules', '.cache', 'login-harness-run-ts'));
    expect(left.filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps a code cache made at the end of a normal run and starts from it, and none from a failed run', async () => {
    const cacheDir = path.join(dir, 'node_modules', '.cache', 'login-harness-run-ts');
    const runCaches = async (): Promise<string[]> => (await readdir(cacheDir)).filter((f) => f.endsWith('.run.v8'));
    await writeFile(path.join(dir, 'app', 'fails.ts'), "console.log('started');\nprocess.exitCode = 1;\n");
    const failed = await run(process.execPath, [LAUNCHER, 'fails.ts'], { cwd: path.join(dir, 'app') }).catch(
      (e: unknown) => e as { code?: number },
    );
    expect((failed as { code?: number }).code).toBe(1);
    expect(await runCaches()).toEqual([]);

    expect((await start('first')).greeting).toBe('hello first');
    const [made] = await runCaches();
    expect(made).toMatch(/\.cjs\.run\.v8$/);
    const bytes = await readFile(path.join(cacheDir, made));
    // Its header says how long the process that made it had run.
    expect(bytes.readDoubleLE(0)).toBeGreaterThan(0);
    expect((await start('second')).greeting).toBe('hello second');
  });

  it('reports a compile error with the file and line, and exits 1', async () => {
    await writeFile(path.join(dir, 'app', 'lib', 'greeting.ts'), 'export const greet = (name: string) => ;\n');
    const err = (await start().catch((e: unknown) => e)) as { code?: number; stderr?: string };
    expect(err.code).toBe(1);
    expect(err.stderr).toContain('lib/greeting.ts:1:');
  });
});
