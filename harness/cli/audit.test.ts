import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../reports/model.js';
import type { CliIo } from './io.js';
import { main } from './main.js';

const LAB = fileURLToPath(new URL('../../examples/labs/state-mismatch/target.json', import.meta.url));

function capture(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    isTTY: false,
    env: { CI: 'true' },
    cwd: process.cwd(),
    out: () => out,
    err: () => err,
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lh-audit-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readReport(out: string): Promise<Report> {
  return JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as Report;
}

describe('login-harness audit', () => {
  it('audits the bundled reference client without arguments, writes the asked formats and exits 0', async () => {
    const out = path.join(dir, 'reference');
    const io = capture();
    const code = await main(['audit', '--only', 'state.present', '--out', out, '--format', 'junit'], io);
    expect(code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['report.json', 'report.junit.xml']);
    const report = await readReport(out);
    expect(report.target.name).toBe('reference-web');
    expect(report.results.map((r) => [r.id, r.verdict])).toEqual([['state.present', 'pass']]);
    expect(io.err()).toMatch(/^pass\s+state\.present \(\d+ ms\)$/m);
    expect(io.out()).toContain('reference-web');
  }, 60_000);

  it('exits 1 when a failure at or above the threshold remains, and 0 when its severity is lowered below it', async () => {
    const failing = path.join(dir, 'lab-high');
    const io = capture();
    expect(await main(['audit', LAB, '--only', 'state.mismatch', '--out', failing, '--quiet'], io)).toBe(1);
    expect((await readReport(failing)).results[0]).toMatchObject({
      id: 'state.mismatch',
      verdict: 'fail',
      severity: 'high',
    });
    expect(io.err()).toBe('');

    const lowered = path.join(dir, 'lab-low');
    const io2 = capture();
    expect(
      await main(
        ['audit', LAB, '--only', 'state.mismatch', '--severity', 'state.mismatch=low', '--out', lowered, '--quiet'],
        io2,
      ),
    ).toBe(0);
    expect((await readReport(lowered)).results[0]).toMatchObject({ verdict: 'fail', severity: 'low' });
  }, 90_000);

  it('exits 3 and still writes the report when the deadline passes', async () => {
    const out = path.join(dir, 'deadline');
    const io = capture();
    expect(await main(['audit', '--only', 'state.', '--deadline', '1', '--out', out, '--quiet'], io)).toBe(3);
    const report = await readReport(out);
    expect(report.status).toBe('deadline');
    expect(report.results.length).toBeGreaterThan(0);
    expect(report.results.every((r) => r.verdict === 'error')).toBe(true);
    expect(io.err()).toContain('did not complete (deadline)');
  }, 60_000);
  it('exits 1 and says how to install a browser when the browser is missing, and 0 with --allow-errors', async () => {
    const out = path.join(dir, 'no-browser');
    const missing = path.join(dir, 'no-such-chromium');
    const args = ['audit', '--only', 'leak.storage', '--browser', missing, '--out', out, '--quiet'];
    const io = capture();
    expect(await main(args, io)).toBe(1);
    expect((await readReport(out)).results[0]).toMatchObject({ id: 'leak.storage', verdict: 'error' });
    expect(io.err()).toContain('1 check(s) could not run, so the gate fails');
    expect(io.err()).toMatch(/leak\.storage \(\w+\): .*Chromium/);
    expect(io.err()).toContain('npx playwright install chromium');
    expect(io.err()).toContain('apt-get install chromium');

    const allowed = capture();
    expect(await main([...args, '--allow-errors'], allowed)).toBe(0);
    expect(allowed.err()).toContain('--allow-errors lets them pass the gate');
  }, 120_000);
});
