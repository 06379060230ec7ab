/**
 * The reasoning of a judged result, as plain text every writer escapes for its own format: the policy
 * that decided, the requirement with its level and section, the conditions the cited text allows
 * otherwise (facts about the target and compensating controls, with the controls' verdicts), why the
 * policy gave this verdict, and the verdict under the other policies (docs/verdicts.md).
 */
import { POLICY_NAMES, type AllowanceResult, type CheckResult, type Judgement, type Reference } from '../model.js';

/** Whether a writer shows the reasoning of `r`: every result other than a pass that was judged. */
export function hasReasoning(r: CheckResult): r is CheckResult & { judgement: Judgement } {
  return r.verdict !== 'pass' && r.judgement !== undefined;
}

/** `Policy rfc9700: warn (the check found: fail)`. */
export function policyLine(r: CheckResult & { judgement: Judgement }): string {
  const j = r.judgement;
  return `Policy ${j.policy}: ${r.verdict} (the check found: ${j.finding})`;
}

/** The verdicts under the policies other than the one that decided: `strict: fail, fapi2: warn`. */
export function otherPolicies(j: Judgement): string {
  return POLICY_NAMES.filter((p) => p !== j.policy)
    .map((p) => `${p}: ${j.verdicts[p]}`)
    .join(', ');
}

/** `MUST, RFC 9700 §4.7.1`. */
export function requirementHead(j: Judgement): string {
  return `${j.requirement.level}, ${j.requirement.reference.label}`;
}

const HELD: Record<AllowanceResult['held'], string> = {
  yes: 'held',
  no: 'did not hold',
  unknown: 'could not be established',
};

/** Whether the condition held, in words. */
export function heldWords(a: AllowanceResult): string {
  return HELD[a.held];
}

/** The facts of a condition: `single-provider holds, public-client does not hold`; empty when none. */
export function factsText(a: AllowanceResult): string {
  return a.facts.map((f) => `${f.fact} ${f.holds ? 'holds' : 'does not hold'}`).join(', ');
}

/** The compensating controls of a condition with their verdicts: `pkce.s256 pass, nonce.present not-run`. */
export function controlsText(a: AllowanceResult): string {
  return a.controls.map((c) => `${c.id} ${c.verdict}`).join(', ');
}

/** One condition in one line: `Condition "..." (RFC ...): held; facts: ...; compensating controls: ...`. */
export function allowanceLine(a: AllowanceResult): string {
  const parts = [`Condition "${a.name}" (${a.reference.label}): ${heldWords(a)}`];
  const facts = factsText(a);
  const controls = controlsText(a);
  if (facts) parts.push(`facts: ${facts}`);
  if (controls) parts.push(`compensating controls: ${controls}`);
  return parts.join('; ');
}

/** `The ID token ...` -> `the ID token ...`, but `PKCE binds ...` stays as it is. */
function lowerFirst(s: string): string {
  return /^[A-Z][a-z]/.test(s) ? s[0].toLowerCase() + s.slice(1) : s;
}

function withUrl(ref: Reference): string {
  return ref.url ? `${ref.label} <${ref.url}>` : ref.label;
}

/**
 * The whole reasoning as plain-text lines (JUnit, SARIF, and any writer without markup): policy,
 * requirement, every condition with its quoted text, the reason, and the other policies' verdicts.
 */
export function reasoningLines(r: CheckResult & { judgement: Judgement }): string[] {
  const j = r.judgement;
  const lines = [
    policyLine(r),
    `Requirement (${j.requirement.level}, ${withUrl(j.requirement.reference)}): ${j.requirement.text}`,
  ];
  for (const a of j.allowances) lines.push(`${allowanceLine(a)}. The text: "${a.text}"`);
  lines.push(`Why: ${j.reason}`, `Under the other policies: ${otherPolicies(j)}`);
  return lines;
}

/** The reasoning in one line, for the console: policy, requirement, the conditions, the other policies. */
export function reasoningSummary(r: CheckResult & { judgement: Judgement }): string {
  const j = r.judgement;
  const conditions = j.allowances.map(
    (a) => `when ${lowerFirst(a.name)}: ${heldWords(a)}${a.controls.length ? ` (${controlsText(a)})` : ''}`,
  );
  return [
    `${j.policy}: ${j.requirement.level} of ${j.requirement.reference.label}`,
    ...conditions,
    `other policies ${otherPolicies(j)}`,
  ].join('; ');
}
