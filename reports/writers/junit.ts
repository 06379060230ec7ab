/**
 * JUnit XML in the shape GitLab, Jenkins and GitHub test reporters read (the de facto schema of Ant's
 * JUnit task as documented by the Jenkins JUnit plugin): `<testsuites>` with one `<testsuite>` for the
 * audit and one `<testcase>` per check. A failing check is a `<failure>` whose `type` is its severity;
 * not applicable is `<skipped>`; a check that could not run is `<error>`; a baselined finding is
 * `<skipped>` with the justification, since it was accepted on purpose.
 */
import type { CheckResult, Report } from '../model.js';
import { checkFamily, escapeXml } from './escape.js';
import { hasReasoning, reasoningLines } from './reasoning.js';

function attrs(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function details(r: CheckResult): string {
  const lines = [
    `Check: ${r.id} (${r.title})`,
    `Severity: ${r.severity}`,
    `Verdict: ${r.verdict}`,
    `Summary: ${r.summary}`,
    `Must: ${r.must}`,
  ];
  if (hasReasoning(r)) lines.push('', 'How the verdict was reached:', ...reasoningLines(r).map((l) => `  ${l}`), '');
  if (r.fault) lines.push(`Fault: ${r.fault}`);
  if (r.errorKind) lines.push(`Error kind: ${r.errorKind}`);
  lines.push('', `Why it matters: ${r.rationale}`, '', `Remediation: ${r.remediation}`);
  if (r.references.length) {
    lines.push('', 'References:', ...r.references.map((ref) => `  - ${ref.label}: ${ref.url}`));
  }
  if (r.observations.length) {
    lines.push('', 'Observations:', ...r.observations.map((o) => `  - ${o.text}`));
  }
  return lines.join('\n');
}

function testcase(r: CheckResult, manifest: string | undefined): string {
  const head = `    <testcase${attrs({ name: `${r.id}: ${r.title}`, classname: checkFamily(r.id), time: seconds(r.durationMs), file: manifest })}`;
  let body = '';
  if (r.verdict === 'fail' && r.baselined) {
    const under = r.baselined.policy ? ` under policy ${r.baselined.policy}` : '';
    body = `      <skipped${attrs({ message: `accepted by baseline${under} until ${r.baselined.expires}: ${r.baselined.justification}` })}/>\n`;
    body += `      <system-out>${escapeXml(details(r))}</system-out>\n`;
  } else if (r.verdict === 'fail') {
    body = `      <failure${attrs({ message: `[${r.severity}] ${r.summary}`, type: r.severity })}>${escapeXml(details(r))}</failure>\n`;
  } else if (r.verdict === 'error') {
    body = `      <error${attrs({ message: r.summary, type: r.errorKind ?? 'error' })}>${escapeXml(details(r))}</error>\n`;
  } else if (r.verdict === 'not-applicable') {
    body = `      <skipped${attrs({ message: `not applicable: ${r.summary}` })}/>\n`;
  } else if (r.verdict === 'warn') {
    // A warning is not a failure (only `fail` breaks a build), but it must stay visible in the test view.
    body = `      <system-out>${escapeXml(`WARNING [${r.severity}]: ${r.summary}\n\n${details(r)}`)}</system-out>\n`;
  }
  return body ? `${head}>\n${body}    </testcase>\n` : `${head}/>\n`;
}

/** Renders the report as JUnit XML (UTF-8). */
export function renderJunit(report: Report): string {
  const s = report.summary;
  const failures = report.results.filter((r) => r.verdict === 'fail' && !r.baselined).length;
  const skipped = report.results.filter(
    (r) => r.verdict === 'not-applicable' || (r.verdict === 'fail' && r.baselined),
  ).length;
  const suiteName = `login-harness ${report.mode} audit: ${report.target.name}`;
  const counts = { tests: s.total, failures, errors: s.error, skipped, time: seconds(report.durationMs) };
  const properties = [
    ['target', report.target.name],
    ['target.kind', report.target.kind],
    ['target.profile', report.target.profile],
    ['target.manifest', report.target.manifest],
    ['mode', report.mode],
    ['seed', String(report.seed)],
    ['policy', report.policy],
    ['status', report.status],
    ['tool.version', report.tool.version],
    ['schemaVersion', report.schemaVersion],
    ['shard', report.shard ? `${report.shard.index}/${report.shard.count}` : undefined],
  ]
    .filter((p): p is [string, string] => p[1] !== undefined)
    .map(([name, value]) => `      <property${attrs({ name, value })}/>\n`)
    .join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites${attrs({ name: suiteName, ...counts })}>\n` +
    `  <testsuite${attrs({ name: suiteName, ...counts, timestamp: report.startedAt, hostname: 'localhost' })}>\n` +
    `    <properties>\n${properties}    </properties>\n` +
    report.results.map((r) => testcase(r, report.target.manifest)).join('') +
    `  </testsuite>\n` +
    `</testsuites>\n`
  );
}
