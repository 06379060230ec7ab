/**
 * The skeleton both audit commands (`audit` for clients, `audit-provider` for authorization servers)
 * share: the options they have in common and their help, the baseline read before anything starts,
 * progress, Ctrl-C (the run is interrupted, the partial report written, exit 3), the gate and the
 * written reports. A command adds only its own options and how it runs its checks.
 */
import { constants } from 'node:os';
import path from 'node:path';
import { POLICY_NAMES, type PolicyName, type Report, type RunnerEvent, type Severity } from '../../reports/model.js';
import type { ReportFormat } from '../../reports/output.js';
import { choiceFlag, intFlag, listFlag, UsageError, type ParsedArgs } from '../../core/args.js';
import { killAllTargetsSync } from '../target/registry.js';
import type { CliIo } from './io.js';
import { progressReporter } from './progress.js';
import { publishAudit, relativeToCwd } from './publish.js';

/** Options every audit command takes. */
export const COMMON_AUDIT_OPTIONS = {
  only: { type: 'string', multiple: true },
  skip: { type: 'string', multiple: true },
  seed: { type: 'string' },
  concurrency: { type: 'string' },
  timeout: { type: 'string' },
  out: { type: 'string' },
  format: { type: 'string', multiple: true },
  quiet: { type: 'boolean', short: 'q' },
  'fail-on': { type: 'string' },
  baseline: { type: 'string' },
  policy: { type: 'string' },
  'allow-errors': { type: 'boolean' },
} as const;

/** Help of the output options, the same for every audit command. */
export const OUTPUT_HELP = `Output:
  --out DIR             where reports are written (default ./login-harness-report)
  --format LIST         report formats: json,junit,sarif,html,md (default json,html,md; json is always written)
  --quiet               no progress output, only the summary`;

/** Help of the gate options every audit command has. */
export const GATE_HELP = `Gate:
  --fail-on LEVEL       exit 1 when a failure at or above LEVEL remains: critical|high|medium|low (default high)
  --baseline FILE       accepted findings (with justification and expiry) that do not fail the gate
  --allow-errors        let checks that ended in error pass the gate (by default any check that could
                        not run, e.g. for want of a browser, fails the gate with exit 1)`;

/**
 * Help of `--policy`; `file` names where else a policy can be set (the manifest, the client file),
 * which the flag overrides.
 */
export function policyHelp(file: string): string {
  return `Verdicts:
  --policy NAME         how a finding becomes a verdict (docs/verdicts.md): ${POLICY_NAMES.join(', ')}.
                        rfc9700 (default): a violated MUST fails unless the text allows it under a
                        condition that held; a violated SHOULD or recommendation warns. strict: every
                        violated requirement fails. fapi2: the FAPI 2.0 Security Profile's rules.
                        Overrides the ${file}'s "policy" field`;
}

/** The exit codes of an audit command; `broke` says what makes a run break for this command. */
export function exitCodesHelp(broke: string): string {
  return `Exit codes: 0 no failure at or above the threshold and no check in error, 1 failures or checks
that could not run (see --allow-errors), 2 usage or configuration error, 3 the run itself broke
(${broke}).`;
}

const DEFAULT_FORMATS: ReportFormat[] = ['json', 'html', 'md'];

/** The validated common options of an audit command. */
export interface CommonAuditOptions {
  only: string[];
  skip: string[];
  seed: number;
  concurrency: number;
  /** Per-check timeout in ms (the command's default when not given). */
  checkTimeoutMs: number;
  outDir: string;
  formats: ReportFormat[];
  quiet: boolean;
  failOn: Severity;
  /** `--allow-errors`: checks that ended in `error` do not fail the gate. */
  allowErrors: boolean;
  baseline?: string;
  /**
   * `--policy`; absent when not given, so the manifest's or client file's `policy` applies, else the
   * default `rfc9700`.
   */
  policy?: PolicyName;
}

/**
 * Validates the common options of `command`; `timeoutMs` is the default per-check timeout. Throws a
 * {@link UsageError} pointing at the command's help.
 */
export async function parseCommonAuditOptions(
  command: string,
  v: ParsedArgs<typeof COMMON_AUDIT_OPTIONS>['values'],
  cwd: string,
  defaults: { timeoutMs: number },
): Promise<CommonAuditOptions> {
  const [{ parseFormats }, { parseSeverity }] = await Promise.all([
    import('../../reports/output.js'),
    import('../../reports/severity.js'),
  ]);
  const formatList = listFlag(v.format);
  const chosen = formatList.length ? usageOf(command, () => parseFormats(formatList.join(','))) : DEFAULT_FORMATS;
  // JSON is the report every other tool (merge, diff, baseline) reads, so it is always written.
  const formats: ReportFormat[] = chosen.includes('json') ? chosen : ['json', ...chosen];
  const options: CommonAuditOptions = {
    only: listFlag(v.only),
    skip: listFlag(v.skip),
    seed: usageOf(command, () => intFlag(v.seed, '--seed', 1, { min: 0, max: 2 ** 31 - 1 })),
    concurrency: usageOf(command, () => intFlag(v.concurrency, '--concurrency', 4, { min: 1, max: 64 })),
    checkTimeoutMs: usageOf(command, () => intFlag(v.timeout, '--timeout', defaults.timeoutMs, { min: 1 })),
    outDir: path.resolve(cwd, v.out ?? 'login-harness-report'),
    formats,
    quiet: v.quiet === true,
    failOn: usageOf(command, () => parseSeverity(v['fail-on'] ?? 'high', '--fail-on')),
    allowErrors: v['allow-errors'] === true,
  };
  if (v.baseline !== undefined) options.baseline = path.resolve(cwd, v.baseline);
  const policy = usageOf(command, () => choiceFlag(v.policy, '--policy', POLICY_NAMES));
  if (policy !== undefined) options.policy = policy;
  return options;
}

/**
 * Runs `fn`; a usage error it throws (e.g. from the report folder's parsers, which know no command) is
 * re-raised pointing at `command`'s help.
 */
export function usageOf<T>(command: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof UsageError && err.code === 'usage' && err.command === undefined)
      throw new UsageError(err.message, { command });
    throw err;
  }
}

/** What a command's run gets from the skeleton. */
export interface AuditRunContext {
  /** Runner events go here (progress, partial report). */
  onEvent(e: RunnerEvent): void;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM: the run stops and reports what finished. */
  signal: AbortSignal;
}

/** How a command runs its checks. */
export interface AuditRun {
  /** Runs the checks and returns the report the runner assembled (its results are redacted already). */
  run(ctx: AuditRunContext): Promise<Report>;
}

/**
 * Runs an audit command's checks with everything the audit commands share, and returns the exit code:
 * 0 no failure at or above the threshold, 1 failures, 3 the run did not complete (its partial report
 * is written). Errors before the run starts (a bad baseline, manifest or client file) are thrown for
 * the CLI to map to their exit code.
 */
export async function runAuditSkeleton(io: CliIo, common: CommonAuditOptions, audit: AuditRun): Promise<number> {
  const [{ createReportObserver }, { applyGate, baselineNotes }, { loadBaseline }] = await Promise.all([
    import('../../reports/output.js'),
    import('../../reports/gate.js'),
    import('../../reports/baseline.js'),
  ]);
  // A bad baseline is a usage error before anything starts, not after a long run.
  const baseline = common.baseline ? await loadBaseline(common.baseline) : undefined;
  const gate = (report: Report) =>
    applyGate(report, { failOn: common.failOn, allowErrors: common.allowErrors, ...(baseline ? { baseline } : {}) });

  const progress = progressReporter(io, { quiet: common.quiet });
  // Writes the report the runner announced when the run breaks half-way (a crashed run's partial report).
  const observer = createReportObserver({
    formats: common.formats,
    outDir: common.outDir,
    finalize: (r) => gate(r).report,
  });
  const onEvent = (e: RunnerEvent): void => {
    progress.onEvent(e);
    observer.onEvent(e);
  };

  const interrupt = interruptOnSignals();
  let report: Report;
  try {
    report = await audit.run({ onEvent, signal: interrupt.signal });
  } catch (err) {
    progress.done();
    // Nothing is written when the run broke before the runner announced a report (e.g. a bad manifest).
    const files = await observer.flush().catch(() => []);
    if (files.length)
      io.stderr(`login-harness: partial results written to ${files.map((f) => relativeToCwd(io, f)).join(', ')}\n`);
    throw err;
  } finally {
    interrupt.dispose();
  }
  progress.done();
  const gated = gate(report);
  // Entries that expired, or were made under another policy than this run's, are said so.
  for (const note of baselineNotes(gated)) io.stderr(`login-harness: ${note}\n`);
  return publishAudit(io, gated, {
    formats: common.formats,
    outDir: common.outDir,
    allowErrors: common.allowErrors,
  });
}

/**
 * Turns the first SIGINT or SIGTERM into an abort of the run (which then stops its checks, stops what
 * it started and reports what finished). A second one stops waiting for that: every process group the
 * harness started is killed and the process exits with 128 + the signal's number.
 */
export function interruptOnSignals(): { signal: AbortSignal; dispose(): void } {
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!interrupt.signal.aborted) {
      interrupt.abort(new Error(`interrupted by ${signal}`));
      return;
    }
    dispose();
    // Re-raising the signal would not end the process while other listeners remain (the target
    // registry's, Playwright's, whose SIGTERM listener only closes its browsers): exit instead.
    killAllTargetsSync();
    process.exit(signalExitCode(signal));
  };
  // `on`, not `once`: while the run is stopping, a listener must stay installed, or the target
  // registry's own handler would take the first signal as the last and end the process at once.
  const dispose = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { signal: interrupt.signal, dispose };
}

/** The exit status of a process ended by `signal`, as a shell reports it: 128 + the signal's number. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}
