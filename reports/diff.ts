/**
 * `login-harness diff OLD NEW`: which findings (failing or warning checks) are new, fixed or unchanged
 * between two reports of the same target, e.g. the main branch and a pull request.
 */
import type { CheckResult, Report } from './model.js';
import { sanitizeTerminal } from './writers/escape.js';

/** Findings compared by check id. */
export interface ReportDiff {
  /** Findings in NEW whose check was no finding in OLD. */
  new: CheckResult[];
  /** Findings in OLD whose check passes in NEW. */
  fixed: CheckResult[];
  /** Findings in both (the NEW result). */
  unchanged: CheckResult[];
  /** Findings in OLD whose check did not run, errored or was not applicable in NEW: not known to be fixed. */
  notRechecked: CheckResult[];
}

function isFinding(r: CheckResult): boolean {
  return r.verdict === 'fail' || r.verdict === 'warn';
}

/** Compares two reports. Order follows NEW for `new`/`unchanged` and OLD for the rest. */
export function diffReports(oldReport: Report, newReport: Report): ReportDiff {
  const oldById = new Map(oldReport.results.map((r) => [r.id, r]));
  const newById = new Map(newReport.results.map((r) => [r.id, r]));
  const diff: ReportDiff = { new: [], fixed: [], unchanged: [], notRechecked: [] };
  for (const r of newReport.results) {
    if (!isFinding(r)) continue;
    const before = oldById.get(r.id);
    if (before && isFinding(before)) diff.unchanged.push(r);
    else diff.new.push(r);
  }
  for (const r of oldReport.results) {
    if (!isFinding(r)) continue;
    const after = newById.get(r.id);
    if (after?.verdict === 'pass') diff.fixed.push(r);
    else if (!after || !isFinding(after)) diff.notRechecked.push(r);
  }
  return diff;
}

function line(mark: string, r: CheckResult): string {
  const verdict = r.verdict === 'warn' ? ' (warning)' : '';
  return `  ${mark} [${r.severity}] ${sanitizeTerminal(r.id)}${verdict}: ${sanitizeTerminal(r.summary)}`;
}

/** Plain-text rendering of a diff, one section per kind, empty sections said so. */
export function formatDiff(diff: ReportDiff): string {
  const section = (title: string, mark: string, items: CheckResult[]) =>
    [`${title} (${items.length})`, ...(items.length ? items.map((r) => line(mark, r)) : ['  none'])].join('\n');
  const parts = [
    section('New findings', '+', diff.new),
    section('Fixed', '-', diff.fixed),
    section('Unchanged', '=', diff.unchanged),
  ];
  if (diff.notRechecked.length)
    parts.push(section('Not re-checked (no verdict in the new report)', '?', diff.notRechecked));
  return `${parts.join('\n\n')}\n`;
}

/** A compact, machine-readable diff (`--json`): ids, severities, verdicts and summaries. */
export function diffToJson(
  diff: ReportDiff,
): Record<keyof ReportDiff, Array<Pick<CheckResult, 'id' | 'title' | 'severity' | 'verdict' | 'summary'>>> {
  const slim = (rs: CheckResult[]) =>
    rs.map(({ id, title, severity, verdict, summary }) => ({ id, title, severity, verdict, summary }));
  return {
    new: slim(diff.new),
    fixed: slim(diff.fixed),
    unchanged: slim(diff.unchanged),
    notRechecked: slim(diff.notRechecked),
  };
}
