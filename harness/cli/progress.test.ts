import { describe, expect, it } from 'vitest';
import type { CheckResult, RunnerEvent } from '../../reports/model.js';
import type { CliIo } from './io.js';
import { progressReporter } from './progress.js';

function io(isTTY: boolean, env: Record<string, string> = {}): CliIo & { err: () => string } {
  let err = '';
  return { stdout: () => {}, stderr: (t) => void (err += t), isTTY, env, cwd: '/', err: () => err };
}

const result = (id: string, verdict: CheckResult['verdict']): CheckResult => ({
  id,
  title: id,
  severity: 'high',
  verdict,
  summary: '',
  references: [],
  must: '',
  rationale: '',
  remediation: '',
  observations: [],
  transcript: [],
  startedAt: new Date(0).toISOString(),
  durationMs: 12,
});

const events: RunnerEvent[] = [
  {
    type: 'run-start',
    target: { name: 'acme', kind: 'web', profile: 'lexoffice' },
    seed: 1,
    mode: 'client',
    checkIds: ['a', 'b'],
    startedAt: new Date(0).toISOString(),
  },
  { type: 'check-start', id: 'a' },
  { type: 'check-start', id: 'b' },
  { type: 'check-end', result: result('a', 'pass') },
  { type: 'check-end', result: result('b', 'fail') },
];

describe('progressReporter', () => {
  it('keeps one updating line on an interactive terminal and clears it at the end', () => {
    const out = io(true);
    const p = progressReporter(out, { quiet: false });
    for (const e of events) p.onEvent(e);
    p.done();
    expect(out.err()).not.toContain('\n');
    expect(out.err()).toContain('[2/2] pass 1  fail 1');
    expect(out.err().endsWith('\r\x1b[2K')).toBe(true);
  });

  it('prints one plain line per finished check in CI, even on a terminal', () => {
    const out = io(true, { CI: 'true' });
    const p = progressReporter(out, { quiet: false });
    for (const e of events) p.onEvent(e);
    p.done();
    expect(out.err()).not.toContain('\r');
    expect(out.err().trimEnd().split('\n')).toEqual([
      'login-harness: auditing acme (web), 2 checks, seed 1',
      'pass           a (12 ms)',
      'fail           b (12 ms)',
    ]);
  });

  it('prints nothing with --quiet', () => {
    const out = io(false);
    const p = progressReporter(out, { quiet: true });
    for (const e of events) p.onEvent(e);
    p.done();
    expect(out.err()).toBe('');
  });
});
