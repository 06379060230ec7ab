/**
 * Builds the versioned report from the runner's results. Everything the report says beyond the results
 * (summary, duration) is computed here, so that two runs with the same results give the same report
 * apart from times and durations.
 */
import { packageVersion } from '../core/package-root.js';
import {
  DEFAULT_POLICY,
  REPORT_SCHEMA_VERSION,
  registerCheckedTranscripts,
  safeParseReport,
  type CheckResult,
  type PolicyName,
  type Report,
  type Timings,
} from './model.js';
import { SEVERITY_ORDER } from './severity.js';
import { formatZodIssues } from './zod-error.js';

/** The version written into `tool.version` of every report. */
export const TOOL_VERSION: string = packageVersion();

/** What the runner knows at the end of a run (or at the moment it was interrupted). */
export interface BuildReportInput {
  mode: Report['mode'];
  target: Report['target'];
  seed: number;
  /** The policy that decided the verdicts (default `rfc9700`). */
  policy?: PolicyName;
  /** ISO 8601 time the run started. */
  startedAt: string;
  /** ISO 8601 time the run ended (or was interrupted). */
  finishedAt: string;
  status: Report['status'];
  /** Results in catalog order; the report keeps this order. */
  results: CheckResult[];
  /** 1-based shard index and shard count when the run was one shard of a split audit. */
  shard?: { index: number; count: number };
  /** Where the run's time went (phases and per-check breakdown), when measured. */
  timings?: Timings;
}

/** Counts verdicts, and failures by severity (every severity present, zero when none). */
export function summarize(results: readonly CheckResult[]): Report['summary'] {
  const failBySeverity = Object.fromEntries(SEVERITY_ORDER.map((s) => [s, 0])) as Report['summary']['failBySeverity'];
  const summary: Report['summary'] = {
    total: results.length,
    pass: 0,
    fail: 0,
    warn: 0,
    notApplicable: 0,
    error: 0,
    failBySeverity,
  };
  for (const r of results) {
    switch (r.verdict) {
      case 'pass':
        summary.pass++;
        break;
      case 'fail':
        summary.fail++;
        failBySeverity[r.severity]++;
        break;
      case 'warn':
        summary.warn++;
        break;
      case 'not-applicable':
        summary.notApplicable++;
        break;
      case 'error':
        summary.error++;
        break;
    }
  }
  return summary;
}

/** Milliseconds between two ISO times; throws when either does not parse (a runner bug). */
export function durationBetween(startedAt: string, finishedAt: string): number {
  const start = Date.parse(startedAt);
  const end = Date.parse(finishedAt);
  if (Number.isNaN(start) || Number.isNaN(end)) {
    throw new Error(`report times must be ISO 8601: startedAt=${startedAt} finishedAt=${finishedAt}`);
  }
  return Math.max(0, end - start);
}

/**
 * Builds and validates a report. The result is checked against {@link ReportSchema}, so a writer never
 * sees a report that the published JSON Schema would reject.
 *
 * @throws Error naming the JSON path of the first invalid field when the input does not fit the model.
 */
export function buildReport(input: BuildReportInput): Report {
  const report: Report = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'lexoffice-login-harness', version: TOOL_VERSION },
    mode: input.mode,
    target: input.target,
    seed: input.seed,
    policy: input.policy ?? DEFAULT_POLICY,
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
    durationMs: durationBetween(input.startedAt, input.finishedAt),
    status: input.status,
    ...(input.shard ? { shard: { index: input.shard.index, count: input.shard.count } } : {}),
    results: input.results,
    summary: summarize(input.results),
    ...(input.timings ? { timings: input.timings } : {}),
  };
  // Transcripts the executor checked when it built each result are not checked again (model.ts).
  const parsed = safeParseReport(report);
  if (!parsed.success) throw new Error(`invalid report: ${formatZodIssues(parsed.error)}`);
  return registerCheckedTranscripts(parsed.data);
}
