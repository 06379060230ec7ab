import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from './io.js';
import { main } from './main.js';

const FIXES = fileURLToPath(new URL('./testing/lab-fixes/', import.meta.url));

function capture(cwd: string): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    isTTY: false,
    env: { CI: 'true' },
    cwd,
    out: () => out,
    err: () => err,
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lh-lab-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `lab start state-mismatch` in `cwd` (a student's folder); returns the copy's server.ts. */
async function startLab(cwd: string): Promise<string> {
  const io = capture(cwd);
  expect(await main(['lab', 'start', 'state-mismatch', '.'], io)).toBe(0);
  return path.join(cwd, 'labs', 'state-mismatch', 'server.ts');
}

describe('login-harness lab', () => {
  it('starts a lab: copies it without the remediation and prints the exercise', async () => {
    const student = path.join(dir, 'start');
    const io = capture(dir);
    expect(await main(['lab', 'start', 'state-mismatch', 'start'], io)).toBe(0);
    expect(io.out()).toContain('Checks: state.mismatch');
    expect(io.out()).toContain('Open `server.ts`');
    expect(io.out()).not.toContain('Hint');
    const readme = await readFile(path.join(student, 'labs', 'state-mismatch', 'README.md'), 'utf8');
    expect(readme).toContain('## Your task');
    expect(readme).not.toContain('Remediation');
    expect(existsSync(path.join(student, 'labs', '_base', 'flow.ts'))).toBe(true);
    expect(existsSync(path.join(student, 'labs', '_base', 'base.test.ts'))).toBe(false);
    const again = capture(dir);
    expect(await main(['lab', 'start', 'state-mismatch', 'start'], again)).toBe(2);
    expect(again.err()).toContain('already exists');
  });

  it('hands out the hints one by one, the remediation last', async () => {
    const hints: string[] = [];
    for (let i = 0; i < 4; i++) {
      const h = capture(dir);
      expect(await main(['lab', 'hint', 'state-mismatch'], h)).toBe(0);
      hints.push(h.out());
    }
    expect(hints[0]).toMatch(/^Hint 1 of 3/);
    expect(hints[1]).toContain('`stateMatches`');
    expect(hints[2]).toMatch(/^Hint 3 of 3[\s\S]*Remediation: /);
    expect(hints[3]).toBe(hints[2]);
  });

  it('check exits 1 naming the failing check on the unfixed copy, 0 once fixed, and progress shows it solved', async () => {
    const student = path.join(dir, 'alice');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(student);
    const server = await startLab(student);

    const unfixed = capture(student);
    expect(await main(['lab', 'check'], unfixed)).toBe(1);
    expect(unfixed.out()).toMatch(/^FAIL state\.mismatch \(high\): /m);
    expect(unfixed.out()).toContain('what must hold: ');
    expect(unfixed.out()).toContain('Not fixed yet');

    await copyFile(path.join(FIXES, 'state-mismatch.server.ts.txt'), server);
    const fixed = capture(student);
    expect(await main(['lab', 'check', 'state-mismatch'], fixed)).toBe(0);
    expect(fixed.out()).toContain('Fixed: state.mismatch pass');

    const progress = capture(student);
    expect(await main(['lab', 'progress'], progress)).toBe(0);
    expect(progress.out()).toContain('Solved 1 of');
    expect(progress.out()).toMatch(/solved\s+state-mismatch/);
  }, 120_000);
});

describe('login-harness lab with a native-app lab (a driver)', () => {
  it('copies the reference app it builds on, points at driver.ts, and the unfixed copy fails its check', async () => {
    const student = path.join(dir, 'native');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(student);
    const io = capture(student);
    expect(await main(['lab', 'start', 'native-loopback-fixed-port', '.'], io)).toBe(0);
    expect(io.out()).toContain('(edit driver.ts there)');
    for (const file of [
      'labs/native-loopback-fixed-port/driver.ts',
      'reference-native/native-app.ts',
      'openid-client-web/flow.ts',
    ])
      expect(existsSync(path.join(student, file)), file).toBe(true);
    expect(existsSync(path.join(student, 'reference-native', 'driver.test.ts'))).toBe(false);

    const hint = capture(student);
    expect(await main(['lab', 'hint', 'native-loopback-fixed-port'], hint)).toBe(0);
    const second = capture(student);
    expect(await main(['lab', 'hint', 'native-loopback-fixed-port'], second)).toBe(0);
    expect(second.out()).toContain('`openRedirect`');
    expect(second.out()).toContain('../../reference-native/native-app.ts');

    const unfixed = capture(student);
    expect(await main(['lab', 'check'], unfixed)).toBe(1);
    expect(unfixed.out()).toMatch(/^FAIL native\.loopback-redirect \(low\): /m);
  }, 120_000);
});

describe('login-harness grade', () => {
  it('grades five submissions (fixed, unfixed, crashing, hanging, not starting) into the expected gradebook', async () => {
    const { mkdir } = await import('node:fs/promises');
    const root = path.join(dir, 'class');
    const submissions: Record<string, string | undefined> = {
      alice: 'state-mismatch.server.ts.txt',
      bob: undefined,
      carol: 'crash.server.ts.txt',
      dave: 'hang.server.ts.txt',
      erin: 'no-start.server.ts.txt',
    };
    for (const [student, fix] of Object.entries(submissions)) {
      const folder = path.join(root, student);
      await mkdir(folder, { recursive: true });
      const server = await startLab(folder);
      if (fix) await copyFile(path.join(FIXES, fix), server);
    }
    const out = path.join(dir, 'gradebook');
    const io = capture(dir);
    const code = await main(
      ['grade', root, '--labs', 'state-mismatch', '--timeout', '4000', '--deadline', '30000', '--out', out],
      io,
    );
    expect(code, io.err()).toBe(0);
    const book = JSON.parse(await readFile(path.join(out, 'gradebook.json'), 'utf8')) as {
      rows: Array<{ student: string; status: string; score: number; reason: string }>;
    };
    expect(book.rows.map((r) => [r.student, r.status, r.score])).toEqual([
      ['alice', 'solved', 1],
      ['bob', 'unsolved', 0],
      ['carol', 'error', 0],
      ['dave', 'error', 0],
      ['erin', 'error', 0],
    ]);
    for (const r of book.rows.filter((x) => x.status === 'error')) expect(r.reason).not.toBe('');
    const csv = await readFile(path.join(out, 'gradebook.csv'), 'utf8');
    expect(csv.split('\n')[0]).toBe('student,lab,status,score,checks,reason');
    expect(csv).toMatch(/^bob,state-mismatch,unsolved,0,state\.mismatch=fail,$/m);
    const html = await readFile(path.join(out, 'gradebook.html'), 'utf8');
    expect(html).toContain('<th>alice</th><td class="solved"');
    expect(io.out()).toContain('1 solved, 1 unsolved, 3 error, 0 missing');
  }, 240_000);
});
