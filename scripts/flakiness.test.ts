import { describe, expect, it } from 'vitest';
import { normalizeReportForComparison } from '../harness/runner/determinism.js';
import { makeReport, makeResult } from '../reports/testing/fixtures.js';
import { describeReportDifference, differingChecks } from './flakiness.js';

describe('the flakiness comparison', () => {
  it('names the checks whose verdict changed, and only those', () => {
    expect(differingChecks({ a: 'pass', b: 'fail', c: 'warn' }, { a: 'pass', b: 'pass', d: 'pass' })).toEqual([
      'b',
      'c',
      'd',
    ]);
  });

  it('names the first result whose summary changed while the verdict stayed, with both summaries', () => {
    const report = (summary: string) =>
      normalizeReportForComparison(
        makeReport({
          results: [
            makeResult({ id: 'state.present', verdict: 'pass', summary: 'same' }),
            makeResult({ id: 'refresh.rotation', verdict: 'pass', summary }),
          ],
        }),
      );
    expect(describeReportDifference(report('2 refreshes'), report('3 refreshes'))).toBe(
      'refresh.rotation differs in summary: "3 refreshes"; run 1: "2 refreshes"',
    );
    expect(describeReportDifference(report('x'), report('x'))).toBe('the report header or the set of results differs');
  });
});
