import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../reports/model.js';
import type { CliIo } from './io.js';
import { main } from './main.js';

const LAB = fileURLToPath(new URL('../../examples/labs/state-mismatch/target.json', import.meta.url));
const REFERENCE = fileURLToPath(new URL('../../examples/reference-web/target.json', import.meta.url));
/** A browser app: its checks always drive Chromium (a script-free web client's leak.storage needs none). */
const SPA = fileURLToPath(new URL('../../examples/reference-spa/target.json', import.meta.url));

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
    // pkce.s256 depends on no other check, so it runs alone.
    const code = await main(['audit', '--only', 'pkce.s256', '--out', out, '--format', 'junit'], io);
    expect(code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['report.json', 'report.junit.xml']);
    const report = await readReport(out);
    expect(report.target.name).toBe('reference-web');
    expect(report.results.map((r) => [r.id, r.verdict])).toEqual([['pkce.s256', 'pass']]);
    expect(report.policy).toBe('rfc9700');
    expect(io.err()).toMatch(/^pass\s+pkce\.s256 \(\d+ ms\)$/m);
    expect(io.out()).toContain('reference-web');
  }, 60_000);

  it('exits 1 when a failure at or above the threshold remains, and 0 when its severity is lowered below it', async () => {
    // The lab sends PKCE, which RFC 9700 2.1 lets a client rely on against CSRF: only strict fails it.
    const failing = path.join(dir, 'lab-high');
    const io = capture();
    const argv = ['audit', LAB, '--only', 'state.mismatch', '--policy', 'strict', '--quiet'];
    expect(await main([...argv, '--out', failing], io)).toBe(1);
    expect((await readReport(failing)).results.find((r) => r.id === 'state.mismatch')).toMatchObject({
      verdict: 'fail',
      severity: 'high',
    });
    expect(io.err()).toBe('');

    const lowered = path.join(dir, 'lab-low');
    const io2 = capture();
    expect(await main([...argv, '--severity', 'state.mismatch=low', '--out', lowered], io2)).toBe(0);
    expect((await readReport(lowered)).results.find((r) => r.id === 'state.mismatch')).toMatchObject({
      verdict: 'fail',
      severity: 'low',
    });
  }, 120_000);

  it('turns the same finding into a warning under the default policy, with the reasoning in the report', async () => {
    const out = path.join(dir, 'lab-default');
    const io = capture();
    expect(await main(['audit', LAB, '--only', 'state.mismatch', '--quiet', '--out', out], io)).toBe(0);
    const result = (await readReport(out)).results.find((r) => r.id === 'state.mismatch');
    expect(result?.verdict).toBe('warn');
    expect(result?.judgement).toMatchObject({
      policy: 'rfc9700',
      finding: 'fail',
      verdicts: { rfc9700: 'warn', strict: 'fail' },
    });
    expect(result?.judgement?.allowances.find((a) => a.held === 'yes')?.controls.length).toBeGreaterThan(0);
    // The console summary gives the reasoning under the finding.
    expect(io.out()).toMatch(/WARN +high +state\.mismatch .*\n +rfc9700: MUST of .*other policies strict: fail/);
  }, 120_000);

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

  it("judges under the manifest's policy, and under --policy when both are given", async () => {
    // The reference client's manifest, with a policy and its folder made absolute (it lives elsewhere now).
    const reference = JSON.parse(await readFile(REFERENCE, 'utf8')) as { start: { cwd: string } };
    reference.start.cwd = path.dirname(REFERENCE);
    const manifest = path.join(dir, 'strict-target.json');
    await writeFile(manifest, JSON.stringify({ ...reference, policy: 'strict' }));

    const fromFile = path.join(dir, 'policy-file');
    expect(await main(['audit', manifest, '--only', 'state.present', '--out', fromFile, '--quiet'], capture())).toBe(0);
    expect((await readReport(fromFile)).policy).toBe('strict');

    const fromFlag = path.join(dir, 'policy-flag');
    const argv = ['audit', manifest, '--only', 'state.present', '--policy', 'fapi2', '--out', fromFlag, '--quiet'];
    expect(await main(argv, capture())).toBe(0);
    expect((await readReport(fromFlag)).policy).toBe('fapi2');
  }, 90_000);

  it('refuses an unknown --policy with exit 2, listing the valid policies, before anything runs', async () => {
    const io = capture();
    const out = path.join(dir, 'never');
    expect(await main(['audit', '--policy', 'lenient', '--out', out], io)).toBe(2);
    expect(io.err()).toContain('--policy: unknown value "lenient" (valid: rfc9700, strict, fapi2)');
    await expect(readdir(out)).rejects.toThrow();
  });

  it('documents --policy in its help', async () => {
    const io = capture();
    expect(await main(['audit', '--help'], io)).toBe(0);
    expect(io.out()).toContain('--policy NAME');
    expect(io.out()).toContain('rfc9700, strict, fapi2');
    expect(io.out()).toContain('Overrides the manifest\'s "policy" field');
  });

  it('exits 1 and says how to install a browser when the browser is missing, and 0 with --allow-errors', async () => {
    const out = path.join(dir, 'no-browser');
    const missing = path.join(dir, 'no-such-chromium');
    const args = ['audit', SPA, '--only', 'leak.storage', '--browser', missing, '--out', out, '--quiet'];
    const io = capture();
    expect(await main(args, io)).toBe(1);
    expect((await readReport(out)).results[0]).toMatchObject({ id: 'leak.storage', verdict: 'error' });
    expect(io.err()).toContain('1 check(s) could not run, so the gate fails');
    expect(io.err()).toMatch(/leak\.storage \(\w+\): .*Chromium/);
    expect(io.err()).toContain('npx playwright install chromium');
    expect(io.err()).toContain('apt-get install chromium-headless-shell');

    const allowed = capture();
    expect(await main([...args, '--allow-errors'], allowed)).toBe(0);
    expect(allowed.err()).toContain('--allow-errors lets them pass the gate');
  }, 120_000);
});
