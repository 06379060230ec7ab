/**
 * Policies: how a check's finding becomes a verdict (docs/verdicts.md).
 *
 * A check observes; when it observes its requirement violated its finding is `fail`. Whether that is
 * a reported `fail` depends on what the cited text says: the level of the requirement (MUST, SHOULD,
 * recommended), and the conditions under which the text allows the behaviour (an ID token that came
 * straight from the token endpoint, PKCE observed working in the same run, a client of one provider).
 *
 * - `rfc9700` (default): a violated MUST fails, unless a condition the text allows held in this run;
 *   then, and for a violated SHOULD or recommendation, the verdict is `warn` with the reason.
 * - `strict`: defence in depth, the lexoffice.login paper's rules: every violated requirement fails,
 *   whatever its level and whatever the text allows.
 * - `fapi2`: as `rfc9700`, but where the FAPI 2.0 Security Profile states a stricter rule
 *   ({@link Requirement.fapi2}) that rule is judged instead.
 *
 * Findings other than `fail` (pass, warn, not-applicable, error) are reported as found under every policy.
 */
import {
  POLICY_NAMES,
  type AllowanceResult,
  type ErrorKind,
  type Judgement,
  type PolicyName,
  type Reference,
  type Verdict,
} from '../../reports/model.js';
import type { Allowance, Requirement, TargetFact } from '../check.js';

/** What a control check ended in, as the judge sees it: its finding, and for a `fail` the level broken. */
export interface ControlResult {
  verdict: Verdict;
  errorKind?: ErrorKind;
  /** The level of the requirement a `fail` finding broke. */
  level?: Requirement['level'];
}

/**
 * Whether a control held: it passed, it warned (its requirement held, with a caveat such as a crash
 * while refusing), or what it found broken is only a SHOULD or a recommendation (its MUST held).
 */
function controlHeld(c: ControlResult): boolean {
  if (c.verdict === 'pass' || c.verdict === 'warn') return true;
  return c.verdict === 'fail' && c.level !== undefined && c.level !== 'MUST';
}

/** Everything a policy needs besides the finding. */
export interface JudgeInput {
  finding: Verdict;
  /** The requirement the finding is about. */
  requirement: Requirement;
  /** Facts about the target that hold in this run. */
  facts: ReadonlySet<TargetFact>;
  /** The result of another check of the same run, or undefined when the run did not execute it. */
  control(id: string): ControlResult | undefined;
  /** Resolves a reference key of the requirement to its link. */
  resolve(key: string): Reference;
}

/** The verdict a policy gives, and the judgement the report shows. */
export interface Decision {
  verdict: Verdict;
  /** Set when the verdict is `error` because a control could not be judged. */
  errorKind?: ErrorKind;
  judgement: Judgement;
}

/** The requirement a policy judges: FAPI 2.0's own rule under `fapi2` when the check states one. */
export function requirementUnder(policy: PolicyName, requirement: Requirement): Requirement {
  return policy === 'fapi2' && requirement.fapi2 ? requirement.fapi2 : requirement;
}

/** Evaluates one allowance: facts from the target, controls from the same run. */
export function evaluateAllowance(allowance: Allowance, input: JudgeInput): AllowanceResult {
  const facts = (allowance.facts ?? []).map((fact) => ({ fact, holds: input.facts.has(fact) }));
  const ids = allowance.controls ?? [];
  const controls = ids.map((id): AllowanceResult['controls'][number] => ({
    id,
    verdict: input.control(id)?.verdict ?? 'not-run',
  }));
  const known = ids
    .map((id) => input.control(id))
    .filter((c): c is ControlResult => c !== undefined && c.verdict !== 'error');
  const fails = facts.some((f) => !f.holds) || known.some((c) => !controlHeld(c));
  const unknown = known.length < ids.length;
  return {
    name: allowance.name,
    text: allowance.text,
    reference: input.resolve(allowance.ref),
    facts,
    controls,
    held: fails ? 'no' : unknown ? 'unknown' : 'yes',
  };
}

interface PolicyVerdict {
  verdict: Verdict;
  errorKind?: ErrorKind;
  reason: string;
  allowances: AllowanceResult[];
  requirement: Requirement;
}

function levelWords(level: Requirement['level']): string {
  return level === 'MUST' ? 'a MUST' : level === 'SHOULD' ? 'a SHOULD' : 'a recommendation';
}

function decide(policy: PolicyName, input: JudgeInput): PolicyVerdict {
  const requirement = requirementUnder(policy, input.requirement);
  // Conditions matter only for a violation; a passing finding is shown without them.
  const allowances =
    input.finding === 'fail' ? (requirement.allowances ?? []).map((a) => evaluateAllowance(a, input)) : [];
  const cite = input.resolve(requirement.ref).label;
  const base = { allowances, requirement };
  if (input.finding !== 'fail') {
    const reason =
      input.finding === 'pass'
        ? `The requirement (${cite}) was observed to hold.`
        : `The check ended in ${input.finding}; no policy changes such a verdict.`;
    return { ...base, verdict: input.finding, reason };
  }
  const pre = requirement.precondition;
  if (pre) {
    const results = pre.controls.map((id) => ({ id, c: input.control(id) }));
    const missing = results.filter((r) => r.c === undefined || r.c.verdict === 'error');
    const failed = results.filter((r) => r.c !== undefined && r.c.verdict !== 'error' && !controlHeld(r.c));
    if (failed.length > 0) {
      return {
        ...base,
        verdict: 'not-applicable',
        reason: `The requirement applies only when ${lowerFirst(pre.text)}, and ${failed.map((r) => `${r.id} found ${r.c!.verdict}`).join(', ')}.`,
      };
    }
    if (missing.length > 0) {
      return {
        ...base,
        verdict: 'error',
        errorKind: missing.map((r) => r.c?.errorKind).find(Boolean) ?? 'harness',
        reason: `The requirement applies only when ${lowerFirst(pre.text)}, which could not be established: ${missing.map((r) => `${r.id} ${r.c ? 'ended in error' : 'did not run'}`).join(', ')}.`,
      };
    }
  }
  if (policy === 'strict') {
    return {
      ...base,
      verdict: 'fail',
      reason: `Violated ${levelWords(requirement.level)} of ${cite}. The strict policy fails every violated requirement, whatever its level and whatever the text allows otherwise.`,
    };
  }
  const fapi = policy === 'fapi2' && input.requirement.fapi2 ? ' (FAPI 2.0 Security Profile)' : '';
  if (requirement.level !== 'MUST') {
    return {
      ...base,
      verdict: 'warn',
      reason: `Violated ${levelWords(requirement.level)} of ${cite}${fapi}, not a MUST: reported as a warning.`,
    };
  }
  const held = allowances.find((a) => a.held === 'yes');
  if (held) {
    return {
      ...base,
      verdict: 'warn',
      reason: `${cite} is a MUST, but the text allows otherwise when ${lowerFirst(held.name)} (${held.reference.label}), and that held in this run: reported as a warning.`,
    };
  }
  const unknown = allowances.find((a) => a.held === 'unknown');
  if (unknown) {
    const missing = unknown.controls.filter((c) => c.verdict === 'error' || c.verdict === 'not-run');
    const errored = missing.map((c) => input.control(c.id)).find((c) => c?.verdict === 'error');
    return {
      ...base,
      verdict: 'error',
      errorKind: errored?.errorKind ?? 'harness',
      reason: `Violated a MUST of ${cite}${fapi}, but the text allows it when ${lowerFirst(unknown.name)} (${unknown.reference.label}), and that could not be established: ${missing.map((c) => `${c.id} ${c.verdict === 'not-run' ? 'did not run' : 'ended in error'}`).join(', ')}.`,
    };
  }
  const refused = allowances.length
    ? ` None of the conditions the text allows held (${allowances.map((a) => lowerFirst(a.name)).join('; ')}).`
    : '';
  return { ...base, verdict: 'fail', reason: `Violated a MUST of ${cite}${fapi}.${refused}` };
}

function lowerFirst(s: string): string {
  return s.length > 1 && /^[A-Z][a-z]/.test(s) ? s[0].toLowerCase() + s.slice(1) : s;
}

/** Judges a finding under `policy`, and records what every other policy would have said. */
export function judge(policy: PolicyName, input: JudgeInput): Decision {
  const all = Object.fromEntries(POLICY_NAMES.map((p) => [p, decide(p, input)])) as Record<PolicyName, PolicyVerdict>;
  const chosen = all[policy];
  const judgement: Judgement = {
    policy,
    finding: input.finding,
    requirement: {
      text: chosen.requirement.text,
      level: chosen.requirement.level,
      reference: input.resolve(chosen.requirement.ref),
    },
    allowances: chosen.allowances,
    reason: chosen.reason,
    verdicts: { rfc9700: all.rfc9700.verdict, strict: all.strict.verdict, fapi2: all.fapi2.verdict },
  };
  return { verdict: chosen.verdict, ...(chosen.errorKind ? { errorKind: chosen.errorKind } : {}), judgement };
}
