/**
 * The run's judge: turns each check's finding into its verdict under the run's policy, once the
 * compensating controls it depends on have finished. Checks still run concurrently: only the
 * announcement of a result whose verdict depends on another check waits for that check, and the
 * report is judged as a whole at the end of the run.
 */
import { DEFAULT_POLICY, type CheckResult, type PolicyName, type Reference } from '../../reports/model.js';
import type { CheckCatalog, CheckMeta, Requirement, TargetFact } from '../check.js';
import { judge, requirementUnder, type ControlResult } from './policy.js';

/** The requirement each result was judged against: the outcome's, else the check's. */
const requirements = new WeakMap<CheckResult, Requirement>();

/** Records which requirement a result's finding is about (the executor calls it as it builds results). */
export function attachRequirement(result: CheckResult, requirement: Requirement | undefined): void {
  if (requirement) requirements.set(result, requirement);
}

/** A finished result as a control of other checks sees it. */
function controlResult(result: CheckResult): ControlResult {
  const level = result.verdict === 'fail' ? requirements.get(result)?.level : undefined;
  return {
    verdict: result.verdict,
    ...(result.errorKind ? { errorKind: result.errorKind } : {}),
    ...(level ? { level } : {}),
  };
}

/** What the judge of a run needs. */
export interface JudgeOptions {
  policy: PolicyName;
  facts: ReadonlySet<TargetFact>;
  /** Resolves a reference key to its link (the catalog's table). */
  resolve(key: string): Reference;
}

/** The judging of a run over `catalog`'s reference table: `policy` (default `rfc9700`) and the target's facts. */
export function judgingOf(
  catalog: Pick<CheckCatalog<CheckMeta>, 'resolve'>,
  policy: PolicyName = DEFAULT_POLICY,
  facts: ReadonlySet<TargetFact> = new Set(),
): JudgeOptions {
  return {
    policy,
    facts,
    resolve: (key) => catalog.resolve?.(key) ?? { key, url: '', label: key },
  };
}

/** The ids of the checks a requirement's verdict depends on, under any policy. */
export function controlsOf(requirement: Requirement | undefined): string[] {
  if (!requirement) return [];
  const ids = new Set<string>();
  for (const policy of ['rfc9700', 'fapi2'] as const) {
    const r = requirementUnder(policy, requirement);
    for (const a of r.allowances ?? []) for (const c of a.controls ?? []) ids.add(c);
    for (const c of r.precondition?.controls ?? []) ids.add(c);
  }
  return [...ids];
}

/**
 * Judges results as they arrive. {@link Judge.accept} takes a finished (unjudged) result and returns
 * the results that can now be announced, judged: a result whose finding is `fail` and whose verdict
 * depends on checks of the run that have not finished waits for them. {@link Judge.finish} judges
 * what is left at the end of the run (a control that never finished counts as not run).
 */
export interface Judge {
  accept(result: CheckResult): CheckResult[];
  finish(results: readonly CheckResult[]): CheckResult[];
}

/** Creates the judge of a run whose checks are `checkIds`. */
export function createJudge(opts: JudgeOptions, checkIds: readonly string[]): Judge {
  const inRun = new Set(checkIds);
  const findings = new Map<string, ControlResult>();
  const waiting = new Map<string, CheckResult>();
  const judged = new Map<string, CheckResult>();

  const judgeOne = (result: CheckResult): CheckResult => {
    const requirement = requirements.get(result);
    if (!requirement) return result;
    const decision = judge(opts.policy, {
      finding: result.verdict,
      requirement,
      facts: opts.facts,
      control: (id) => findings.get(id),
      resolve: opts.resolve,
    });
    const out: CheckResult = { ...result, verdict: decision.verdict, judgement: decision.judgement };
    if (decision.verdict === 'error') {
      out.errorKind = decision.errorKind ?? result.errorKind ?? 'harness';
      if (result.verdict !== 'error') out.summary = `${result.summary} Verdict undecided: ${decision.judgement.reason}`;
    } else if (result.verdict === 'error') {
      out.errorKind = result.errorKind;
    } else {
      delete out.errorKind;
    }
    judged.set(result.id, out);
    return out;
  };

  const ready = (result: CheckResult): boolean =>
    result.verdict !== 'fail' || controlsOf(requirements.get(result)).every((id) => !inRun.has(id) || findings.has(id));

  return {
    accept(result) {
      findings.set(result.id, controlResult(result));
      // The result itself first, then those that waited for it.
      const out: CheckResult[] = [];
      for (const r of [result, ...waiting.values()]) {
        if (ready(r)) {
          waiting.delete(r.id);
          out.push(judgeOne(r));
        } else {
          waiting.set(r.id, r);
        }
      }
      return out;
    },
    finish(results) {
      for (const r of results) {
        if (!findings.has(r.id)) findings.set(r.id, controlResult(r));
      }
      return results.map((r) => judged.get(r.id) ?? judgeOne(r));
    },
  };
}
