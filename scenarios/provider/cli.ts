/**
 * `login-harness audit-provider`: audits an authorization server from its discovery document (or, with
 * no `--discovery`, the embedded mock provider in its strict `lexoffice` profile), writes the reports,
 * prints the summary and applies the gate, exactly as `audit` does for clients.
 */
import path from 'node:path';
import { intFlag, listFlag, parseCommandArgs, UsageError } from '../../harness/cli/args.js';
import { reportError } from '../../harness/cli/exit.js';
import { processIo, type CliIo } from '../../harness/cli/io.js';
import { publishAudit } from '../../harness/cli/publish.js';
import { PERMISSIVE_MODE_DOCS } from '../../mock-idp/faults/fault-docs.js';
import type { BundledProfile, PermissiveMode } from '../../mock-idp/types.js';
import type { Report, RunnerEvent } from '../../reports/model.js';
import type { ReportFormat } from '../../reports/output.js';
import type { Severity } from '../types.js';
import { providerChecks, selectProviderChecks } from './catalog.js';
import type { ProviderOptIn } from './types.js';

export const AUDIT_PROVIDER_HELP = `Usage: login-harness audit-provider [options]

Audits an authorization server: the harness plays a correct OAuth client (with its own loopback
callback listener) and splices one deviation into an otherwise correct flow per check (a missing
PKCE challenge, a wrong verifier, a replayed code, a redirect URI variant, ...).

Without --discovery it audits the embedded mock provider in its strict lexoffice profile,
registering its own clients, so the command works out of the box.

Provider:
  --discovery URL|FILE  the provider's discovery document (URL, issuer URL, or JSON file)
  --client FILE         client file: the registered client(s), scopes, login method (required with --discovery)
  --profile NAME        embedded mock only: lexoffice (default) or lexoffice-partner
  --permissive LIST     embedded mock only, for demonstrations: switch on permissive modes
                        (comma-separated; see docs/provider-audit.md)

Selection:
  --only ID|PREFIX      run only these checks (repeatable, comma-separated; \`provider.pkce\` names a family)
  --skip ID|PREFIX      skip these checks (repeatable, comma-separated)
  --opt-in slow         also run the slow checks (code lifetime: waits ~10 minutes; idle refresh expiry:
                        waits slow.refreshIdleMs from the client file)

Run:
  --seed N              seed for the mock provider and the checks' randomness (default 1)
  --concurrency N       checks running at the same time (default 4)
  --timeout MS          per-check timeout (default by login method: auto 30000, playwright 300000,
                        manual 1800000; slow checks get their wait on top)

Output:
  --out DIR             where reports are written (default ./login-harness-report)
  --format LIST         report formats: json,junit,sarif,html,md (default json,html,md; json is always written)
  --quiet               no progress output, only the summary

Gate:
  --fail-on LEVEL       exit 1 when a failure at or above LEVEL remains: critical|high|medium|low (default high)
  --baseline FILE       accepted findings (with justification and expiry) that do not fail the gate

  -h, --help            show this help

Exit codes: 0 no failure at or above the threshold, 1 failures, 2 usage or configuration error,
3 the run itself broke (interrupted, deadline passed).
`;

/** Every permissive mode of the mock (PERMISSIVE_MODE_DOCS is a Record over the PermissiveMode union). */
export const PERMISSIVE_MODES = Object.keys(PERMISSIVE_MODE_DOCS) as readonly PermissiveMode[];

const OPTIONS = {
  discovery: { type: 'string' },
  client: { type: 'string' },
  profile: { type: 'string' },
  permissive: { type: 'string', multiple: true },
  only: { type: 'string', multiple: true },
  skip: { type: 'string', multiple: true },
  'opt-in': { type: 'string', multiple: true },
  seed: { type: 'string' },
  concurrency: { type: 'string' },
  timeout: { type: 'string' },
  out: { type: 'string' },
  format: { type: 'string', multiple: true },
  quiet: { type: 'boolean', short: 'q' },
  'fail-on': { type: 'string' },
  baseline: { type: 'string' },
} as const;

/** `audit-provider`'s arguments, validated. */
export interface AuditProviderOptions {
  discovery?: string;
  clientFile?: string;
  profile: BundledProfile;
  permissive: PermissiveMode[];
  only: string[];
  skip: string[];
  optIns: ProviderOptIn[];
  seed: number;
  concurrency: number;
  /** Per-check timeout in ms; 0: the default for the login method ({@link DEFAULT_TIMEOUT_MS}). */
  checkTimeoutMs: number;
  outDir: string;
  formats: ReportFormat[];
  quiet: boolean;
  failOn: Severity;
  baseline?: string;
}

const COMMAND = 'audit-provider';

/**
 * Default per-check timeouts by login method: a check may run a dozen logins, and a browser login
 * takes seconds, a manual one minutes.
 */
export const DEFAULT_TIMEOUT_MS = { auto: 30_000, playwright: 300_000, manual: 1_800_000 } as const;

/** Parses and validates the arguments; `undefined` for `--help`. Throws {@link UsageError}. */
export async function parseAuditProviderArgs(argv: string[], cwd: string): Promise<AuditProviderOptions | undefined> {
  const { values: v, help } = parseCommandArgs(COMMAND, argv, OPTIONS, 0);
  if (help) return undefined;
  const usage = (m: string): UsageError => new UsageError(m, { command: COMMAND });
  const [{ parseFormats }, { parseSeverity }] = await Promise.all([
    import('../../reports/output.js'),
    import('../../reports/severity.js'),
  ]);
  const wrap = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof UsageError) throw usage(err.message);
      throw err;
    }
  };
  const discovery =
    v.discovery === undefined
      ? undefined
      : /^https?:\/\//i.test(v.discovery)
        ? v.discovery
        : path.resolve(cwd, v.discovery);
  if (discovery && v.client === undefined)
    throw usage('--discovery needs --client FILE: the harness cannot register clients at a real provider');
  if (!discovery && v.client !== undefined)
    throw usage('--client is only used with --discovery (the embedded mock registers its own clients)');
  if (discovery && v.profile !== undefined)
    throw usage('--profile selects a profile of the embedded mock; it cannot be used with --discovery');
  if (discovery && v.permissive !== undefined)
    throw usage('--permissive only applies to the embedded mock (no --discovery)');
  const profile = v.profile ?? 'lexoffice';
  if (profile !== 'lexoffice' && profile !== 'lexoffice-partner')
    throw usage(`--profile: expected lexoffice or lexoffice-partner, got ${JSON.stringify(profile)}`);
  const permissive: PermissiveMode[] = [];
  for (const m of listFlag(v.permissive)) {
    if (!(PERMISSIVE_MODES as readonly string[]).includes(m))
      throw usage(`--permissive: unknown mode ${JSON.stringify(m)} (known: ${PERMISSIVE_MODES.join(', ')})`);
    permissive.push(m as PermissiveMode);
  }
  const optIns: ProviderOptIn[] = [];
  for (const o of listFlag(v['opt-in'])) {
    if (o !== 'slow') throw usage(`--opt-in: unknown group ${JSON.stringify(o)} (known: slow)`);
    optIns.push(o);
  }
  const formatList = listFlag(v.format);
  const chosen = formatList.length
    ? wrap(() => parseFormats(formatList.join(',')))
    : (['json', 'html', 'md'] as ReportFormat[]);
  const formats: ReportFormat[] = chosen.includes('json') ? chosen : ['json', ...chosen];
  const opts: AuditProviderOptions = {
    discovery,
    clientFile: v.client === undefined ? undefined : path.resolve(cwd, v.client),
    profile,
    permissive,
    only: listFlag(v.only),
    skip: listFlag(v.skip),
    optIns,
    seed: wrap(() => intFlag(v.seed, '--seed', 1, { min: 0, max: 2 ** 31 - 1 })),
    concurrency: wrap(() => intFlag(v.concurrency, '--concurrency', 4, { min: 1, max: 64 })),
    checkTimeoutMs: wrap(() => intFlag(v.timeout, '--timeout', 0, { min: 1 })),
    outDir: path.resolve(cwd, v.out ?? 'login-harness-report'),
    formats,
    quiet: v.quiet === true,
    failOn: wrap(() => parseSeverity(v['fail-on'] ?? 'high', '--fail-on')),
  };
  if (v.baseline !== undefined) opts.baseline = path.resolve(cwd, v.baseline);
  return opts;
}

/**
 * Runs `audit-provider` and returns its exit code: 0 no failure at or above the threshold, 1 failures,
 * 2 usage or configuration error, 3 the run itself broke.
 */
export async function runAuditProviderCommand(argv: string[], io: CliIo = processIo()): Promise<number> {
  let opts: AuditProviderOptions | undefined;
  try {
    opts = await parseAuditProviderArgs(argv, io.cwd);
  } catch (err) {
    return reportError(err, io);
  }
  if (!opts) {
    io.stdout(AUDIT_PROVIDER_HELP);
    return 0;
  }
  const checks = selectProviderChecks(providerChecks, opts.only, opts.skip);
  if (checks.length === 0) {
    io.stderr(`login-harness: --only/--skip select no provider check\nSee \`login-harness ${COMMAND} --help\`.\n`);
    return 2;
  }
  const [{ prepareEmbeddedAudit, prepareProviderAudit }, { loadClientFile }, { runProviderChecks }, reports] =
    await Promise.all([
      import('./embedded.js'),
      import('./config.js'),
      import('./audit.js'),
      Promise.all([
        import('../../reports/build.js'),
        import('../../reports/gate.js'),
        import('../../reports/baseline.js'),
        import('../../harness/cli/progress.js'),
      ]),
    ]);
  const [{ buildReport }, { applyGate }, { loadBaseline }, { progressReporter }] = reports;

  let prepared: Awaited<ReturnType<typeof prepareEmbeddedAudit>>;
  let baseline: Awaited<ReturnType<typeof loadBaseline>> | undefined;
  try {
    baseline = opts.baseline ? await loadBaseline(opts.baseline) : undefined;
    if (opts.discovery && opts.clientFile) {
      const { file } = await loadClientFile(opts.clientFile);
      prepared = await prepareProviderAudit({
        discovery: opts.discovery,
        clientFile: file,
        seed: opts.seed,
        optIns: opts.optIns,
        print: (l) => io.stderr(`${l}\n`),
        env: io.env,
      });
    } else {
      prepared = await prepareEmbeddedAudit({
        profile: opts.profile,
        permissive: opts.permissive,
        seed: opts.seed,
        optIns: opts.optIns,
      });
    }
  } catch (err) {
    return reportError(err, io);
  }

  const progress = progressReporter(io, { quiet: opts.quiet });
  const interrupt = new AbortController();
  const onSigint = (): void => interrupt.abort();
  process.once('SIGINT', onSigint);
  const target: Report['target'] = { name: prepared.name, kind: 'authorization-server', profile: prepared.profile };
  if (opts.clientFile) target.manifest = opts.clientFile;
  const startedAt = new Date().toISOString();
  const onEvent = (e: RunnerEvent): void => progress.onEvent(e);
  onEvent({
    type: 'run-start',
    target,
    seed: opts.seed,
    mode: 'provider',
    checkIds: checks.map((c) => c.id),
    startedAt,
  });
  let outcome: Awaited<ReturnType<typeof runProviderChecks>>;
  try {
    // Slow checks wait out a lifetime; their timeout covers the wait.
    const slowExtra = opts.optIns.includes('slow')
      ? Math.max(prepared.setup.slow.codeLifetimeMs, prepared.setup.slow.refreshIdleMs ?? 0)
      : 0;
    outcome = await runProviderChecks(checks, prepared.setup, {
      concurrency: opts.concurrency,
      checkTimeoutMs: (opts.checkTimeoutMs || DEFAULT_TIMEOUT_MS[prepared.setup.person.method]) + slowExtra,
      onEvent,
      signal: interrupt.signal,
    });
  } finally {
    process.off('SIGINT', onSigint);
    progress.done();
    await prepared.close();
  }
  const report = buildReport({
    mode: 'provider',
    target,
    seed: opts.seed,
    startedAt,
    finishedAt: new Date().toISOString(),
    status: outcome.status,
    results: outcome.results,
  });
  const gated = applyGate(report, { failOn: opts.failOn, ...(baseline ? { baseline } : {}) });
  const redact = prepared.setup.redact ?? prepared.setup.secrets.redact;
  return publishAudit(io, gated, { formats: opts.formats, outDir: opts.outDir, redact });
}
