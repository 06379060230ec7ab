import { describe, expect, it } from 'vitest';
import { diffReports, diffToJson, formatDiff } from './diff.js';
import type { CheckResult } from './model.js';
import { makeReport, makeResult } from './testing/fixtures.js';

const r = (id: string, verdict: CheckResult['verdict'], severity: CheckResult['severity'] = 'high') =>
  makeResult({ id, verdict, severity, summary: `${id} is ${verdict}` });

const oldReport = makeReport({
  results: [
    r('state.present', 'fail'),
    r('pkce.s256', 'fail'),
    r('leak.logs', 'warn', 'medium'),
    r('nonce.present', 'fail', 'low'),
    r('scope.minimal', 'pass'),
  ],
});
const newReport = makeReport({
  results: [
    r('state.present', 'pass'),
    r('pkce.s256', 'fail'),
    r('leak.logs', 'warn', 'medium'),
    r('nonce.present', 'error', 'low'),
    r('scope.minimal', 'fail', 'low'),
    r('leak.url', 'warn'),
  ],
});

describe('diff', () => {
  it('sorts findings into new, fixed and unchanged by check id', () => {
    const d = diffReports(oldReport, newReport);
    expect(d.new.map((x) => x.id)).toEqual(['scope.minimal', 'leak.url']);
    expect(d.fixed.map((x) => x.id)).toEqual(['state.present']);
    expect(d.unchanged.map((x) => x.id)).toEqual(['pkce.s256', 'leak.logs']);
    expect(d.notRechecked.map((x) => x.id)).toEqual(['nonce.present']);
  });

  it('finds nothing new between a report and itself', () => {
    const d = diffReports(newReport, newReport);
    expect(d.new).toEqual([]);
    expect(d.fixed).toEqual([]);
    expect(d.unchanged).toHaveLength(4);
  });

  it('formats each section with its count', () => {
    const text = formatDiff(diffReports(oldReport, newReport));
    expect(text).toContain(
      'New findings (2)\n  + [low] scope.minimal: scope.minimal is fail\n  + [high] leak.url (warning): leak.url is warn',
    );
    expect(text).toContain('Fixed (1)\n  - [high] state.present: state.present is fail');
    expect(text).toContain('Unchanged (2)');
    expect(text).toContain('Not re-checked (no verdict in the new report) (1)');
    expect(formatDiff(diffReports(oldReport, oldReport))).toContain('New findings (0)\n  none');
  });

  it('has a compact JSON form without evidence', () => {
    const json = diffToJson(diffReports(oldReport, newReport));
    expect(json.new[0]).toEqual({
      id: 'scope.minimal',
      title: makeResult().title,
      severity: 'low',
      verdict: 'fail',
      summary: 'scope.minimal is fail',
    });
    expect(JSON.stringify(json)).not.toContain('transcript');
  });
});
