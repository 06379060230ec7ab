/**
 * The command as a person runs it: `bin/login-harness.mjs` runs the code tsc compiled to dist/, which
 * differs from what vitest transforms (and from tsx, which keeps function names with `__name(...)`
 * wrappers). Whatever the browser agent runs inside a page has to survive that compilation, so this
 * test drives Chromium through the real command, not through the test's own module graph.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../reports/model.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'login-harness.mjs');
const LAB = path.join(ROOT, 'examples', 'labs', 'spa-leak-session-storage', 'target.json');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lh-browser-command-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the command to its end; its exit code is returned, not thrown. */
async function command(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await run(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, CI: 'true' } });
    return { code: 0, stderr };
  } catch (err) {
    const e = err as { code?: unknown; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stderr: e.stderr ?? '' };
  }
}

describe('login-harness audit in Chromium', () => {
  it('reads the sessionStorage of the tab the login ran in, where a browser app kept its refresh token', async () => {
    const out = path.join(dir, 'session-storage');
    const { code, stderr } = await command(['audit', LAB, '--only', 'leak.storage', '--out', out, '--quiet']);
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as Report;
    const result = report.results.find((r) => r.id === 'leak.storage');
    expect(result?.judgement?.finding, `${result?.summary ?? ''}\n${stderr}`).toBe('fail');
    expect(result?.summary).toContain('sessionStorage["lexoffice-login.grant"]');
    expect(result?.observations.map((o) => o.text)).toContainEqual(expect.stringMatching(/ 1 sessionStorage entries/));
    // The gate's default threshold is high; leak.storage is medium.
    expect(code).toBe(0);
  }, 120_000);
});
