/**
 * Comparing two runs: the same seed must give the same verdicts, but wall-clock times, durations and
 * loopback ports legitimately differ, and so does the evidence the target itself randomises (its
 * state values, verifiers and session cookies are its own, not the harness's seed). This strips
 * exactly those, so tests and `bench/` can compare reports with `toEqual`.
 */
import type { Report } from '../../reports/model.js';

/** What {@link normalizeReportForComparison} returns. */
export type ComparableReport = Omit<Report, 'startedAt' | 'finishedAt' | 'durationMs' | 'results' | 'target'> & {
  target: Omit<Report['target'], 'manifest'>;
  results: Array<Omit<Report['results'][number], 'startedAt' | 'durationMs'>>;
};

/** Options of {@link normalizeReportForComparison}. */
export interface NormalizeOptions {
  /**
   * Keep observations and transcripts (times zeroed, ports masked). Off by default: they quote the
   * target's own random values (its state in a callback URL, its session cookie) and HTTP dates, so
   * they differ between runs even when every verdict and summary is the same.
   */
  keepEvidence?: boolean;
}

const LOOPBACK_PORT = /\b(127\.0\.0\.1|localhost|\[::1\]):\d+/g;

/**
 * Returns a copy of `report` without `startedAt`, `finishedAt`, `durationMs` (report and results) and
 * the manifest path, with every number of `timings` zeroed, with loopback ports replaced by `:PORT`, and (unless `keepEvidence`) without
 * observations and transcripts. Verdicts, severities, error kinds, summaries and the counts are kept.
 */
export function normalizeReportForComparison(report: Report, opts: NormalizeOptions = {}): ComparableReport {
  const { startedAt: _s, finishedAt: _f, durationMs: _d, results, target, timings, ...rest } = report;
  const { manifest: _m, ...stableTarget } = target;
  const stripped: ComparableReport = {
    ...rest,
    // Which phases and checks were timed is part of the run; how long they took is not.
    ...(timings
      ? {
          timings: {
            phases: timings.phases.map((p) => ({ ...p, startMs: 0, durationMs: 0 })),
            checks: timings.checks.map((c) => ({
              id: c.id,
              durationMs: 0,
              setupMs: 0,
              sessionMs: 0,
              loginMs: 0,
              waitMs: 0,
            })),
          },
        }
      : {}),
    target: stableTarget,
    results: results.map(({ startedAt: _rs, durationMs: _rd, ...r }) =>
      opts.keepEvidence
        ? { ...r, transcript: r.transcript.map((e) => ({ ...e, at: 0 })) }
        : { ...r, transcript: [], observations: [] },
    ),
  };
  return JSON.parse(JSON.stringify(stripped).replace(LOOPBACK_PORT, '$1:PORT')) as ComparableReport;
}
