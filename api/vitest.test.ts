import { describe, expect, it } from 'vitest';
import { makeReport, makeResult } from '../reports/testing/fixtures.js';
import { toPassLoginAudit } from './vitest.js';

function report(...results: Parameters<typeof makeResult>[0][]) {
  return makeReport({ results: results.map((r) => makeResult(r)) });
}

describe('toPassLoginAudit', () => {
  it('passes a report with no failure at or above the threshold and no check in error', () => {
    const r = report(
      { id: 'state.mismatch', verdict: 'pass' },
      { id: 'leak.logs', severity: 'medium', verdict: 'fail' },
    );
    expect(r).toPassLoginAudit({ failOn: 'high' });
    expect(() => expect(r).toPassLoginAudit({ failOn: 'medium' })).toThrow(/leak\.logs/);
  });

  it('fails with a message listing each finding, what was observed and the exchanges behind it', () => {
    const r = report(
      {
        id: 'state.mismatch',
        severity: 'high',
        verdict: 'fail',
        summary: 'The client redeemed a code whose state was altered.',
        observations: [{ text: 'callback with state=XXX answered 302 to /me' }],
      },
      { id: 'pkce.present', verdict: 'pass' },
    );
    const result = toPassLoginAudit(r, { failOn: 'high' });
    expect(result.pass).toBe(false);
    const message = result.message();
    expect(message).toContain('1 failure(s) at or above high');
    expect(message).toContain('✗ state.mismatch (fail, high): The client redeemed a code whose state was altered.');
    expect(message).toContain('observed: callback with state=XXX answered 302 to /me');
    expect(message).toMatch(/evidence: \d+ exchange\(s\), last: (GET|POST) /);
    expect(message).not.toContain('pkce.present');
  });

  it('fails on a check in error unless allowErrors, and names why it could not run', () => {
    const r = report({ id: 'leak.storage', severity: 'low', verdict: 'error', summary: 'no Chromium found' });
    const result = toPassLoginAudit(r, { failOn: 'critical' });
    expect(result.pass).toBe(false);
    expect(result.message()).toContain('leak.storage (error, low): no Chromium found');
    expect(toPassLoginAudit(r, { failOn: 'critical', allowErrors: true }).pass).toBe(true);
  });

  it('fails a run that did not complete, and anything that is not a report', () => {
    const r = makeReport({ status: 'interrupted', results: [makeResult({ verdict: 'pass' })] });
    expect(toPassLoginAudit(r).pass).toBe(false);
    expect(toPassLoginAudit(r).message()).toContain('did not complete (interrupted)');
    expect(toPassLoginAudit({ results: 'nope' }).pass).toBe(false);
  });
});
