import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../reports/model.js';
import type { CliIo } from './io.js';
import { interruptOnSignals } from './audit-run.js';
import { main } from './main.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lh-audit-run-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** CI-style output (one progress line per finished check); the first finished check sends SIGINT. */
function interruptingIo(): CliIo & { err: () => string; out: () => string } {
  let out = '';
  let err = '';
  let sent = false;
  return {
    stdout: (t) => void (out += t),
    stderr: (t) => {
      err += t;
      // A progress line names a finished check; Ctrl-C then, as a person watching the run would.
      if (!sent && /\b(PASS|FAIL|WARN|N\/A|ERROR)\b/i.test(t)) {
        sent = true;
        process.emit('SIGINT', 'SIGINT');
      }
    },
    isTTY: false,
    env: { CI: 'true' },
    cwd: dir,
    out: () => out,
    err: () => err,
  };
}

async function readReport(out: string): Promise<Report> {
  return JSON.parse(await readFile(path.join(dir, out, 'report.json'), 'utf8')) as Report;
}

describe('the audit skeleton shared by audit and audit-provider', () => {
  it.each([
    ['audit', ['audit', '--concurrency', '1', '--only', 'state,pkce', '--out', 'client']],
    ['audit-provider', ['audit-provider', '--concurrency', '1', '--out', 'provider']],
  ])('%s: Ctrl-C stops the run, writes the partial report (status interrupted) and exits 3', async (_, argv) => {
    const io = interruptingIo();
    expect(await main(argv, io)).toBe(3);
    const report = await readReport(argv[argv.length - 1]);
    expect(report.status).toBe('interrupted');
    expect(report.results.length).toBeGreaterThan(0);
    expect(report.results.length).toBeLessThan(report.mode === 'client' ? 16 : 31);
    expect(io.err()).toContain('the run did not complete (interrupted)');
  });

  it('interrupts on the first SIGINT and removes its handlers when disposed', () => {
    const before = process.listeners('SIGINT');
    const interrupt = interruptOnSignals();
    const added = process.listeners('SIGINT').filter((l) => !before.includes(l));
    expect(added).toHaveLength(1);
    expect(interrupt.signal.aborted).toBe(false);
    process.emit('SIGINT', 'SIGINT');
    expect(interrupt.signal.aborted).toBe(true);
    interrupt.dispose();
    expect(process.listeners('SIGINT').filter((l) => !before.includes(l))).toEqual([]);
    expect(process.listeners('SIGTERM')).not.toContain(added[0]);
  });

  it.each([['audit'], ['audit-provider']])(
    '%s: refuses a check id that names no check with exit 2, suggesting the nearest',
    async (command) => {
      let err = '';
      const io: CliIo = {
        stdout: () => {},
        stderr: (t) => void (err += t),
        isTTY: false,
        env: { CI: 'true' },
        cwd: dir,
      };
      const typo = command === 'audit' ? 'state.mismatc' : 'provider.state.ech';
      expect(await main([command, '--only', typo, '--out', 'never'], io)).toBe(2);
      expect(err).toContain(`--only: no check has the id or prefix ${JSON.stringify(typo)}`);
      expect(err).toContain('did you mean');
    },
  );
});
