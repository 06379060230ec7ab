import { describe, expect, it } from 'vitest';
import { buildReport, summarize } from './build.js';
import type { CheckResult, Report, TranscriptEntryModel } from './model.js';
import { checkedTranscript, REPORT_SCHEMA_VERSION } from './model.js';
import { REPORT_FORMATS } from './output.js';
import { catalogResults, makeReport } from './testing/fixtures.js';
import { renderHtml } from './writers/html.js';
import { renderJson } from './writers/json.js';
import { renderJunit } from './writers/junit.js';
import { renderMarkdown } from './writers/md.js';
import { renderSarif } from './writers/sarif.js';

/** What may differ between two runs with the same seed: times and durations, nothing else. */
function withoutTimes(report: Report): unknown {
  const { startedAt: _s, finishedAt: _f, durationMs: _d, ...rest } = report;
  return {
    ...rest,
    results: rest.results.map(({ startedAt: _rs, durationMs: _rd, transcript, ...r }) => ({
      ...r,
      transcript: transcript.map(({ at: _at, ...t }) => t),
    })),
  };
}

/** The same results as a second run would give them: same verdicts and evidence, other times. */
function rerun(results: CheckResult[]): CheckResult[] {
  return results.map((r, i) => ({
    ...r,
    startedAt: `2026-02-0${1 + (i % 9)}T08:00:00.000Z`,
    durationMs: r.durationMs * 3 + i,
    transcript: r.transcript.map((t) => ({ ...t, at: t.at + 1000 })),
  }));
}

describe('buildReport', () => {
  it('computes the summary and the duration from the ISO times', () => {
    const report = makeReport();
    expect(report.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    expect(report.tool.name).toBe('lexoffice-login-harness');
    expect(report.durationMs).toBe(3500);
    expect(report.summary).toEqual({
      total: 12,
      pass: 3,
      fail: 6,
      warn: 1,
      notApplicable: 1,
      error: 1,
      failBySeverity: { critical: 1, high: 2, medium: 2, low: 1, info: 0 },
    });
  });

  it('keeps the results in the order given and records the shard', () => {
    const results = catalogResults().reverse();
    const report = makeReport({ results, shard: { index: 2, count: 3 } });
    expect(report.results.map((r) => r.id)).toEqual(results.map((r) => r.id));
    expect(report.shard).toEqual({ index: 2, count: 3 });
  });

  it('refuses times that are not ISO and results the model does not allow, naming the path', () => {
    expect(() => makeReport({ startedAt: 'yesterday' })).toThrow(/ISO 8601/);
    const bad = { ...catalogResults()[0], verdict: 'maybe' } as unknown as CheckResult;
    expect(() => makeReport({ results: [bad] })).toThrow(/\$\.results\[0\]\.verdict/);
  });

  it('takes the transcripts the executor checked as they are, and names the path of one that did not pass', () => {
    const results = catalogResults().map((r) => ({ ...r, transcript: checkedTranscript(r.transcript) }));
    const i = results.findIndex((r) => r.transcript.length > 0);
    expect(Object.isFrozen(results[i]!.transcript[0])).toBe(true);
    const report = makeReport({ results });
    report.results.forEach((r, j) => expect(r.transcript).toBe(results[j]!.transcript));
    const wrong = [{ ...results[i]!.transcript[0]!, agent: 'carrier-pigeon' }] as unknown as TranscriptEntryModel[];
    const unchecked = checkedTranscript(wrong);
    expect(unchecked).toBe(wrong);
    const withWrong = results.map((r, j) => (j === i ? { ...r, transcript: unchecked } : r));
    expect(() => makeReport({ results: withWrong })).toThrow(
      new RegExp(`\\$\\.results\\[${i}\\]\\.transcript\\[0\\]\\.agent`),
    );
  });

  it('counts an empty run as zero everywhere', () => {
    expect(summarize([]).failBySeverity).toEqual({ critical: 0, high: 0, medium: 0, low: 0, info: 0 });
  });
});

describe('determinism', () => {
  it('two reports built from the same results differ only in times and durations', () => {
    const first = makeReport();
    const second = buildReport({
      mode: 'client',
      target: first.target,
      seed: first.seed,
      startedAt: '2026-02-01T08:00:00.000Z',
      finishedAt: '2026-02-01T08:00:09.000Z',
      status: 'complete',
      results: rerun(first.results),
    });
    expect(JSON.stringify(first)).not.toBe(JSON.stringify(second));
    expect(withoutTimes(second)).toEqual(withoutTimes(first));
  });

  it('a different verdict is a difference the comparison sees', () => {
    const first = makeReport();
    const changed = first.results.map((r, i) => (i === 0 ? { ...r, verdict: 'fail' as const } : r));
    expect(withoutTimes(makeReport({ results: changed }))).not.toEqual(withoutTimes(first));
  });

  it('every writer gives the same text for the same report', () => {
    const report = makeReport();
    const writers = [
      renderJson,
      renderJunit,
      (r: Report) => renderSarif(r),
      renderHtml,
      (r: Report) => renderMarkdown(r),
    ];
    expect(writers).toHaveLength(REPORT_FORMATS.length);
    for (const write of writers) expect(write(structuredClone(report))).toBe(write(report));
  });
});
