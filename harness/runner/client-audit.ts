/**
 * The client audit: one mock provider, one target process shared by every check whose fault is per
 * login (ARCHITECTURE.md, "Login tags"), a fresh provider issuer and target process for each check
 * that changes discovery metadata, and the generic executor in between.
 *
 * Everything it starts is stopped in `finally`, also when the caller's signal interrupts the run (the report then has status
 * `interrupted` and holds the checks that finished).
 */
import path from 'node:path';
import { isLoginHarnessError } from '../../core/errors.js';
import { followSecrets } from '../../core/redaction.js';
import { packagePath } from '../../core/package-root.js';
import type { MemoryLimits } from '../../mock-idp/index.js';
import type { MockIdp } from '../../mock-idp/types.js';
import type {
  CheckResult,
  PolicyName,
  Reference,
  Report,
  RunnerEvent,
  Severity,
  TranscriptEntryModel,
} from '../../reports/model.js';
import { selectShard } from '../../reports/shard.js';
import type { CheckCatalog, ClientCheck, ClientCheckContext } from '../check.js';
import { loadManifest, validateManifest, type ManifestTemplate } from '../manifest/index.js';
import { prelaunchBrowser, type SessionResources } from '../session/index.js';
import type { ResolvedTarget, Session } from '../types.js';
import { TargetPriority } from '../target/priority.js';
import {
  createEnvironment,
  environmentOfContext,
  openEnvironmentSession,
  providerTranscript,
  type ClientEnvironment,
} from './client-environment.js';
import { CheckRunError, ConfigurationError } from './errors.js';
import { executeChecksDetailed, type ExecItem } from './execute.js';
import { runAudit, type RunFrame, type RunResults } from './run.js';
import { checkRandom, loginTag } from './seeded.js';
import type { StartedTarget } from './start-handle.js';
import { selectChecks, withControls } from './select.js';
import { targetFacts } from '../verdicts/facts.js';
import { judgingOf } from '../verdicts/judge.js';
import { SharedLogins } from './shared-login.js';
import { taggedJournal, timedJournal } from './tagged-journal.js';
import { RunTimings, timedItem, timedSession, timedStep } from './timings.js';
import { waitMs } from './wait.js';

/** The bundled reference web client, audited when no manifest is given. */
export const DEFAULT_MANIFEST = packagePath('examples', 'reference-web', 'target.json');

/**
 * A check driving Chromium does the same logins as one on the HTTP agent, but each page load runs the
 * app's scripts: it gets this many times the per-check timeout.
 */
export const BROWSER_TIMEOUT_FACTOR = 2;

/** Options of {@link runClientAudit}. */
export interface ClientAuditOptions {
  /** Target manifest (JSON or defineTarget module). Default {@link DEFAULT_MANIFEST}. */
  manifestPath?: string;
  /**
   * A manifest given as an object instead of a file (what `defineTarget` returns); relative paths in it
   * (`start.cwd`, a driver's module) are resolved against `dir`. Takes precedence over `manifestPath`.
   */
  manifest?: { input: unknown; dir: string };
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
  /** Aborting it interrupts the run: the report then has status `interrupted` (the CLI aborts it on Ctrl-C). */
  signal?: AbortSignal;
  /** The checks to choose from, injected by the caller (the CLI: harness/cli/catalog.ts). */
  catalog: CheckCatalog<ClientCheck>;
  /**
   * How findings become verdicts (docs/verdicts.md). Default: the manifest's `policy`, else `rfc9700`
   * (the CLI's `--policy` is passed here, so it overrides the manifest).
   */
  policy?: PolicyName;
  /**
   * `performance.now()` when the CLI called the audit: how long the process took to get there (node,
   * module loading, arguments), reported as the `cli` phase of the report's `timings`.
   */
  cliStartMs?: number;
  /**
   * How much the audit's mock providers remember (default: `DEFAULT_MEMORY_LIMITS`, which a run never
   * reaches). Whatever the limits, each check's login tag is held while the check runs.
   */
  providerMemory?: Partial<MemoryLimits>;
}

/**
 * Runs the client catalog against the target of `manifestPath` and returns the report. Throws
 * `ManifestError` or {@link ConfigurationError} (exit 2) before anything starts; once the run has
 * started, problems end checks in `error` and the report says how the run ended.
 */
export async function runClientAudit(opts: ClientAuditOptions): Promise<Report> {
  const manifestPath = opts.manifest ? undefined : path.resolve(opts.manifestPath ?? DEFAULT_MANIFEST);
  const template = opts.manifest
    ? validateManifest(opts.manifest.input, path.resolve(opts.manifest.dir))
    : await loadManifest(manifestPath ?? DEFAULT_MANIFEST);
  const checks = planChecks(template, opts);

  const interrupt = new AbortController();
  const onOuterAbort = (): void => interrupt.abort(opts.signal?.reason);
  if (opts.signal?.aborted) onOuterAbort();
  else opts.signal?.addEventListener('abort', onOuterAbort, { once: true });

  const frame: RunFrame = {
    mode: 'client',
    target: {
      name: template.name,
      kind: template.kind,
      profile: template.profile,
      ...(manifestPath ? { manifest: manifestPath } : {}),
    },
    seed: opts.seed,
    checkIds: checks.map((c) => c.check.id),
    ...(opts.shard ? { shard: opts.shard } : {}),
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    judging: judgingOf(opts.catalog, opts.policy ?? template.policy, targetFacts(template)),
  };
  try {
    return await runAudit(frame, (startedAtMs, onEvent) =>
      executeClientChecks(template, checks, { ...opts, onEvent }, startedAtMs, interrupt.signal),
    );
  } finally {
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
}

/**
 * Sets up the shared provider and target, runs the planned checks and stops everything it started.
 * A set-up that fails (other than a configuration problem) ends every check in `error`.
 */
async function executeClientChecks(
  template: ManifestTemplate,
  checks: Array<{ check: ClientCheck; severity: Severity }>,
  opts: ClientAuditOptions,
  startedAtMs: number,
  signal: AbortSignal,
): Promise<RunResults> {
  const idps: MockIdp[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  const resources: SessionResources = { browserPath: opts.browserPath };
  const browser = browserCloser(resources, checks.filter((c) => usesBrowser(c.check, template.kind)).length);
  const timings = new RunTimings(performance.now() - (Date.now() - startedAtMs), opts.cliStartMs);
  let status: Report['status'] = 'complete';
  let results: CheckResult[] = [];
  try {
    let shared: ClientEnvironment | undefined;
    let setupError: Error | undefined;
    const groups = environmentGroups(checks.map((c) => c.check));
    const own = new Map<string, { started: Promise<OwnEnvironment>; priority: TargetPriority }>();
    /**
     * The start of own environment `key`, begun now if it was not yet. `waiting`: a check waits on it
     * now, so its target gets an even share of the CPU from now on; begun before that, it starts in
     * the background (harness/target/priority.ts).
     */
    const ownEnvironmentOf = (key: string, waiting: boolean): Promise<OwnEnvironment> => {
      let entry = own.get(key);
      if (!entry) {
        const priority = new TargetPriority(waiting ? 'normal' : 'background');
        const started = startOwnEnvironment(
          groups.get(key)!,
          template,
          opts.seed,
          signal,
          idps,
          cleanups,
          timings,
          opts.providerMemory,
          priority,
        );
        entry = { started, priority };
        own.set(key, entry);
      }
      if (waiting) entry.priority.set('normal');
      return entry.started;
    };
    try {
      if (checks.some((c) => usesBrowser(c.check, template.kind) && !browserOnDemand(c.check, template.kind))) {
        const launchStart = performance.now();
        prelaunchBrowser(resources);
        resources.launching?.then(
          () => timings.record('browser', launchStart, performance.now()),
          () => undefined,
        );
      }
      shared = await timings.phase('provider', () =>
        createEnvironment(template, opts.seed, [], signal, idps, cleanups, opts.providerMemory),
      );
      // Start the shared target once up front: a target that cannot start is one clear error, not N.
      const env = shared;
      const sharedStart = checks.some((c) => !ownEnvironment(c.check))
        ? timings.phase('target', () => env.instance.ensure())
        : Promise.resolve(undefined);
      // The checks that change discovery metadata get their own provider and target. They start with the
      // run, alongside the shared target, and not when their check's turn comes. While the shared target
      // starts, the harness mostly waits for it, and its own environments used that time: the audit of
      // reference-web took 0.12-0.18 s less on a quiet machine (13 of 14 paired runs), and as long with a
      // second audit running on the same two cores. (Started after the shared target, they were last
      // to be ready, and their checks the run's tail.) They start in the background, though: sharing the
      // two cores evenly with them, the shared target, which every other check waits on, took 0.6 s to
      // come up instead of 0.25 s. Each gets an even share once its check waits on it.
      for (const key of groups.keys()) {
        if (signal.aborted) break;
        void ownEnvironmentOf(key, false);
      }
      // The shared target has been spawned and the harness waits for it: the provider makes its people
      // now rather than in the first login (or, before the spawn, ahead of the target's whole start).
      // The own environments spawn their targets once this is done; they start in the background anyway.
      shared.idp.prepare();
      await sharedStart;
    } catch (err) {
      if (isConfigurationProblem(err)) throw err;
      setupError = err instanceof Error ? err : new Error(String(err));
    }

    const redact = redactorOf(idps);
    if (setupError || !shared) {
      const reason = setupError?.message ?? 'setup failed';
      status = signal.aborted ? 'interrupted' : 'crashed';
      const items = checks.map((c) => failingItem(c.check, c.severity, opts.catalog.references(c.check), reason));
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
      const sharedLogins = new SharedLogins({ seed: opts.seed, resources, runSignal: signal });
      const items = checks.map(({ check, severity }) =>
        checkItem(check, severity, opts.catalog.references(check), {
          timeoutMs: usesBrowser(check, template.kind)
            ? opts.checkTimeoutMs * BROWSER_TIMEOUT_FACTOR
            : opts.checkTimeoutMs,
          seed: opts.seed,
          template,
          shared: env,
          sharedLogins,
          resources,
          ...(usesBrowser(check, template.kind) ? { browserCheckEnded: browser.checkEnded } : {}),
          // Started above; started now if it was not (the run was being interrupted).
          own: ownEnvironment(check) ? () => ownEnvironmentOf(environmentKey(check), true) : undefined,
          timings,
        }),
      );
      const outcome = await timings.phase('checks', () =>
        executeChecksDetailed(items, {
          concurrency: opts.concurrency,
          checkTimeoutMs: opts.checkTimeoutMs,
          ...(opts.deadlineMs !== undefined ? { deadline: startedAtMs + opts.deadlineMs } : {}),
          redact,
          signal: signal,
          ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
        }),
      );
      results = outcome.results;
      status = outcome.status;
    }
  } finally {
    // Stop in reverse order of creation: sessions and targets before the providers they talk to. The
    // browser meanwhile (it talks to them only through checks, which have ended).
    await Promise.all([
      (async () => {
        for (const c of cleanups.reverse()) await c().catch(() => undefined);
      })(),
      browser.close(),
    ]);
  }

  return { results, status, timings: timings.toModel(checks.map((c) => c.check.id)) };
}

/**
 * Redacts what every provider of the run issued, in one pass over a text: one index of all their
 * secrets, following each provider's journal (the run has up to six providers, and a text redacted by
 * each in turn was scanned six times). Providers started later in the run are taken in as they appear.
 */
export function redactorOf(idps: readonly MockIdp[]): (text: string) => string {
  return followSecrets(() => idps.map((idp) => idp.journal));
}

/**
 * Closes the run's Chromium once the last of the `browserChecks` checks that drive it has ended (its
 * shutdown then overlaps the checks still running), or when `close` is called at the end of the run,
 * whichever comes first; it is closed once.
 */
export function browserCloser(
  resources: SessionResources,
  browserChecks: number,
): { checkEnded: () => void; close: () => Promise<void> } {
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      // A launch still in progress (started early, or by a check that was abandoned) is awaited, so its
      // Chromium is closed too instead of outliving the run.
      const pool = resources.pool ?? (await resources.launching?.catch(() => undefined));
      await pool?.close().catch(() => undefined);
    })());
  let left = browserChecks;
  return {
    checkEnded: () => {
      if (--left === 0) void close();
    },
    close,
  };
}

/** A check's own provider and target (discovery faults), with what stops them. */
interface OwnEnvironment {
  env: ClientEnvironment;
  /**
   * Called by each check of the environment when it has ended: the last call stops the environment's
   * target and provider (they are also stopped at the end of the run, whatever happened).
   */
  release: () => Promise<void>;
  /** The target's first start, settled: a check that observes a refusal to start judges its outcome. */
  firstStart: Promise<StartedTarget>;
}

/**
 * Which own environment a check runs in (see {@link ownEnvironment}). Checks with the same discovery
 * faults share one provider issuer and target process: the metadata the target reads at its start is
 * all that differs from the shared environment, and their logins are kept apart by their tags, as in
 * the shared environment. A check that needs an issuer to itself (`ownIssuer`: issuer-wide key state)
 * or judges the target's first start (`observesStartRefusal`) gets an environment of its own.
 */
export function environmentKey(check: ClientCheck): string {
  if (check.ownIssuer || check.observesStartRefusal) return `check:${check.id}`;
  return `faults:${[...new Set(check.discoveryFaults ?? [])].sort().join(',')}`;
}

/** The run's own environments: each key with the checks (in catalog order) that run in it. */
export function environmentGroups(checks: readonly ClientCheck[]): Map<string, ClientCheck[]> {
  const groups = new Map<string, ClientCheck[]>();
  for (const check of checks) {
    if (!ownEnvironment(check)) continue;
    const key = environmentKey(check);
    const group = groups.get(key);
    if (group) group.push(check);
    else groups.set(key, [check]);
  }
  return groups;
}

/**
 * Starts the provider and target of the checks `sharing` one environment (same discovery faults; see
 * {@link environmentKey}). The cleanups are also registered run-wide, so they are stopped at the end of
 * the run even when a check never runs or is abandoned.
 */
function startOwnEnvironment(
  sharing: readonly ClientCheck[],
  template: ManifestTemplate,
  seed: number,
  signal: AbortSignal,
  idps: MockIdp[],
  runCleanups: Array<() => Promise<void>>,
  timings: RunTimings,
  memory: Partial<MemoryLimits> | undefined,
  /** The CPU share of its target (see harness/target/priority.ts). */
  priority: TargetPriority,
): Promise<OwnEnvironment> {
  const [first] = sharing;
  if (!first) throw new Error('an own environment needs at least one check');
  const cleanups: Array<() => Promise<void>> = [];
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      for (const c of [...cleanups].reverse()) await c().catch(() => undefined);
    })());
  let users = sharing.length;
  const begun = performance.now();
  const started = (async () => {
    try {
      const env = await createEnvironment(
        template,
        seed,
        first.discoveryFaults ?? [],
        signal,
        idps,
        cleanups,
        memory,
        priority,
      );
      // Also the target of a check that observes a refusal to start starts now: a target that fetches the
      // metadata and refuses it costs what any start costs, and started at the check's turn it was
      // waited for at the end of the run. That check judges the outcome of this first start.
      const firstStart = env.instance.ensure();
      if (first.observesStartRefusal) await firstStart.catch(() => undefined);
      else await firstStart;
      return {
        env,
        firstStart,
        release: async () => {
          if (--users === 0) await stop();
        },
      };
    } finally {
      // One phase per check, with the same times: the report shows each check's environment.
      const ended = performance.now();
      for (const check of sharing) timings.record('environment', begun, ended, check.id);
    }
  })();
  // The check reports a failed start; until it awaits the promise, the rejection is not unhandled.
  started.catch(() => undefined);
  // Registered now, not when the start ends: a run that ends while the start is under way still stops
  // what it started (the run's signal cuts the start short).
  runCleanups.push(async () => {
    await started.catch(() => undefined);
    await stop();
  });
  return started;
}

/** The checks this run executes, with their effective severities, in catalog order. */
export function planChecks(
  template: Pick<ManifestTemplate, 'kind'>,
  opts: Pick<ClientAuditOptions, 'only' | 'skip' | 'shard' | 'severityOverrides' | 'catalog'>,
): Array<{ check: ClientCheck; severity: Severity }> {
  const catalog = opts.catalog.checks;
  for (const id of Object.keys(opts.severityOverrides ?? {})) {
    if (!catalog.some((c) => c.id === id))
      throw new ConfigurationError(`--severity: no check has the id ${JSON.stringify(id)}`);
  }
  const selected = selectChecks(catalog, { only: opts.only, skip: opts.skip }).filter((c) =>
    c.kinds.includes(template.kind),
  );
  const sharded = opts.shard ? selectShard(selected, opts.shard) : selected;
  // The compensating controls a selected check's verdict depends on run too (unless skipped by name).
  const planned = withControls(sharded, catalog, opts.skip).filter((c) => c.kinds.includes(template.kind));
  return planned.map((check) => ({ check, severity: opts.severityOverrides?.[check.id] ?? check.severity }));
}

interface CheckDeps {
  timeoutMs: number;
  seed: number;
  template: ManifestTemplate;
  shared: ClientEnvironment;
  /** The run's shared logins (harness/runner/shared-login.ts). */
  sharedLogins: SharedLogins;
  resources: SessionResources;
  /** The check's own provider and target, started at the beginning of the run (discovery faults). */
  own: (() => Promise<OwnEnvironment>) | undefined;
  /** For a check that drives Chromium: called once when it has ended and closed its sessions. */
  browserCheckEnded?: () => void;
  timings: RunTimings;
}

function checkItem(check: ClientCheck, severity: Severity, references: Reference[], deps: CheckDeps): ExecItem {
  return timedItem(deps.timings, {
    meta: { ...check, ...(check.faults?.length ? { fault: check.faults.join(', ') } : {}) },
    references,
    severity,
    timeoutMs: deps.timeoutMs,
    ...(check.waitsForClientClock ? { startsEarly: true } : {}),
    async run(exec, timer) {
      const tag = loginTag(check.id, deps.seed);
      const sessions: Session[] = [];
      let env = deps.shared;
      let ownRelease: (() => Promise<void>) | undefined;
      let firstStart: Promise<StartedTarget> | undefined;
      /** Ends the hold on the check's tag in the journal of the provider its logins go to. */
      let unhold: (() => void) | undefined;
      let finished = false;
      let startRefused: string | undefined;
      /** The tags of the shared logins the check asked for, and their transcripts. */
      const sharedTags: string[] = [];
      const sharedTranscript: TranscriptEntryModel[] = [];
      const finish = async (): Promise<void> => {
        if (finished) return;
        finished = true;
        env.idp.faults.clear(tag);
        await Promise.allSettled(sessions.map((s) => s.close()));
        exec.addTranscript(sharedTranscript);
        exec.addTranscript(sessions.flatMap((s) => s.transcript()));
        exec.addTranscript(providerTranscript(env.idp, tag, { discovery: startRefused !== undefined }));
        // The transcript is taken: the tag may make room for other logins from now on (it stays until it must).
        unhold?.();
        await ownRelease?.();
      };
      // A check abandoned by the executor (timeout, deadline) still releases what it holds at once.
      const onAbort = (): void => void finish();
      exec.signal.addEventListener('abort', onAbort, { once: true });
      try {
        if (deps.own) {
          const own = await timedStep(timer, 'setup', deps.own);
          env = own.env;
          ownRelease = own.release;
          if (check.observesStartRefusal) firstStart = own.firstStart;
        }
        // The check reads its tag's entries (and the untagged ones recorded meanwhile) until its
        // transcript is taken: none of them may be dropped for other logins' traffic before that.
        unhold = env.idp.journal.hold?.(tag);
        let handle: StartedTarget | undefined;
        try {
          handle = await timedStep(timer, 'setup', async () => {
            // A refusal is the first start's (a later call would only repeat its error); a target that
            // started is asked for again, so one that died meanwhile is restarted as for any check.
            await firstStart;
            return env.instance.ensure();
          });
        } catch (err) {
          if (!check.observesStartRefusal || !check.discoveryFaults?.length || !(err instanceof CheckRunError))
            throw err;
          if (err.errorKind !== 'target') throw err;
          // The refusal counts only if the same target starts with the provider's unaltered metadata.
          await deps.shared.instance.ensure();
          startRefused = err.message;
        }
        const agent = usesBrowser(check, env.target.kind)
          ? 'browser'
          : env.target.kind === 'driver'
            ? 'driver'
            : 'http';
        let sessionCount = 0;
        const ctx: ClientCheckContext = {
          ...environmentOfContext(env, tag),
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
          session: async (name, opts) => {
            if (finished) throw new CheckRunError('the check has ended', 'harness');
            if (!handle) throw new CheckRunError('the target did not start, so there is no session', 'harness');
            const id = `${tag}:${name ?? `s${++sessionCount}`}`;
            const session = await timedStep(timer, 'session', () =>
              openEnvironmentSession(env, {
                id,
                tag,
                agent,
                ...(opts?.agent ? { asked: opts.agent } : {}),
                driver: handle.driver,
                resources: deps.resources,
                signal: exec.signal,
              }),
            );
            sessions.push(session);
            return timedSession(session, timer);
          },
          shared: async <T>(key: string, run: (c: ClientCheckContext) => Promise<T>): Promise<T> => {
            if (finished) throw new CheckRunError('the check has ended', 'harness');
            const record = await timedStep(timer, 'login', () =>
              deps.sharedLogins.record(env, agent, key, run, deps.timeoutMs),
            );
            if (!finished && !sharedTags.includes(record.tag)) {
              sharedTags.push(record.tag);
              sharedTranscript.push(...record.transcript);
              exec.observe(
                `The run's shared ${key} login (tag ${record.tag}), done once in this environment for every check ` +
                  'that needs one; its observations follow.',
              );
              for (const o of record.observations) exec.observe(o.text, o.data);
            }
            if (record.failed) throw record.error;
            return record.value as T;
          },
          journal: taggedJournal(env.idp.journal, tag, sharedTags, timer),
          fullJournal: timedJournal(env.idp.journal, timer),
          observe: (text, data) => exec.observe(text, data),
          random: checkRandom(check.id, deps.seed),
          signal: exec.signal,
          wait: (ms) => waitMs(ms, exec.signal, timer),
          ...(startRefused !== undefined ? { startRefused } : {}),
        };
        return handle ? await env.instance.watch(handle, check.run(ctx)) : await check.run(ctx);
      } finally {
        exec.signal.removeEventListener('abort', onAbort);
        await finish();
        deps.browserCheckEnded?.();
      }
    },
  });
}

/** Whether a check gets a provider issuer and target process of its own. */
function ownEnvironment(check: ClientCheck): boolean {
  return Boolean(check.discoveryFaults?.length) || check.ownIssuer === true;
}

/** TARGETS.md §3: spa targets always run in Chromium; web targets when the check needs a browser. */
function usesBrowser(check: ClientCheck, kind: ResolvedTarget['kind']): boolean {
  return kind === 'spa' || (kind === 'web' && check.agent === 'browser');
}

/** A browser check that launches Chromium only if it comes to need it (see ClientCheck.browserOnDemand). */
function browserOnDemand(check: ClientCheck, kind: ResolvedTarget['kind']): boolean {
  return kind === 'web' && check.browserOnDemand === true;
}

/** An item that ends in `error` at once: the run could not set up what the check needs. */
function failingItem(check: ClientCheck, severity: Severity, references: Reference[], reason: string): ExecItem {
  return {
    meta: { ...check, ...(check.faults?.length ? { fault: check.faults.join(', ') } : {}) },
    references,
    severity,
    run: async () => {
      throw new CheckRunError(`the run could not start: ${reason}`, 'target');
    },
  };
}

/** A set-up error the caller must fix (exit 2) ends the run at once instead of failing every check. */
function isConfigurationProblem(err: unknown): boolean {
  return isLoginHarnessError(err, 'configuration', 'manifest');
}
