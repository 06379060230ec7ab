import { describe, expect, it } from 'vitest';
import { buildReport } from '../../reports/build.js';
import type { CheckResult } from '../../reports/model.js';
import { normalizeReportForComparison } from './determinism.js';

function run(at: number, port: number, cookie: string, timedChecks = ['state.present']) {
  const result: CheckResult = {
    id: 'state.present',
    title: 't',
    severity: 'high',
    verdict: 'pass',
    summary: `state sent to http://127.0.0.1:${port}/authorize`,
    references: [],
    must: '',
    rationale: '',
    remediation: '',
    observations: [{ text: 'observed', data: { cookie } }],
    transcript: [
      { seq: 1, at, agent: 'http', method: 'GET', url: `http://127.0.0.1:${port}/login`, requestHeaders: { cookie } },
    ],
    startedAt: new Date(at).toISOString(),
    durationMs: at % 97,
  };
  return buildReport({
    mode: 'client',
    target: { name: 'x', kind: 'web', profile: 'lexoffice', manifest: `/tmp/${at}/target.json` },
    seed: 1,
    startedAt: new Date(at).toISOString(),
    finishedAt: new Date(at + 5000 + (at % 13)).toISOString(),
    status: 'complete',
    results: [result],
    timings: {
      phases: [
        { name: 'provider', startMs: at % 7, durationMs: at % 11 },
        { name: 'checks', startMs: at % 5, durationMs: at % 17 },
      ],
      checks: timedChecks.map((id) => ({
        id,
        durationMs: at % 19,
        setupMs: 0,
        sessionMs: at % 3,
        loginMs: 1,
        waitMs: 2,
      })),
    },
  });
}

describe('normalizeReportForComparison', () => {
  it('makes two runs that differ only in times, ports and target-side randomness equal', () => {
    const a = normalizeReportForComparison(run(1_000_000, 40001, 'sid=aaa'));
    const b = normalizeReportForComparison(run(2_000_123, 51234, 'sid=bbb'));
    expect(a).toEqual(b);
    expect(a.results[0].summary).toBe('state sent to http://127.0.0.1:PORT/authorize');
  });

  it('keeps which checks were timed but not how long they took', () => {
    const a = normalizeReportForComparison(run(1_000_000, 40001, 'sid=aaa'));
    expect(a.timings?.checks).toEqual([
      { id: 'state.present', durationMs: 0, setupMs: 0, sessionMs: 0, loginMs: 0, waitMs: 0 },
    ]);
    const other = normalizeReportForComparison(run(1_000_000, 40001, 'sid=aaa', ['state.other']));
    expect(other).not.toEqual(a);
  });

  it('still tells different verdicts apart', () => {
    const a = run(1, 1, 'x');
    const b = run(1, 1, 'x');
    b.results[0].verdict = 'fail';
    expect(normalizeReportForComparison(a)).not.toEqual(normalizeReportForComparison(b));
  });

  it('keeps the evidence, with times zeroed, when asked', () => {
    const a = normalizeReportForComparison(run(1_000_000, 40001, 'sid=aaa'), { keepEvidence: true });
    expect(a.results[0].transcript[0]).toMatchObject({ at: 0, url: 'http://127.0.0.1:PORT/login' });
    expect(a.results[0].observations[0].data).toEqual({ cookie: 'sid=aaa' });
    expect(normalizeReportForComparison(run(1_000_000, 40001, 'sid=aaa')).results[0].observations).toEqual([]);
  });
});
