/**
 * SARIF 2.1.0 (OASIS, errata 01), the format GitHub code scanning and GitLab read. One rule per check
 * (`tool.driver.rules`), one result per finding (`fail` or `warn`), located at the target's manifest:
 * that is the file a reviewer owns and that names the audited client. A result's `level` follows its
 * verdict (the policy's decision), a rule's default level its severity; the judgement (policy,
 * requirement, conditions, the other policies' verdicts) is in the result's properties.
 *
 * @see https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/sarif-v2.1.0-errata01-os-complete.html
 */
import { createHash } from 'node:crypto';
import { isAbsolute, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Invocation, Location, Log, Notification, ReportingDescriptor, Result } from 'sarif';
import type { CheckResult, Report, Verdict } from '../model.js';
import type { Severity } from '../model.js';
import { checkFamily, escapeMarkdown, isHttpUrl, markdownUrl } from './escape.js';

/** `result.level` and `defaultConfiguration.level` by severity (SARIF §3.27.10). */
export const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/**
 * `result.level` by verdict (SARIF §3.27.10): a failure the policy decided is an `error`, a warning a
 * `warning`. Only these two verdicts become results.
 */
export const SARIF_RESULT_LEVEL: Partial<Record<Verdict, 'error' | 'warning'>> = { fail: 'error', warn: 'warning' };

/**
 * GitHub's `security-severity` property: a CVSS-like score that code scanning buckets as critical
 * (> 9.0), high (7.0–8.9), medium (4.0–6.9) and low (0.1–3.9).
 */
export const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.0',
};

/** Options of {@link toSarifLog}. */
export interface SarifOptions {
  /**
   * Folder that `%SRCROOT%` stands for (default: the working directory). An absolute manifest path
   * under it is written relative to it, so code scanning can show the alert on the repository's file.
   */
  baseDir?: string;
}

function ruleName(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

function rule(r: CheckResult): ReportingDescriptor {
  const links = r.references.filter((ref) => isHttpUrl(ref.url));
  const refText = r.references.map((ref) => `- ${ref.label}: ${ref.url}`).join('\n');
  const refMarkdown = links.map((ref) => `- [${escapeMarkdown(ref.label)}](${markdownUrl(ref.url)})`).join('\n');
  const tags = [
    'security',
    'oauth',
    checkFamily(r.id),
    ...r.references.map((ref) => ref.key).filter((k) => k.startsWith('CWE-')),
  ];
  return {
    id: r.id,
    name: ruleName(r.id),
    shortDescription: { text: r.title },
    fullDescription: { text: r.must },
    help: {
      text: `${r.must}\n\nWhy it matters: ${r.rationale}\n\nHow to fix: ${r.remediation}${refText ? `\n\nReferences:\n${refText}` : ''}`,
      markdown:
        `**Must:** ${escapeMarkdown(r.must)}\n\n**Why it matters:** ${escapeMarkdown(r.rationale)}\n\n` +
        `**How to fix:** ${escapeMarkdown(r.remediation)}${refMarkdown ? `\n\n**References:**\n${refMarkdown}` : ''}`,
    },
    ...(links[0] ? { helpUri: links[0].url } : {}),
    defaultConfiguration: { level: SARIF_LEVEL[r.severity] },
    properties: {
      tags: [...new Set(tags)],
      precision: 'high',
      'security-severity': SECURITY_SEVERITY[r.severity],
    },
  };
}

function manifestLocation(report: Report, baseDir: string): Location {
  const manifest = report.target.manifest;
  if (!manifest) {
    // Without a manifest the target has no file; a logical location still names it (SARIF §3.33).
    return { logicalLocations: [{ name: report.target.name, kind: 'module' }] };
  }
  let uri: string;
  let uriBaseId: string | undefined;
  if (!isAbsolute(manifest)) {
    uri = manifest.split(sep).join('/');
    uriBaseId = '%SRCROOT%';
  } else {
    const rel = relative(baseDir, manifest);
    if (rel && !rel.startsWith('..') && !isAbsolute(rel)) {
      uri = rel.split(sep).join('/');
      uriBaseId = '%SRCROOT%';
    } else {
      uri = pathToFileURL(manifest).href;
    }
  }
  return {
    physicalLocation: {
      artifactLocation: { uri: encodeURI(decodeURISafe(uri)), ...(uriBaseId ? { uriBaseId } : {}) },
      region: { startLine: 1 },
    },
    logicalLocations: [{ name: report.target.name, kind: 'module' }],
  };
}

function decodeURISafe(s: string): string {
  try {
    return decodeURI(s);
  } catch {
    return s;
  }
}

function fingerprint(report: Report, r: CheckResult): string {
  return createHash('sha256').update(`${report.mode}\u0000${report.target.name}\u0000${r.id}`).digest('hex');
}

/** Builds the SARIF log object (typed by `@types/sarif`). */
export function toSarifLog(report: Report, options: SarifOptions = {}): Log {
  const baseDir = options.baseDir ?? process.cwd();
  const rules: ReportingDescriptor[] = [];
  const ruleIndex = new Map<string, number>();
  for (const r of report.results) {
    if (ruleIndex.has(r.id)) continue;
    ruleIndex.set(r.id, rules.length);
    rules.push(rule(r));
  }
  const location = manifestLocation(report, baseDir);
  const results: Result[] = report.results
    .filter((r) => r.verdict === 'fail' || r.verdict === 'warn')
    .map((r) => ({
      ruleId: r.id,
      ruleIndex: ruleIndex.get(r.id),
      kind: 'fail',
      level: SARIF_RESULT_LEVEL[r.verdict] ?? 'note',
      message: {
        text:
          `${r.verdict === 'warn' ? 'Warning: ' : ''}${r.summary}` +
          (r.judgement ? ` (policy ${r.judgement.policy}: ${r.judgement.reason})` : ''),
      },
      locations: [location],
      partialFingerprints: { 'loginHarnessFinding/v1': fingerprint(report, r) },
      properties: {
        verdict: r.verdict,
        severity: r.severity,
        ...(r.fault ? { fault: r.fault } : {}),
        observations: r.observations.map((o) => o.text),
        ...(r.judgement ? { judgement: r.judgement } : {}),
      },
      ...(r.baselined
        ? {
            suppressions: [
              {
                kind: 'external' as const,
                status: 'accepted' as const,
                justification: `${r.baselined.justification} (baseline entry${r.baselined.policy ? ` made under policy ${r.baselined.policy}` : ''} expires ${r.baselined.expires})`,
              },
            ],
          }
        : {}),
    }));
  const notifications: Notification[] = report.results
    .filter((r) => r.verdict === 'error')
    .map((r) => ({
      level: 'error',
      message: { text: `${r.id} could not run (${r.errorKind ?? 'error'}): ${r.summary}` },
      descriptor: { id: r.id },
    }));
  if (report.status !== 'complete') {
    notifications.push({
      level: 'warning',
      message: { text: `The run ended early (${report.status}); the results are partial.` },
    });
  }
  const invocation: Invocation = {
    executionSuccessful: report.status === 'complete',
    startTimeUtc: report.startedAt,
    endTimeUtc: report.finishedAt,
    ...(notifications.length ? { toolExecutionNotifications: notifications } : {}),
  };
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            rules,
          },
        },
        automationDetails: { id: `login-harness/${report.mode}/${report.target.name}/` },
        invocations: [invocation],
        results,
        properties: {
          target: report.target,
          mode: report.mode,
          seed: report.seed,
          policy: report.policy,
          status: report.status,
          summary: report.summary,
          ...(report.shard ? { shard: report.shard } : {}),
        },
      },
    ],
  };
}

/** Renders the report as a SARIF 2.1.0 JSON document. */
export function renderSarif(report: Report, options: SarifOptions = {}): string {
  return `${JSON.stringify(toSarifLog(report, options), null, 2)}\n`;
}
