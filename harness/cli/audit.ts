/**
 * `login-harness audit [TARGET]`: runs the client catalog against one target, writes the reports,
 * prints the summary and applies the gate (the skeleton shared with `audit-provider`: audit-run.ts).
 */
import path from 'node:path';
import type { Severity } from '../../reports/model.js';
import { parseSeverity } from '../../reports/severity.js';
import { parseShard } from '../../reports/shard.js';
import { intFlag, parseCommandArgs, UsageError } from '../../core/args.js';
import {
  COMMON_AUDIT_OPTIONS,
  exitCodesHelp,
  GATE_HELP,
  OUTPUT_HELP,
  parseCommonAuditOptions,
  policyHelp,
  runAuditSkeleton,
  usageOf,
  type CommonAuditOptions,
} from './audit-run.js';
import type { CliIo } from './io.js';

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

${policyHelp('manifest')}

${OUTPUT_HELP}

${GATE_HELP}
  --severity ID=LEVEL   override a check's severity for this run (repeatable)

  -h, --help            show this help

${exitCodesHelp('interrupted, target crashed, deadline passed')}
`;

/** Everything `audit` was asked to do, validated. */
export interface AuditCommandOptions extends CommonAuditOptions {
  manifestPath?: string;
  shard?: { index: number; count: number };
  deadlineMs?: number;
  browserPath?: string;
  severityOverrides: Record<string, Severity>;
}

const OPTIONS = {
  ...COMMON_AUDIT_OPTIONS,
  shard: { type: 'string' },
  deadline: { type: 'string' },
  browser: { type: 'string' },
  severity: { type: 'string', multiple: true },
} as const;

const COMMAND = 'audit';

/** Parses and validates `audit`'s arguments; `undefined` when `--help` was asked. Throws {@link UsageError}. */
export async function parseAuditArgs(argv: string[], cwd: string): Promise<AuditCommandOptions | undefined> {
  const { values: v, positionals, help } = parseCommandArgs(COMMAND, argv, OPTIONS, 1);
  if (help) return undefined;
  const common = await parseCommonAuditOptions(COMMAND, v, cwd, { timeoutMs: 30_000 });
  const severityOverrides: Record<string, Severity> = {};
  for (const raw of v.severity ?? []) {
    const m = /^([^=\s]+)=(\w+)$/.exec(raw.trim());
    if (!m) throw new UsageError(`--severity: expected ID=LEVEL, got ${JSON.stringify(raw)}`, { command: COMMAND });
    severityOverrides[m[1]] = usageOf(COMMAND, () => parseSeverity(m[2], `--severity ${m[1]}`));
  }
  const options: AuditCommandOptions = { ...common, severityOverrides };
  if (positionals[0] !== undefined) options.manifestPath = path.resolve(cwd, positionals[0]);
  if (v.shard !== undefined) options.shard = usageOf(COMMAND, () => parseShard(v.shard ?? ''));
  if (v.deadline !== undefined)
    options.deadlineMs = usageOf(COMMAND, () => intFlag(v.deadline, '--deadline', 0, { min: 1 }));
  if (v.browser !== undefined) options.browserPath = path.resolve(cwd, v.browser);
  return options;
}

/** Runs `audit` and returns its exit code (0, 1, or 3; usage and configuration errors are thrown). */
export async function runAuditCommand(argv: string[], io: CliIo): Promise<number> {
  const opts = await parseAuditArgs(argv, io.cwd);
  if (!opts) {
    io.stdout(AUDIT_HELP);
    return 0;
  }
  // Loaded here so `list`, `explain` and `--help` do not pay for the runner and the catalog.
  const [{ runClientAudit }, { loadClientCatalog }] = await Promise.all([
    import('../runner/client-audit.js'),
    import('./catalog.js'),
  ]);
  const catalog = await loadClientCatalog();
  return runAuditSkeleton(io, opts, {
    run: ({ onEvent, signal }) =>
      runClientAudit({
        ...(opts.manifestPath ? { manifestPath: opts.manifestPath } : {}),
        catalog,
        seed: opts.seed,
        only: opts.only,
        skip: opts.skip,
        ...(opts.shard ? { shard: opts.shard } : {}),
        concurrency: opts.concurrency,
        checkTimeoutMs: opts.checkTimeoutMs,
        ...(opts.deadlineMs !== undefined ? { deadlineMs: opts.deadlineMs } : {}),
        ...(opts.browserPath ? { browserPath: opts.browserPath } : {}),
        severityOverrides: opts.severityOverrides,
        cliStartMs: performance.now(),
        // Absent: the manifest's `policy`, else the default (the flag overrides the file).
        ...(opts.policy ? { policy: opts.policy } : {}),
        onEvent,
        signal,
      }),
  });
}
