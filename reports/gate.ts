/**
 * The CI gate: `--fail-on critical|high|medium|low` (default high) and a baseline of accepted findings.
 * Exit 1 when a failing check at or above the threshold is not accepted by a baseline entry that is
 * still valid, or when a check ended in `error` (whatever its severity) and neither `allowErrors`
 * (`--allow-errors`) nor a valid baseline entry accepts it: a check that could not judge the target
 * proved nothing, so the gate never passes on it. Otherwise 0. Warnings and not-applicable never fail
 * the gate; a run that broke as a whole is exit code 3, decided by the runner.
 */
import type { Baseline, BaselineEntry } from './baseline.js';
import { isExpired } from './baseline.js';
import type { CheckResult, Report } from './model.js';
import type { Severity } from './model.js';
import { atLeast } from './severity.js';

/** The threshold when `--fail-on` is not given. */
export const DEFAULT_FAIL_ON: Severity = 'high';

/** Options of {@link applyGate}. */
export interface GateOptions {
  failOn: Severity;
  baseline?: Baseline;
  /** The time expiry is judged at (tests freeze it). */
  now?: Date;
  /**
   * Let checks that ended in `error` pass the gate (`--allow-errors`). Off by default: an error means the
   * check could not observe anything, which is not evidence that the target is right.
   */
  allowErrors?: boolean;
}

/** What the gate decided. */
export interface GateResult {
  exitCode: 0 | 1;
  /** The report with `baselined` set on every accepted finding (and cleared on all others). */
  report: Report;
  /** Findings (fail or warn) and errors accepted by a valid baseline entry. */
  accepted: CheckResult[];
  /** Entries for this target whose date has passed; they no longer accept anything. */
  expiredBaselineEntries: BaselineEntry[];
  /** Findings that make the gate fail. */
  blocking: CheckResult[];
  /**
   * Checks that ended in `error` and no baseline entry accepts; they fail the gate unless `allowErrors`
   * is set (listed either way, so the summary can name them).
   */
  errored: CheckResult[];
}

/** Applies the threshold and the baseline to a report. Pure: the input report is not changed. */
export function applyGate(report: Report, opts: GateOptions): GateResult {
  const now = opts.now ?? new Date();
  const entries = (opts.baseline?.entries ?? []).filter((e) => e.target === report.target.name);
  const expiredBaselineEntries = entries.filter((e) => isExpired(e, now));
  const valid = new Map<string, BaselineEntry>();
  for (const e of entries) if (!isExpired(e, now) && !valid.has(e.check)) valid.set(e.check, e);

  const accepted: CheckResult[] = [];
  const blocking: CheckResult[] = [];
  const errored: CheckResult[] = [];
  const results = report.results.map((r) => {
    // Recomputed from scratch, so gating an already gated (or merged) report gives the same answer.
    const { baselined: _old, ...rest } = r;
    const entry = valid.get(r.id);
    // A baseline entry accepts a finding, and also a check that keeps ending in error (say, one that
    // needs a browser the CI machine cannot have), with the same justification and expiry.
    const isFinding = r.verdict === 'fail' || r.verdict === 'warn' || r.verdict === 'error';
    const out: CheckResult =
      entry && isFinding
        ? { ...rest, baselined: { justification: entry.justification, expires: entry.expires } }
        : rest;
    if (out.baselined) accepted.push(out);
    else if (out.verdict === 'fail' && atLeast(out.severity, opts.failOn)) blocking.push(out);
    else if (out.verdict === 'error') errored.push(out);
    return out;
  });
  return {
    exitCode: blocking.length > 0 || (errored.length > 0 && opts.allowErrors !== true) ? 1 : 0,
    report: { ...report, results },
    accepted,
    expiredBaselineEntries,
    blocking,
    errored,
  };
}
