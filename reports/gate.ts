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
import type { CheckResult, PolicyName, Report, Verdict } from './model.js';
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
   * Valid entries made under another policy than the report's that met a finding, and whether they
   * still accepted it there (see {@link acceptsAcrossPolicies}).
   */
  crossPolicy: CrossPolicyEntry[];
  /**
   * Checks that ended in `error` and no baseline entry accepts; they fail the gate unless `allowErrors`
   * is set (listed either way, so the summary can name them).
   */
  errored: CheckResult[];
}

/** A baseline entry made under one policy, applied to a finding judged under another. */
export interface CrossPolicyEntry {
  entry: BaselineEntry & { policy: PolicyName };
  /** The policy the report was judged under. */
  reportPolicy: PolicyName;
  /** The finding's verdict under the entry's policy and under the report's. */
  entryVerdict: Verdict;
  reportVerdict: Verdict;
  accepted: boolean;
}

/** How bad a finding is, for comparing its verdicts under two policies. */
const FINDING_RANK: Partial<Record<Verdict, number>> = { warn: 1, fail: 2 };

/**
 * Whether an entry accepted under `entryPolicy` accepts `result` in a report judged under another
 * policy: when the finding is no worse now than it was under the entry's policy (a `fail` accepted
 * under `strict` covers a `warn`; a `warn` accepted under `rfc9700` does not cover a `fail`). A result
 * without a judgement has the same verdict under every policy.
 */
export function acceptsAcrossPolicies(
  result: CheckResult,
  entryPolicy: PolicyName,
): { accepted: boolean; entryVerdict: Verdict } {
  const entryVerdict = result.judgement?.verdicts[entryPolicy] ?? result.verdict;
  const now = FINDING_RANK[result.verdict] ?? 0;
  return { accepted: now <= (FINDING_RANK[entryVerdict] ?? 0), entryVerdict };
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
  const crossPolicy: CrossPolicyEntry[] = [];
  const errored: CheckResult[] = [];
  const results = report.results.map((r) => {
    // Recomputed from scratch, so gating an already gated (or merged) report gives the same answer.
    const { baselined: _old, ...rest } = r;
    const entry = valid.get(r.id);
    // A baseline entry accepts a finding, and also a check that keeps ending in error (say, one that
    // needs a browser the CI machine cannot have), with the same justification and expiry.
    const isFinding = r.verdict === 'fail' || r.verdict === 'warn' || r.verdict === 'error';
    let accepts = entry !== undefined && isFinding;
    if (entry?.policy && isFinding && entry.policy !== report.policy) {
      const across = acceptsAcrossPolicies(r, entry.policy);
      accepts = across.accepted;
      crossPolicy.push({
        entry: { ...entry, policy: entry.policy },
        reportPolicy: report.policy,
        entryVerdict: across.entryVerdict,
        reportVerdict: r.verdict,
        accepted: across.accepted,
      });
    }
    const out: CheckResult =
      entry && accepts
        ? {
            ...rest,
            baselined: {
              justification: entry.justification,
              expires: entry.expires,
              ...(entry.policy ? { policy: entry.policy } : {}),
            },
          }
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
    crossPolicy,
    errored,
  };
}

/**
 * What a command prints about the baseline after gating: entries that expired, and entries applied
 * under another policy than the one they were made under (whether they still accepted the finding).
 */
export function baselineNotes(gate: Pick<GateResult, 'expiredBaselineEntries' | 'crossPolicy'>): string[] {
  const notes = gate.expiredBaselineEntries.map(
    (e) => `baseline entry for ${e.check} expired on ${e.expires}; it no longer counts`,
  );
  for (const c of gate.crossPolicy) {
    const head = `baseline entry for ${c.entry.check} was made under policy ${c.entry.policy} (${c.entryVerdict} there); this run is judged under ${c.reportPolicy} (${c.reportVerdict})`;
    notes.push(
      c.accepted
        ? `${head}: it still accepts the finding`
        : `${head}: it does not accept the finding, which is worse under ${c.reportPolicy}; accept it again under ${c.reportPolicy} if that is intended`,
    );
  }
  return notes;
}
