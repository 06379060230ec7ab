/**
 * The client audit: one mock provider, one target process shared by every check whose fault is per
 * login (ARCHITECTURE.md, "Login tags"), a fresh provider issuer and target process for each check
 * that changes discovery metadata, and the generic executor in between.
 *
 * Everything it starts is stopped in `finally`, also on SIGINT/SIGTERM (the report then has status
 * `interrupted` and holds the checks that finished).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DiscoveryFault, MockIdp, RunningMockIdp } from '../../mock-idp/types.js';
import { startMockIdp } from '../../mock-idp/index.js';
import { buildReport } from '../../reports/build.js';
import type { CheckResult, Report, RunnerEvent, TranscriptEntryModel } from '../../reports/model.js';
import { selectShard } from '../../reports/shard.js';
import { clientChecks } from '../../scenarios/catalog.js';
import type { ClientCheck, ClientCheckContext, Severity } from '../../scenarios/types.js';
import { loadManifest, resolveTarget, type ManifestTemplate, type PlaceholderValues } from '../manifest/index.js';
import { openSession, prelaunchBrowser, type SessionResources } from '../session/index.js';
import { freeLoopbackPort } from '../target/index.js';
import type { ResolvedTarget, Session } from '../types.js';
import { CheckRunError, ConfigurationError } from './errors.js';
import { executeChecksDetailed, type ExecItem } from './execute.js';
import { checkRandom, loginTag } from './seeded.js';
import { selectChecks } from './select.js';
import { taggedJournal } from './tagged-journal.js';
import { TargetInstance } from './target-instance.js';
import { startTargetHandle, type StartedTarget } from './start-handle.js';

/** The bundled reference web client, audited when no manifest is given. */
export const DEFAULT_MANIFEST = fileURLToPath(new URL('../../examples/reference-web/target.json', import.meta.url));

/**
 * A check driving Chromium does the same logins as one on the HTTP agent, but each page load runs the
 * app's scripts: it gets this many times the per-check timeout.
 */
export const BROWSER_TIMEOUT_FACTOR = 2;

/** Options of {@link runClientAudit}. */
export interface ClientAuditOptions {
  /** Target manifest (JSON or defineTarget module). Default {@link DEFAULT_MANIFEST}. */
  manifestPath?: string;
  /** Seeds the provider's keys and data, the login tags and each check's randomness. */
  seed: number;
  /** Check ids or prefixes to run (`state.`, `pkce`); empty: all that apply to the target's kind. */
  only?: string[];
  /** Check ids or prefixes to leave out. */
  skip?: string[];
  /** 1-based shard of the selected checks (`--shard i/n`). */
  shard?: { index: number; count: number };
  concurrency: number;
  /** Per-check timeout; checks that drive Chromium get {@link BROWSER_TIMEOUT_FACTOR} times as long. */
  checkTimeoutMs: number;
  /** Whole-run deadline, relative to the start of the run. */
  deadlineMs?: number;
  /** Chromium executable; default: found by `harness/browser/find-chromium.ts`. */
  browserPath?: string;
  /** Per-run severity by check id (unknown ids are a configuration error). */
  severityOverrides?: Record<string, Severity>;
  onEvent?(e: RunnerEvent): void;
  /** Aborting it interrupts the run like SIGINT does. */
  signal?: AbortSignal;
  /** Handle SIGINT/SIGTERM by interrupting the run (default true; tests turn it off). */
  handleSignals?: boolean;
  /** The checks to choose from (default: `clientChecks` of scenarios/catalog.ts). */
  catalog?: readonly ClientCheck[];
}

/** One provider with its target: the shared one, or a check's own for discovery faults. */
interface Environment {
  idp: MockIdp;
  target: ResolvedTarget;
  instance: TargetInstance<StartedTarget>;
}

/**
 * Runs the client catalog against the target of `manifestPath` and returns the report. Throws
 * `ManifestError` or {@link ConfigurationError} (exit 2) before anything starts; once the run has
 * started, problems end checks in `error` and the report says how the run ended.
 */
export async function runClientAudit(opts: ClientAuditOptions): Promise<Report> {
  const manifestPath = path.resolve(opts.manifestPath ?? DEFAULT_MANIFEST);
  const template = await loadManifest(manifestPath);
  const checks = planChecks(template, opts);

  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!interrupt.signal.aborted) {
      interrupt.abort(new Error(`interrupted by ${signal}`));
      return;
    }
    // A second Ctrl-C: stop waiting for the graceful end and let the default action happen (the
    // target registry still kills every process group on the way out).
    removeSignalHandlers();
    process.kill(process.pid, signal);
  };
  // `on`, not `once`: while the run is stopping, a listener must stay installed, or the target
  // registry's own handler would take the first signal as the last and end the process at once.
  const removeSignalHandlers = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  if (opts.handleSignals !== false) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  const onOuterAbort = (): void => interrupt.abort(opts.signal?.reason);
  if (opts.signal?.aborted) onOuterAbort();
  else opts.signal?.addEventListener('abort', onOuterAbort, { once: true });

  const startedAtMs = Date.now();
  const reportTarget: Report['target'] = {
    name: template.name,
    kind: template.kind,
    profile: template.profile,
    manifest: manifestPath,
  };
  opts.onEvent?.({
    type: 'run-start',
    target: reportTarget,
    seed: opts.seed,
    mode: 'client',
    checkIds: checks.map((c) => c.check.id),
    startedAt: new Date(startedAtMs).toISOString(),
  });

  const idps: MockIdp[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  const resources: SessionResources = { browserPath: opts.browserPath };
  let status: Report['status'] = 'complete';
  let results: CheckResult[] = [];
  try {
    let shared: Environment | undefined;
    let setupError: Error | undefined;
    try {
      if (checks.some((c) => usesBrowser(c.check, template.kind))) prelaunchBrowser(resources);
      shared = await createEnvironment(template, opts.seed, [], interrupt.signal, idps, cleanups);
      // Start the shared target once up front: a target that cannot start is one clear error, not N.
      if (checks.some((c) => !c.check.discoveryFaults?.length)) await shared.instance.ensure();
    } catch (err) {
      if (isConfigurationProblem(err)) throw err;
      setupError = err instanceof Error ? err : new Error(String(err));
    }

    const redact = (text: string): string => idps.reduce((t, idp) => idp.redact(t), text);
    if (setupError || !shared) {
      const reason = setupError?.message ?? 'setup failed';
      status = interrupt.signal.aborted ? 'interrupted' : 'crashed';
      const items = checks.map((c) => failingItem(c.check, c.severity, reason));
      results =
        status === 'interrupted'
          ? []
          : (
              await executeChecksDetailed(items, {
                concurrency: 1,
                checkTimeoutMs: opts.checkTimeoutMs,
                redact,
                ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
              })
            ).results;
    } else {
      const env = shared;
      const items = checks.map(({ check, severity }) =>
        checkItem(check, severity, {
          timeoutMs: usesBrowser(check, template.kind)
            ? opts.checkTimeoutMs * BROWSER_TIMEOUT_FACTOR
            : opts.checkTimeoutMs,
          seed: opts.seed,
          template,
          shared: env,
          resources,
          idps,
          cleanups,
          signal: interrupt.signal,
        }),
      );
      const outcome = await executeChecksDetailed(items, {
        concurrency: opts.concurrency,
        checkTimeoutMs: opts.checkTimeoutMs,
        ...(opts.deadlineMs !== undefined ? { deadline: startedAtMs + opts.deadlineMs } : {}),
        redact,
        signal: interrupt.signal,
        ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
      });
      results = outcome.results;
      status = outcome.status;
    }
  } finally {
    removeSignalHandlers();
    opts.signal?.removeEventListener('abort', onOuterAbort);
    // Stop in reverse order of creation: sessions and targets before the providers they talk to.
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    // A launch still in progress (started early, or by a check that was abandoned) is awaited, so its
    // Chromium is closed too instead of outliving the run.
    const pool = resources.pool ?? (await resources.launching?.catch(() => undefined));
    await pool?.close().catch(() => undefined);
  }

  const report = buildReport({
    mode: 'client',
    target: reportTarget,
    seed: opts.seed,
    startedAt: new Date(startedAtMs).toISOString(),
    finishedAt: new Date().toISOString(),
    status,
    results,
    ...(opts.shard ? { shard: opts.shard } : {}),
  });
  opts.onEvent?.({ type: 'run-end', report });
  return report;
}

/** The checks this run executes, with their effective severities, in catalog order. */
export function planChecks(
  template: Pick<ManifestTemplate, 'kind'>,
  opts: Pick<ClientAuditOptions, 'only' | 'skip' | 'shard' | 'severityOverrides' | 'catalog'>,
): Array<{ check: ClientCheck; severity: Severity }> {
  const catalog = opts.catalog ?? clientChecks;
  for (const id of Object.keys(opts.severityOverrides ?? {})) {
    if (!catalog.some((c) => c.id === id))
      throw new ConfigurationError(`--severity: no check has the id ${JSON.stringify(id)}`);
  }
  const selected = selectChecks(catalog, { only: opts.only, skip: opts.skip }).filter((c) =>
    c.kinds.includes(template.kind),
  );
  const sharded = opts.shard ? selectShard(selected, opts.shard) : selected;
  return sharded.map((check) => ({ check, severity: opts.severityOverrides?.[check.id] ?? check.severity }));
}

interface CheckDeps {
  timeoutMs: number;
  seed: number;
  template: ManifestTemplate;
  shared: Environment;
  resources: SessionResources;
  idps: MockIdp[];
  cleanups: Array<() => Promise<void>>;
  signal: AbortSignal;
}

function checkItem(check: ClientCheck, severity: Severity, deps: CheckDeps): ExecItem {
  return {
    meta: { ...check, ...(check.faults?.length ? { fault: check.faults.join(', ') } : {}) },
    severity,
    timeoutMs: deps.timeoutMs,
    async run(exec) {
      const tag = loginTag(check.id, deps.seed);
      const sessions: Session[] = [];
      let env = deps.shared;
      let ownCleanups: Array<() => Promise<void>> | undefined;
      let finished = false;
      const finish = async (): Promise<void> => {
        if (finished) return;
        finished = true;
        env.idp.faults.clear(tag);
        await Promise.allSettled(sessions.map((s) => s.close()));
        exec.addTranscript(sessions.flatMap((s) => s.transcript()));
        exec.addTranscript(providerTranscript(env.idp, tag));
        if (ownCleanups) for (const c of ownCleanups.reverse()) await c().catch(() => undefined);
      };
      // A check abandoned by the executor (timeout, deadline) still releases what it holds at once.
      const onAbort = (): void => void finish();
      exec.signal.addEventListener('abort', onAbort, { once: true });
      try {
        if (check.discoveryFaults?.length) {
          ownCleanups = [];
          env = await createEnvironment(
            deps.template,
            deps.seed,
            check.discoveryFaults,
            deps.signal,
            deps.idps,
            ownCleanups,
          );
          // Also registered run-wide, so an abandoned check's provider and target are stopped at the end.
          deps.cleanups.push(...ownCleanups);
        }
        const handle = await env.instance.ensure();
        const agent = usesBrowser(check, env.target.kind)
          ? 'browser'
          : env.target.kind === 'driver'
            ? 'driver'
            : 'http';
        let sessionCount = 0;
        const ctx: ClientCheckContext = {
          target: env.target,
          idp: env.idp,
          tag,
          arm: (fault) => {
            // The declaration names the faults a check arms (docs, reports); arming another is a catalog bug.
            if (!check.faults?.includes(fault.name)) {
              throw new CheckRunError(
                `the check armed the fault ${fault.name}, which its declaration does not list`,
                'harness',
              );
            }
            env.idp.faults.arm(tag, fault);
          },
          session: async (name) => {
            if (finished) throw new CheckRunError('the check has ended', 'harness');
            const id = `${tag}:${name ?? `s${++sessionCount}`}`;
            const session = await openSession({
              id,
              tag,
              agent,
              target: env.target,
              idp: env.idp,
              driver: handle.driver,
              resources: deps.resources,
              signal: exec.signal,
            });
            sessions.push(session);
            return session;
          },
          journal: taggedJournal(env.idp.journal, tag),
          fullJournal: env.idp.journal,
          targetLogs: () => env.instance.logs(),
          observe: (text, data) => exec.observe(text, data),
          random: checkRandom(check.id, deps.seed),
          signal: exec.signal,
        };
        return await env.instance.watch(handle, check.run(ctx));
      } finally {
        exec.signal.removeEventListener('abort', onAbort);
        await finish();
      }
    },
  };
}

/** TARGETS.md §3: spa targets always run in Chromium; web targets when the check needs a browser. */
function usesBrowser(check: ClientCheck, kind: ResolvedTarget['kind']): boolean {
  return kind === 'spa' || (kind === 'web' && check.agent === 'browser');
}

/** An item that ends in `error` at once: the run could not set up what the check needs. */
function failingItem(check: ClientCheck, severity: Severity, reason: string): ExecItem {
  return {
    meta: { ...check, ...(check.faults?.length ? { fault: check.faults.join(', ') } : {}) },
    severity,
    run: async () => {
      throw new CheckRunError(`the run could not start: ${reason}`, 'target');
    },
  };
}

/** The provider's side of this check's logins, as transcript entries (agent `provider`). */
function providerTranscript(idp: MockIdp, tag: string): TranscriptEntryModel[] {
  return idp.journal.entries({ tag }).map((e) => {
    const entry: TranscriptEntryModel = {
      seq: e.seq,
      at: e.at,
      agent: 'provider',
      method: e.request.method,
      url: e.request.url,
      requestHeaders: e.request.headers,
      status: e.response.status,
      responseHeaders: e.response.headers,
      note: `provider ${e.endpoint}`,
    };
    if (e.request.body !== undefined) entry.requestBody = e.request.body;
    if (e.response.body !== undefined) entry.responseBody = e.response.body;
    return entry;
  });
}

/**
 * Starts a mock provider (with `discoveryFaults`, a fresh issuer), picks the target's port, resolves
 * the manifest against both, registers the client exactly as the manifest says (TARGETS.md §1: the
 * redirect URI is matched exactly) and prepares (but does not start) the target.
 */
async function createEnvironment(
  template: ManifestTemplate,
  seed: number,
  discoveryFaults: DiscoveryFault[],
  signal: AbortSignal,
  idps: MockIdp[],
  cleanups: Array<() => Promise<void>>,
): Promise<Environment> {
  const running: RunningMockIdp = await startMockIdp({
    profile: template.profile,
    seed,
    ...(discoveryFaults.length ? { discoveryFaults } : {}),
  });
  cleanups.push(() => running.close());
  const idp = running.idp;
  idps.push(idp);
  const port = await freeLoopbackPort();
  const target = resolveTarget(template, placeholderValues(idp, port));
  idp.registerClient({
    clientId: target.client.id,
    ...(target.client.secret !== undefined ? { clientSecret: target.client.secret } : {}),
    authMethod: target.client.authMethod,
    redirectUris: [target.client.redirectUri],
  });
  const instance = new TargetInstance<StartedTarget>((s) => startTargetHandle(target, idp, s), signal);
  cleanups.push(() => instance.stop());
  return { idp, target, instance };
}

/** The run-time values of the manifest's placeholders (TARGETS.md §1). */
export function placeholderValues(idp: MockIdp, port: number): PlaceholderValues {
  const e = idp.endpoints;
  return {
    idp: {
      issuer: idp.issuer,
      discoveryUrl: e.discovery,
      authorizationEndpoint: e.authorization,
      tokenEndpoint: e.token,
      ...(e.userinfo ? { userinfoEndpoint: e.userinfo } : {}),
      ...(e.jwks ? { jwksUri: e.jwks } : {}),
      ...(e.revocation ? { revocationEndpoint: e.revocation } : {}),
      ...(e.endSession ? { endSessionEndpoint: e.endSession } : {}),
      apiBaseUrl: idp.apiBaseUrl,
    },
    target: { port },
  };
}

function isConfigurationProblem(err: unknown): boolean {
  return err instanceof ConfigurationError || (err instanceof Error && err.name === 'ManifestError');
}
