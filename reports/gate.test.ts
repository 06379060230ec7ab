import { describe, expect, it } from 'vitest';
import type { Baseline } from './baseline.js';
import { applyGate, baselineNotes } from './gate.js';
import type { PolicyName, Report } from './model.js';
import { makeJudgement, makeReport, makeResult } from './testing/fixtures.js';

const NOW = new Date('2026-06-01T12:00:00Z');

function report(...results: Parameters<typeof makeResult>[0][]) {
  return makeReport({ results: results.map((r) => makeResult(r)) });
}

describe('gate', () => {
  it('fails on a failing check at the threshold and passes below it', () => {
    const r = report({ id: 'leak.logs', severity: 'medium', verdict: 'fail' });
    expect(applyGate(r, { failOn: 'high', now: NOW }).exitCode).toBe(0);
    expect(applyGate(r, { failOn: 'medium', now: NOW }).exitCode).toBe(1);
    expect(applyGate(r, { failOn: 'low', now: NOW }).exitCode).toBe(1);
    expect(
      applyGate(report({ severity: 'critical', verdict: 'fail' }), { failOn: 'critical', now: NOW }).exitCode,
    ).toBe(1);
    expect(applyGate(report({ severity: 'high', verdict: 'fail' }), { failOn: 'critical', now: NOW }).exitCode).toBe(0);
  });

  it('never fails on warnings or not-applicable', () => {
    const r = report(
      { id: 'a.warn', severity: 'critical', verdict: 'warn' },
      { id: 'a.na', severity: 'critical', verdict: 'not-applicable' },
      { id: 'a.pass', severity: 'critical', verdict: 'pass' },
    );
    const gate = applyGate(r, { failOn: 'low', now: NOW });
    expect(gate.exitCode).toBe(0);
    expect(gate.blocking).toEqual([]);
    expect(gate.errored).toEqual([]);
  });

  it('fails on a check that ended in error, whatever its severity and the threshold', () => {
    const r = report(
      { id: 'a.err', severity: 'info', verdict: 'error', errorKind: 'configuration' },
      { id: 'a.pass', severity: 'critical', verdict: 'pass' },
    );
    const gate = applyGate(r, { failOn: 'critical', now: NOW });
    expect(gate.exitCode).toBe(1);
    expect(gate.blocking).toEqual([]);
    expect(gate.errored.map((e) => e.id)).toEqual(['a.err']);
  });

  it('lets errors pass with allowErrors and still lists them', () => {
    const r = report({ id: 'a.err', severity: 'high', verdict: 'error', errorKind: 'target' });
    const gate = applyGate(r, { failOn: 'high', allowErrors: true, now: NOW });
    expect(gate.exitCode).toBe(0);
    expect(gate.errored.map((e) => e.id)).toEqual(['a.err']);
    // allowErrors never hides a real failure.
    const failing = report({ id: 'a.err', verdict: 'error' }, { id: 'b.fail', severity: 'high', verdict: 'fail' });
    expect(applyGate(failing, { failOn: 'high', allowErrors: true, now: NOW }).exitCode).toBe(1);
  });

  it('accepts a check in error through a valid baseline entry, and not after its expiry', () => {
    const r = report({ id: 'leak.storage', severity: 'medium', verdict: 'error', errorKind: 'configuration' });
    const entry = { check: 'leak.storage', target: r.target.name, justification: 'no browser on this runner' };
    const valid = applyGate(r, {
      failOn: 'high',
      baseline: { version: 1, entries: [{ ...entry, expires: '2026-12-31' }] },
      now: NOW,
    });
    expect(valid.exitCode).toBe(0);
    expect(valid.accepted.map((a) => a.id)).toEqual(['leak.storage']);
    expect(valid.errored).toEqual([]);
    const expired = applyGate(r, {
      failOn: 'high',
      baseline: { version: 1, entries: [{ ...entry, expires: '2026-01-31' }] },
      now: NOW,
    });
    expect(expired.exitCode).toBe(1);
    expect(expired.errored.map((e) => e.id)).toEqual(['leak.storage']);
  });

  it('accepts a finding through a valid baseline entry and marks it in the report', () => {
    const r = report({ id: 'leak.logs', severity: 'high', verdict: 'fail' }, { id: 'state.mismatch', verdict: 'pass' });
    const baseline: Baseline = {
      version: 1,
      entries: [
        { check: 'leak.logs', target: 'acme-invoicing', justification: 'tracked in #12', expires: '2026-06-01' },
      ],
    };
    const gate = applyGate(r, { failOn: 'high', baseline, now: NOW });
    expect(gate.exitCode).toBe(0);
    expect(gate.accepted.map((x) => x.id)).toEqual(['leak.logs']);
    expect(gate.report.results[0].baselined).toEqual({ justification: 'tracked in #12', expires: '2026-06-01' });
    expect(gate.report.results[1].baselined).toBeUndefined();
    expect(r.results[0].baselined).toBeUndefined();
    expect(gate.expiredBaselineEntries).toEqual([]);
  });

  it('stops counting an expired entry and reports it (frozen clock)', () => {
    const r = report({ id: 'leak.logs', severity: 'high', verdict: 'fail' });
    const baseline: Baseline = {
      version: 1,
      entries: [{ check: 'leak.logs', target: 'acme-invoicing', justification: 'tracked', expires: '2026-05-31' }],
    };
    const gate = applyGate(r, { failOn: 'high', baseline, now: NOW });
    expect(gate.exitCode).toBe(1);
    expect(gate.accepted).toEqual([]);
    expect(gate.report.results[0].baselined).toBeUndefined();
    expect(gate.expiredBaselineEntries).toEqual(baseline.entries);
  });

  it('ignores entries for other targets and recomputes stale baseline marks', () => {
    const r = report({
      id: 'leak.logs',
      severity: 'high',
      verdict: 'fail',
      baselined: { justification: 'old', expires: '2020-01-01' },
    });
    const baseline: Baseline = {
      version: 1,
      entries: [{ check: 'leak.logs', target: 'other-app', justification: 'not ours', expires: '2099-01-01' }],
    };
    const gate = applyGate(r, { failOn: 'high', baseline, now: NOW });
    expect(gate.exitCode).toBe(1);
    expect(gate.report.results[0].baselined).toBeUndefined();
    expect(gate.expiredBaselineEntries).toEqual([]);
  });
});

describe('gate: baseline entries and policies', () => {
  /** state.entropy judged under `policy`: warn under rfc9700 and fapi2, fail under strict. */
  function judged(policy: PolicyName): Report {
    const verdicts = { rfc9700: 'warn', strict: 'fail', fapi2: 'warn' } as const;
    const result = makeResult({
      id: 'state.entropy',
      severity: 'high',
      verdict: verdicts[policy],
      judgement: makeJudgement({ policy, verdicts }),
    });
    return { ...makeReport({ results: [result] }), policy };
  }
  const entry = (policy?: PolicyName) => ({
    check: 'state.entropy',
    target: 'acme-invoicing',
    justification: 'PKCE and nonce bind the login',
    expires: '2099-01-01',
    ...(policy ? { policy } : {}),
  });

  it('accepts a finding under the policy the entry was made under, and records that policy', () => {
    const gate = applyGate(judged('strict'), {
      failOn: 'high',
      baseline: { version: 1, entries: [entry('strict')] },
      now: NOW,
    });
    expect(gate.exitCode).toBe(0);
    expect(gate.report.results[0].baselined).toEqual({
      justification: 'PKCE and nonce bind the login',
      expires: '2099-01-01',
      policy: 'strict',
    });
    expect(gate.crossPolicy).toEqual([]);
    expect(baselineNotes(gate)).toEqual([]);
  });

  it('lets an entry made under a stricter verdict cover the milder one of another policy, and says so', () => {
    const gate = applyGate(judged('rfc9700'), {
      failOn: 'high',
      baseline: { version: 1, entries: [entry('strict')] },
      now: NOW,
    });
    expect(gate.accepted.map((r) => r.id)).toEqual(['state.entropy']);
    expect(gate.crossPolicy).toMatchObject([
      { reportPolicy: 'rfc9700', entryVerdict: 'fail', reportVerdict: 'warn', accepted: true },
    ]);
    expect(baselineNotes(gate)).toEqual([
      'baseline entry for state.entropy was made under policy strict (fail there); this run is judged under rfc9700 (warn): it still accepts the finding',
    ]);
  });

  it('does not let a warning accepted under one policy cover the failure of a stricter one', () => {
    const gate = applyGate(judged('strict'), {
      failOn: 'high',
      baseline: { version: 1, entries: [entry('rfc9700')] },
      now: NOW,
    });
    expect(gate.exitCode).toBe(1);
    expect(gate.report.results[0].baselined).toBeUndefined();
    expect(gate.blocking.map((r) => r.id)).toEqual(['state.entropy']);
    expect(baselineNotes(gate)[0]).toContain(
      'was made under policy rfc9700 (warn there); this run is judged under strict (fail): it does not accept the finding',
    );
  });

  it('treats an entry without a policy as accepting the finding under any policy', () => {
    for (const policy of ['rfc9700', 'strict', 'fapi2'] as const) {
      const gate = applyGate(judged(policy), {
        failOn: 'high',
        baseline: { version: 1, entries: [entry()] },
        now: NOW,
      });
      expect(gate.exitCode, policy).toBe(0);
      expect(gate.report.results[0].baselined?.policy).toBeUndefined();
      expect(gate.crossPolicy).toEqual([]);
    }
  });

  it('applies an entry across policies to a finding without a judgement, whose verdict no policy changes', () => {
    const r = { ...report({ id: 'leak.logs', severity: 'high', verdict: 'fail' }), policy: 'strict' as const };
    const gate = applyGate(r, {
      failOn: 'high',
      baseline: { version: 1, entries: [{ ...entry('rfc9700'), check: 'leak.logs' }] },
      now: NOW,
    });
    expect(gate.exitCode).toBe(0);
    expect(gate.crossPolicy).toMatchObject([{ entryVerdict: 'fail', reportVerdict: 'fail', accepted: true }]);
  });

  it('names expired entries in its notes', () => {
    const gate = applyGate(judged('rfc9700'), {
      failOn: 'high',
      baseline: { version: 1, entries: [{ ...entry('rfc9700'), expires: '2020-01-01' }] },
      now: NOW,
    });
    expect(baselineNotes(gate)).toEqual([
      'baseline entry for state.entropy expired on 2020-01-01; it no longer counts',
    ]);
  });
});
