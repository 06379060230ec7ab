import { describe, expect, it } from 'vitest';
import type { Baseline } from './baseline.js';
import { applyGate } from './gate.js';
import { makeReport, makeResult } from './testing/fixtures.js';

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
