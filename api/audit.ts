/**
 * `auditClient` and `auditProvider`: the audits the CLI runs, as functions that return the report.
 * Everything heavy (the runner, the catalog, the mock provider, the browser) is imported when an audit
 * starts, so importing the package costs nothing until then.
 */
import path from 'node:path';
import type { ManifestInput } from '../harness/define-target.js';
import type { ClientFile } from '../harness/provider/config.js';
import type { BundledProfile, PermissiveMode } from '../mock-idp/types.js';
import type { PolicyName, Report, RunnerEvent, Severity } from '../reports/model.js';

/** Options both audits take. */
export interface AuditOptions {
  /** Check ids or prefixes to run (`state.`, `pkce`); default: every check that applies. */
  only?: string[];
  /** Check ids or prefixes to leave out. */
  skip?: string[];
  /** Seed of the mock provider's keys and data and of the checks' randomness (default 1). */
  seed?: number;
  /** Checks running at the same time (default 4). */
  concurrency?: number;
  /** Per-check timeout in ms (default 30000; browser checks of a client audit get twice as long). */
  checkTimeoutMs?: number;
  /** Progress: one event per started and finished check. */
  onEvent?: (event: RunnerEvent) => void;
  /** Aborting it stops the audit; the report then has status `interrupted`. */
  signal?: AbortSignal;
  /**
   * How findings become verdicts: `rfc9700` (default), `strict` or `fapi2`. A client audit takes the
   * manifest's `policy` when this is absent.
   * See docs/verdicts.md.
   */
  policy?: PolicyName;
}

/** Options of {@link auditClient}. */
export interface AuditClientOptions extends AuditOptions {
  /** Chromium to drive for browser checks (default: Playwright's, else the system's). */
  browserPath?: string;
  /** Whole-run deadline in ms; checks not finished by then end in `error`. */
  deadlineMs?: number;
  /** Per-run severity by check id. */
  severityOverrides?: Record<string, Severity>;
  /** Folder relative paths of a manifest object are resolved against (default: the working directory). */
  cwd?: string;
}

/**
 * Audits a client: starts the target the manifest describes, runs the client checks against the
 * embedded mock provider and returns the report (the model of `report.json`). The same audit as
 * `login-harness audit`, without writing files or applying the gate: pass the report to
 * `expect(report).toPassLoginAudit()` (`lexoffice-login-harness/vitest`) or {@link gateReport}.
 *
 * @param manifestOrPath - a manifest file (JSON, or a module whose default export is
 *   `defineTarget({...})`), a manifest object, or nothing for the bundled reference web client.
 * @throws `ManifestError` (code `manifest`) for an invalid manifest, before anything starts; once the
 *   audit runs, every problem ends a check in `error` and the report says how the run ended.
 * @see docs/api.md#auditclient
 * @see docs/checks.md (the checks)
 *
 * @example
 * ```ts
 * import { auditClient } from 'lexoffice-login-harness';
 * const report = await auditClient('examples/reference-web/target.json', { only: ['state.'] });
 * console.log(report.summary);
 * ```
 */
export async function auditClient(
  manifestOrPath?: string | ManifestInput,
  options: AuditClientOptions = {},
): Promise<Report> {
  const [{ runClientAudit }, { loadClientCatalog }] = await Promise.all([
    import('../harness/runner/client-audit.js'),
    import('../harness/cli/catalog.js'),
  ]);
  const cwd = options.cwd ?? process.cwd();
  return runClientAudit({
    ...(typeof manifestOrPath === 'string' ? { manifestPath: path.resolve(cwd, manifestOrPath) } : {}),
    ...(manifestOrPath !== undefined && typeof manifestOrPath === 'object'
      ? { manifest: { input: manifestOrPath, dir: cwd } }
      : {}),
    catalog: await loadClientCatalog(),
    seed: options.seed ?? 1,
    only: options.only ?? [],
    skip: options.skip ?? [],
    concurrency: options.concurrency ?? 4,
    checkTimeoutMs: options.checkTimeoutMs ?? 30_000,
    ...(options.deadlineMs !== undefined ? { deadlineMs: options.deadlineMs } : {}),
    ...(options.browserPath !== undefined ? { browserPath: options.browserPath } : {}),
    ...(options.severityOverrides ? { severityOverrides: options.severityOverrides } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.policy ? { policy: options.policy } : {}),
  });
}

/** Options of {@link auditProvider}. */
export interface AuditProviderOptions extends AuditOptions {
  /**
   * The provider to audit: its issuer or discovery URL, or a metadata file. Without it, the embedded
   * mock provider is audited (with `profile` and `permissive`).
   */
  discovery?: string;
  /** The clients registered at that provider (the client file of `audit-provider --client`): an object or a path. */
  client?: ClientFile | string;
  /** The embedded mock's profile (default `lexoffice`). */
  profile?: BundledProfile;
  /** Permissive modes to switch on in the embedded mock (each makes some check fail). */
  permissive?: PermissiveMode[];
}

/**
 * Audits an authorization server (the embedded mock by default) with the provider checks and returns
 * the report. The same audit as `login-harness audit-provider`.
 *
 * @throws `UsageError` when `discovery` is given without `client`, or the selection is empty;
 *   `ProviderConfigError` when the metadata cannot be loaded.
 * @see docs/api.md#auditprovider
 * @see docs/provider-audit.md
 *
 * @example
 * ```ts
 * import { auditProvider } from 'lexoffice-login-harness';
 * const report = await auditProvider({ only: ['provider.pkce'] });
 * ```
 */
export async function auditProvider(options: AuditProviderOptions = {}): Promise<Report> {
  const [{ loadProviderCatalog }, embedded, config, audit, { UsageError }] = await Promise.all([
    import('../harness/cli/catalog.js'),
    import('../harness/provider/embedded.js'),
    import('../harness/provider/config.js'),
    import('../harness/provider/audit.js'),
    import('../core/args.js'),
  ]);
  const catalog = await loadProviderCatalog();
  const selection = { only: options.only ?? [], skip: options.skip ?? [] };
  if (audit.planProviderChecks(catalog, selection).length === 0)
    throw new UsageError('only/skip select no provider check');
  if (options.discovery !== undefined && options.client === undefined)
    throw new UsageError('auditProvider: `discovery` needs `client` (the clients registered at the provider)');
  const clientFile =
    typeof options.client === 'string'
      ? (await config.loadClientFile(path.resolve(options.client))).file
      : options.client !== undefined
        ? config.parseClientFile(options.client, 'client')
        : undefined;
  const prepared =
    options.discovery !== undefined && clientFile
      ? await embedded.prepareProviderAudit({ discovery: options.discovery, clientFile, seed: options.seed ?? 1 })
      : await embedded.prepareEmbeddedAudit({
          profile: options.profile ?? 'lexoffice',
          permissive: options.permissive ?? [],
          seed: options.seed ?? 1,
        });
  try {
    return await audit.runProviderAudit(catalog, prepared, {
      ...selection,
      concurrency: options.concurrency ?? 4,
      checkTimeoutMs: options.checkTimeoutMs ?? 30_000,
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.policy ? { policy: options.policy } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(typeof options.client === 'string' ? { clientFile: options.client } : {}),
    });
  } finally {
    await prepared.close();
  }
}

/** Options of {@link gateReport}. */
export interface GateReportOptions {
  /** Fail on failures at or above this severity (default `high`). */
  failOn?: Severity;
  /** Let checks that ended in `error` pass (default false: they fail the gate). */
  allowErrors?: boolean;
}

/** What {@link gateReport} decided. */
export interface GateVerdict {
  /** True when nothing blocks: the CLI would exit 0. */
  passed: boolean;
  /** Failures at or above the threshold. */
  blocking: Report['results'];
  /** Checks that ended in `error` (blocking unless `allowErrors`). */
  errored: Report['results'];
}

/**
 * Applies the CLI's gate to a report: the same decision as `login-harness audit --fail-on LEVEL`
 * (a run that did not complete never passes).
 *
 * @see docs/api.md#gatereport
 */
export async function gateReport(report: Report, options: GateReportOptions = {}): Promise<GateVerdict> {
  const { applyGate } = await import('../reports/gate.js');
  const gate = applyGate(report, { failOn: options.failOn ?? 'high', allowErrors: options.allowErrors === true });
  return {
    passed: gate.exitCode === 0 && report.status === 'complete',
    blocking: gate.blocking,
    errored: gate.errored,
  };
}
