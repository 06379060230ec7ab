/**
 * `login-harness audit [TARGET]`: runs the client catalog against one target, writes the reports,
 * prints the summary and applies the gate.
 */
import path from 'node:path';
import type { Report, RunnerEvent } from '../../reports/model.js';
import { parseFormats, type ReportFormat } from '../../reports/output.js';
import { parseSeverity } from '../../reports/severity.js';
import { parseShard } from '../../reports/shard.js';
import type { Severity } from '../../scenarios/types.js';
import { intFlag, listFlag, parseCommandArgs, UsageError } from './args.js';
import type { CliIo } from './io.js';
import { progressReporter } from './progress.js';
import { publishAudit, relativeToCwd } from './publish.js';

export const AUDIT_HELP = `Usage: login-harness audit [TARGET] [options]

Audits the client described by the target manifest TARGET (JSON, or a .ts/.mjs module exporting
defineTarget({...})). Without TARGET, audits the bundled reference web client
(examples/reference-web/target.json).

Selection:
  --only ID|PREFIX      run only these checks (repeatable, comma-separated; \`state.\` or \`pkce\` name a family)
  --skip ID|PREFIX      skip these checks (repeatable, comma-separated)
  --shard I/N           run the I-th of N slices of the selected checks (merge the reports with \`merge\`)

Run:
  --seed N              seed for the mock provider's keys, data and the checks' randomness (default 1)
  --concurrency N       checks running at the same time (default 4)
  --timeout MS          per-check timeout; a check still running then ends in error (default 30000;
                        checks driving Chromium get twice as long)
  --deadline MS         whole-run deadline; checks not finished by then end in error
  --browser PATH        Chromium executable (default: Playwright's, else the system's chromium)

Output:
  --out DIR             where reports are written (default ./login-harness-report)
  --format LIST         report formats: json,junit,sarif,html,md (default json,html,md; json is always written)
  --quiet               no progress output, only the summary

Gate:
  --fail-on LEVEL       exit 1 when a failure at or above LEVEL remains: critical|high|medium|low (default high)
  --baseline FILE       accepted findings (with justification and expiry) that do not fail the gate
  --severity ID=LEVEL   override a check's severity for this run (repeatable)

  -h, --help            show this help

Exit codes: 0 no failure at or above the threshold, 1 failures, 2 usage or configuration error,
3 the run itself broke (interrupted, target crashed, deadline passed).
`;

const DEFAULT_FORMATS: ReportFormat[] = ['json', 'html', 'md'];

/** Everything `audit` was asked to do, validated. */
export interface AuditCommandOptions {
  manifestPath?: string;
  only: string[];
  skip: string[];
  shard?: { index: number; count: number };
  seed: number;
  concurrency: number;
  checkTimeoutMs: number;
  deadlineMs?: number;
  browserPath?: string;
  outDir: string;
  formats: ReportFormat[];
  quiet: boolean;
  failOn: Severity;
  baseline?: string;
  severityOverrides: Record<string, Severity>;
}

const OPTIONS = {
  only: { type: 'string', multiple: true },
  skip: { type: 'string', multiple: true },
  shard: { type: 'string' },
  seed: { type: 'string' },
  concurrency: { type: 'string' },
  timeout: { type: 'string' },
  deadline: { type: 'string' },
  browser: { type: 'string' },
  out: { type: 'string' },
  format: { type: 'string', multiple: true },
  quiet: { type: 'boolean', short: 'q' },
  'fail-on': { type: 'string' },
  baseline: { type: 'string' },
  severity: { type: 'string', multiple: true },
} as const;

/** Parses and validates `audit`'s arguments; `undefined` when `--help` was asked. Throws {@link UsageError}. */
export function parseAuditArgs(argv: string[], cwd: string): AuditCommandOptions | undefined {
  const { values: v, positionals, help } = parseCommandArgs('audit', argv, OPTIONS, 1);
  if (help) return undefined;
  const usage = (message: string): UsageError => new UsageError(message, { command: 'audit' });
  // The report folder's parsers throw a UsageError without a command; re-raised here so the message
  // points at `audit --help`.
  const wrap = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof UsageError) throw usage(err.message);
      throw err;
    }
  };

  const formatList = listFlag(v.format);
  const chosen = formatList.length ? wrap(() => parseFormats(formatList.join(','))) : DEFAULT_FORMATS;
  // JSON is the report every other tool (merge, diff, baseline) reads, so it is always written.
  const formats: ReportFormat[] = chosen.includes('json') ? chosen : ['json', ...chosen];

  const failOn = wrap(() => parseSeverity(v['fail-on'] ?? 'high', '--fail-on'));

  const severityOverrides: Record<string, Severity> = {};
  for (const raw of v.severity ?? []) {
    const m = /^([^=\s]+)=(\w+)$/.exec(raw.trim());
    if (!m) throw usage(`--severity: expected ID=LEVEL, got ${JSON.stringify(raw)}`);
    severityOverrides[m[1]] = wrap(() => parseSeverity(m[2], `--severity ${m[1]}`));
  }

  const options: AuditCommandOptions = {
    only: listFlag(v.only),
    skip: listFlag(v.skip),
    seed: wrap(() => intFlag(v.seed, '--seed', 1, { min: 0, max: 2 ** 31 - 1 })),
    concurrency: wrap(() => intFlag(v.concurrency, '--concurrency', 4, { min: 1, max: 64 })),
    checkTimeoutMs: wrap(() => intFlag(v.timeout, '--timeout', 30_000, { min: 1 })),
    outDir: path.resolve(cwd, v.out ?? 'login-harness-report'),
    formats,
    quiet: v.quiet === true,
    failOn,
    severityOverrides,
  };
  if (positionals[0] !== undefined) options.manifestPath = path.resolve(cwd, positionals[0]);
  if (v.shard !== undefined) options.shard = wrap(() => parseShard(v.shard ?? ''));
  if (v.deadline !== undefined) options.deadlineMs = wrap(() => intFlag(v.deadline, '--deadline', 0, { min: 1 }));
  if (v.browser !== undefined) options.browserPath = path.resolve(cwd, v.browser);
  if (v.baseline !== undefined) options.baseline = path.resolve(cwd, v.baseline);
  return options;
}

/** Runs `audit` and returns its exit code (0, 1, or 3; usage errors are thrown). */
export async function runAuditCommand(argv: string[], io: CliIo): Promise<number> {
  const opts = parseAuditArgs(argv, io.cwd);
  if (!opts) {
    io.stdout(AUDIT_HELP);
    return 0;
  }
  // Loaded here so `list`, `explain` and `--help` do not pay for the runner and the writers.
  const [{ runClientAudit }, { createReportObserver }, { applyGate }, { loadBaseline }] = await Promise.all([
    import('../runner/client-audit.js'),
    import('../../reports/output.js'),
    import('../../reports/gate.js'),
    import('../../reports/baseline.js'),
  ]);
  // A bad baseline is a usage error before anything starts, not after a long run.
  const baseline = opts.baseline ? await loadBaseline(opts.baseline) : undefined;
  const gate = (report: Report) => applyGate(report, { failOn: opts.failOn, ...(baseline ? { baseline } : {}) });

  const progress = progressReporter(io, { quiet: opts.quiet });
  // Collects results as they arrive, so a run that breaks half-way still leaves a partial report.
  const observer = createReportObserver({
    formats: opts.formats,
    outDir: opts.outDir,
    target: { name: 'unknown', kind: 'unknown', profile: 'unknown' },
    mode: 'client',
    seed: opts.seed,
    ...(opts.shard ? { shard: opts.shard } : {}),
    finalize: (r) => gate(r).report,
  });
  let started = false;
  const onEvent = (e: RunnerEvent): void => {
    if (e.type === 'run-start') started = true;
    progress.onEvent(e);
    observer.onEvent(e);
  };

  let report: Report;
  try {
    report = await runClientAudit({
      ...(opts.manifestPath ? { manifestPath: opts.manifestPath } : {}),
      seed: opts.seed,
      only: opts.only,
      skip: opts.skip,
      ...(opts.shard ? { shard: opts.shard } : {}),
      concurrency: opts.concurrency,
      checkTimeoutMs: opts.checkTimeoutMs,
      ...(opts.deadlineMs !== undefined ? { deadlineMs: opts.deadlineMs } : {}),
      ...(opts.browserPath ? { browserPath: opts.browserPath } : {}),
      severityOverrides: opts.severityOverrides,
      onEvent,
    });
  } catch (err) {
    progress.done();
    if (started) {
      const files = await observer.flush('crashed').catch(() => []);
      if (files.length)
        io.stderr(`login-harness: partial results written to ${files.map((f) => relativeToCwd(io, f)).join(', ')}\n`);
    }
    throw err;
  }
  progress.done();

  return publishAudit(io, gate(report), { formats: opts.formats, outDir: opts.outDir });
}
