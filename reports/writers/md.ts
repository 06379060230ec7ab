/**
 * The Markdown report, written to be posted as a pull-request comment (GitHub or GitLab flavoured):
 * a headline, the counts, a table of failing findings and collapsible details. Target-controlled text
 * is escaped so it cannot render markup, links, images or mentions.
 */
import type { CheckResult, Judgement, Reference, Report } from '../model.js';
import { SEVERITY_ORDER, severityRank } from '../severity.js';
import { escapeHtml, escapeMarkdown as md, isHttpUrl, markdownUrl } from './escape.js';
import { factsText, hasReasoning, heldWords, otherPolicies } from './reasoning.js';

/** First line of the comment, so a CI job can find and update its earlier comment. */
export const MARKDOWN_MARKER = '<!-- login-harness-report -->';

/** GitHub refuses comments over 65,536 characters; stay well below. */
const DEFAULT_MAX_LENGTH = 60_000;

/** Options of {@link renderMarkdown}. */
export interface MarkdownOptions {
  /** Longest comment to produce; details are dropped (and said so) beyond it. */
  maxLength?: number;
  /** Link target for each check's row, e.g. the HTML report published by CI. */
  detailsUrl?: string;
}

function code(id: string): string {
  // Catalog ids are plain; anything else is escaped rather than put in a code span.
  return /^[A-Za-z0-9._-]+$/.test(id) ? `\`${id}\`` : md(id);
}

function link(label: string, url: string): string {
  return isHttpUrl(url) ? `[${md(label)}](${markdownUrl(url)})` : md(label);
}

function fixLink(r: CheckResult): string {
  const ref = r.references.find((x) => isHttpUrl(x.url));
  return ref ? link(ref.label, ref.url) : '—';
}

function bySeverity(results: CheckResult[]): CheckResult[] {
  return results
    .map((r, i) => ({ r, i }))
    .sort((a, b) => severityRank(b.r.severity) - severityRank(a.r.severity) || a.i - b.i)
    .map(({ r }) => r);
}

function refLink(ref: Reference): string {
  return link(ref.label, ref.url);
}

/**
 * How the policy reached the verdict, as list items indented by `indent` (nested under a list item, or
 * at the top of a details block).
 */
function reasoningItems(r: CheckResult & { judgement: Judgement }, indent = ''): string[] {
  const j = r.judgement;
  const items = [
    `**Policy ${md(j.policy)}:** ${md(r.verdict)} (the check found: ${md(j.finding)}); under the other policies: ${md(otherPolicies(j))}`,
    `**Requirement** (${md(j.requirement.level)}, ${refLink(j.requirement.reference)}): ${md(j.requirement.text)}`,
  ];
  for (const a of j.allowances) {
    const facts = factsText(a);
    const controls = a.controls.map((c) => `${code(c.id)} ${md(c.verdict)}`).join(', ');
    items.push(
      `**Condition** *${md(a.name)}* (${refLink(a.reference)}): ${md(heldWords(a))}` +
        (facts ? `; facts: ${md(facts)}` : '') +
        (controls ? `; compensating controls: ${controls}` : '') +
        ` — “${md(a.text)}”`,
    );
  }
  items.push(`**Why:** ${md(j.reason)}`);
  return items.map((i) => `${indent}- ${i}`);
}

function detailsBlock(r: CheckResult): string {
  const lines = [
    `<details><summary><b>${escapeHtml(r.severity)}</b> ${escapeHtml(r.id)}: ${escapeHtml(r.title)}</summary>`,
    '',
    `**Observed:** ${md(r.summary)}`,
    '',
    ...(hasReasoning(r) ? [...reasoningItems(r), ''] : []),
    `**Must:** ${md(r.must)}`,
    '',
    `**Why it matters:** ${md(r.rationale)}`,
    '',
    `**How to fix:** ${md(r.remediation)}`,
  ];
  if (r.baselined) {
    const under = r.baselined.policy ? ` under policy ${md(r.baselined.policy)}` : '';
    lines.push('', `**Accepted${under} until ${md(r.baselined.expires)}:** ${md(r.baselined.justification)}`);
  }
  if (r.observations.length) lines.push('', ...r.observations.map((o) => `- ${md(o.text)}`));
  if (r.references.length)
    lines.push('', `**References:** ${r.references.map((x) => link(x.label, x.url)).join(', ')}`);
  lines.push('', '</details>');
  return lines.join('\n');
}

/** Renders the PR comment. */
export function renderMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  const s = report.summary;
  const failing = bySeverity(report.results.filter((r) => r.verdict === 'fail' && !r.baselined));
  const accepted = bySeverity(report.results.filter((r) => r.verdict === 'fail' && r.baselined));
  const warnings = bySeverity(report.results.filter((r) => r.verdict === 'warn'));
  const errors = report.results.filter((r) => r.verdict === 'error');

  const bySev = SEVERITY_ORDER.map((sev) => [sev, failing.filter((r) => r.severity === sev).length] as const)
    .filter(([, n]) => n > 0)
    .map(([sev, n]) => `${n} ${sev}`)
    .join(', ');
  const headline =
    failing.length > 0
      ? `### ❌ Login audit of ${md(report.target.name)}: ${failing.length} failing check${failing.length === 1 ? '' : 's'} (${bySev})`
      : `### ✅ Login audit of ${md(report.target.name)}: no failing checks`;
  const counts =
    `**${s.pass}** passed · **${s.fail}** failed` +
    (accepted.length ? ` (${accepted.length} baselined)` : '') +
    ` · **${s.warn}** warnings · **${s.notApplicable}** not applicable · **${s.error}** errors — ` +
    `${md(report.mode)} audit, ${md(report.target.kind)} target, policy ${md(report.policy)}, seed ${report.seed}, ${(report.durationMs / 1000).toFixed(1)} s`;
  const head = [MARKDOWN_MARKER, headline, '', counts];
  if (report.status !== 'complete') {
    head.push('', `> ⚠️ The run ended early (${md(report.status)}); these results are partial.`);
  }
  if (options.detailsUrl && isHttpUrl(options.detailsUrl)) {
    head.push('', `[Full HTML report](${markdownUrl(options.detailsUrl)})`);
  }

  const table: string[] = [];
  if (failing.length) {
    table.push('', '| Severity | Check | Finding | Fix |', '| --- | --- | --- | --- |');
    for (const r of failing) table.push(`| **${md(r.severity)}** | ${code(r.id)} | ${md(r.summary)} | ${fixLink(r)} |`);
  }

  const sections: string[] = [];
  if (failing.length) sections.push('', '#### Failing checks', '', ...failing.map(detailsBlock));
  const other: string[] = [];
  for (const r of warnings) {
    other.push(`- ⚠️ **${md(r.severity)}** ${code(r.id)}: ${md(r.summary)}`);
    if (hasReasoning(r)) other.push(...reasoningItems(r, '  '));
  }
  for (const r of accepted) {
    other.push(
      `- ☑️ **${md(r.severity)}** ${code(r.id)} (baselined until ${md(r.baselined?.expires ?? '')}): ${md(r.summary)}`,
    );
  }
  for (const r of errors) {
    other.push(`- 💥 ${code(r.id)} could not run (${md(r.errorKind ?? 'error')}): ${md(r.summary)}`);
    if (hasReasoning(r)) other.push(...reasoningItems(r, '  '));
  }
  if (other.length) {
    sections.push(
      '',
      `<details><summary>Warnings, baselined findings and errors (${warnings.length + accepted.length + errors.length})</summary>`,
      '',
      ...other,
      '',
      '</details>',
    );
  }

  const footer = ['', `<sub>${escapeHtml(report.tool.name)} ${escapeHtml(report.tool.version)}</sub>`, ''];
  let out = [...head, ...table, ...sections, ...footer].join('\n');
  if (out.length > maxLength) {
    out = [
      ...head,
      ...table,
      '',
      '_Details omitted: the comment would be too long. See the HTML or JSON report._',
      ...footer,
    ].join('\n');
  }
  if (out.length > maxLength) {
    const kept = [
      ...head,
      '',
      '_The table is omitted: the comment would be too long. See the HTML or JSON report._',
      ...footer,
    ];
    out = kept.join('\n');
  }
  return out;
}
