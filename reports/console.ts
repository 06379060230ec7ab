/**
 * The summary printed at the end of a run: counts by verdict, failures by severity and one line per
 * finding. Target-controlled text is stripped of terminal control characters first.
 */
import type { CheckResult, Report } from './model.js';
import { SEVERITY_ORDER, severityRank } from './severity.js';
import { sanitizeTerminal, truncate } from './writers/escape.js';
import { hasReasoning, reasoningSummary } from './writers/reasoning.js';

/** Options of {@link formatConsoleSummary}. */
export interface ConsoleSummaryOptions {
  /** ANSI colours (default false: CI logs and pipes get plain text). */
  color?: boolean;
  /** Width summaries are cut to (default 100). */
  width?: number;
}

const ANSI = {
  red: '\u001b[31m',
  magenta: '\u001b[35m',
  yellow: '\u001b[33m',
  green: '\u001b[32m',
  dim: '\u001b[2m',
  bold: '\u001b[1m',
  reset: '\u001b[0m',
} as const;

const VERDICT_COLOR: Record<CheckResult['verdict'], keyof typeof ANSI> = {
  fail: 'red',
  error: 'magenta',
  warn: 'yellow',
  'not-applicable': 'dim',
  pass: 'green',
};

/** Formats the end-of-run summary table. */
export function formatConsoleSummary(report: Report, opts: ConsoleSummaryOptions = {}): string {
  const paint = (c: keyof typeof ANSI, t: string) => (opts.color ? `${ANSI[c]}${t}${ANSI.reset}` : t);
  const width = opts.width ?? 100;
  const s = report.summary;
  const lines: string[] = [];
  lines.push(
    paint('bold', `Login audit of ${sanitizeTerminal(report.target.name)}`) +
      ` (${report.mode}, ${sanitizeTerminal(report.target.kind)}, seed ${report.seed}, policy ${report.policy}, ${(report.durationMs / 1000).toFixed(1)} s)`,
  );
  if (report.status !== 'complete')
    lines.push(paint('yellow', `Partial results: the run ended early (${report.status}).`));
  const rows: Array<[string, number, keyof typeof ANSI]> = [
    ['pass', s.pass, 'green'],
    ['fail', s.fail, 'red'],
    ['warn', s.warn, 'yellow'],
    ['not applicable', s.notApplicable, 'dim'],
    ['error', s.error, 'magenta'],
    ['total', s.total, 'bold'],
  ];
  lines.push('');
  lines.push(`  ${'verdict'.padEnd(16)}${'checks'.padStart(7)}`);
  for (const [label, n, c] of rows) lines.push(`  ${paint(c, label.padEnd(16))}${String(n).padStart(7)}`);
  const sev = SEVERITY_ORDER.map((x) => `${x} ${s.failBySeverity[x]}`).join(' · ');
  lines.push('', `  failures by severity: ${sev}`);

  const shown = report.results
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => r.verdict === 'fail' || r.verdict === 'warn' || r.verdict === 'error')
    .sort(
      (a, b) =>
        ['fail', 'error', 'warn'].indexOf(a.r.verdict) - ['fail', 'error', 'warn'].indexOf(b.r.verdict) ||
        severityRank(b.r.severity) - severityRank(a.r.severity) ||
        a.i - b.i,
    )
    .map(({ r }) => r);
  if (shown.length) {
    lines.push('');
    const idWidth = Math.min(40, Math.max(...shown.map((r) => r.id.length)));
    for (const r of shown) {
      const verdict = paint(VERDICT_COLOR[r.verdict], r.verdict.toUpperCase().padEnd(5));
      const base = r.baselined ? ` [baselined${r.baselined.policy ? ` under ${r.baselined.policy}` : ''}]` : '';
      const summary = truncate(sanitizeTerminal(r.summary), width);
      lines.push(`  ${verdict} ${r.severity.padEnd(8)} ${sanitizeTerminal(r.id).padEnd(idWidth)}  ${summary}${base}`);
      // Why the policy gave this verdict, kept whole: a cut reason would misstate it.
      if (hasReasoning(r)) lines.push(paint('dim', `        ${sanitizeTerminal(reasoningSummary(r))}`));
    }
  }
  return `${lines.join('\n')}\n`;
}
