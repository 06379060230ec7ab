/**
 * Where a run's time goes (the report's `timings`): the phases of the run (provider, target, browser,
 * checks) and, per check, how long it spent setting up, opening sessions, in user-agent steps and
 * waiting. A check's steps are timed on the check's own {@link CheckTimer}, which the runner hands to
 * what it gives the check (its sessions, its journal views, `ctx.wait`).
 *
 * Handed over, not found through `AsyncLocalStorage`: on Node 20 that installs promise hooks in the
 * whole process, and every promise of the run (the harness's and its in-process providers') paid for
 * them. With them, in interleaved runs on two cores, an audit of reference-web took about 0.05 CPU-s
 * more (1.96 vs 1.93 s, slower in 16 of 20 pairs) and a provider audit of the embedded mock 0.06 CPU-s
 * more (0.71 vs 0.67 s).
 */
import type { CheckTiming, PhaseTiming, Timings } from '../../reports/model.js';
import type { Session } from '../types.js';
import type { ExecContext, ExecItem } from './execute.js';

/** The kinds of time a check's breakdown separates (fields of `CheckTiming` without `Ms`). */
export type StepKind = 'setup' | 'session' | 'login' | 'wait';

/**
 * One check's clock. Each kind counts the wall time during which at least one step of that kind was
 * in progress, so steps that run concurrently (samples collected in parallel) are not counted twice.
 */
export class CheckTimer {
  readonly #totals = new Map<StepKind, number>();
  readonly #active = new Map<StepKind, { count: number; since: number }>();
  readonly #now: () => number;
  #startedAt = 0;
  #endedAt: number | undefined;

  /** @param now the clock (default `performance.now`). */
  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** Marks the start of the check. */
  start(): void {
    this.#startedAt = this.#now();
  }

  /** Marks the end of the check; steps still in progress are counted up to here. */
  end(): void {
    const now = this.#now();
    this.#endedAt = now;
    for (const [kind, a] of this.#active) if (a.count > 0) this.#add(kind, now - a.since);
    this.#active.clear();
  }

  /** Runs `fn` as a step of `kind`. */
  async step<T>(kind: StepKind, fn: () => Promise<T>): Promise<T> {
    const a = this.#active.get(kind) ?? { count: 0, since: 0 };
    if (a.count === 0) a.since = this.#now();
    a.count++;
    this.#active.set(kind, a);
    try {
      return await fn();
    } finally {
      a.count--;
      if (a.count === 0 && this.#endedAt === undefined) this.#add(kind, this.#now() - a.since);
    }
  }

  #add(kind: StepKind, ms: number): void {
    this.#totals.set(kind, (this.#totals.get(kind) ?? 0) + ms);
  }

  /** The breakdown as the report shows it (whole milliseconds). */
  toModel(id: string): CheckTiming {
    const ms = (kind: StepKind): number => Math.round(this.#totals.get(kind) ?? 0);
    return {
      id,
      durationMs: Math.round((this.#endedAt ?? this.#now()) - this.#startedAt),
      setupMs: ms('setup'),
      sessionMs: ms('session'),
      loginMs: ms('login'),
      waitMs: ms('wait'),
    };
  }
}

/** Runs `fn` as a step of `kind` on `timer`; without a timer (work no check times), just runs it. */
export function timedStep<T>(timer: CheckTimer | undefined, kind: StepKind, fn: () => Promise<T>): Promise<T> {
  return timer ? timer.step(kind, fn) : fn();
}

/** An executor item whose run gets its check's timer, for the steps inside it. */
export type TimedExecItem = Omit<ExecItem, 'run'> & {
  run(exec: ExecContext, timer: CheckTimer): ReturnType<ExecItem['run']>;
};

/** `item` with its run timed as check `item.meta.id` of `timings`; the run gets that check's timer. */
export function timedItem(timings: RunTimings, item: TimedExecItem): ExecItem {
  return {
    ...item,
    run(exec) {
      const timer = timings.check(item.meta.id);
      timer.start();
      return item.run(exec, timer).finally(() => timer.end());
    },
  };
}

/** Session methods that are user-agent steps (logins, the signed-in oracle, API calls, logout). */
const AGENT_STEPS = [
  'startLogin',
  'approve',
  'deliver',
  'login',
  'isSignedIn',
  'refresh',
  'api',
  'logout',
  'request',
  'storage',
] as const satisfies ReadonlyArray<keyof Session>;

/** `session` with its user-agent steps timed as `login` steps on `timer`. */
export function timedSession(session: Session, timer: CheckTimer): Session {
  const steps = new Set<PropertyKey>(AGENT_STEPS);
  // A proxy, not a copy: sessions keep their state in private fields, which only the session itself
  // can read, so every method runs with the session as `this`.
  return new Proxy(session, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const method = value as (...a: unknown[]) => unknown;
      if (!steps.has(prop)) return method.bind(target);
      return (...args: unknown[]): Promise<unknown> => timer.step('login', async () => method.apply(target, args));
    },
  });
}

/** The phases of one run, recorded as they happen and reported in a fixed order. */
export class RunTimings {
  readonly #origin: number;
  readonly #phases: PhaseTiming[] = [];
  readonly #checks = new Map<string, CheckTimer>();

  /**
   * @param originMs `performance.now()` at the run's `startedAt`, to which phase starts are relative.
   * @param cliStartMs when the run was started by the CLI: `performance.now()` when it called the
   * audit, i.e. how long the process took to get there (reported as the `cli` phase, from process start).
   */
  constructor(originMs: number, cliStartMs?: number) {
    this.#origin = originMs;
    if (cliStartMs !== undefined) this.record('cli', 0, cliStartMs);
  }

  /** Times `fn` as the phase `name` (of `check`, for a check's own environment). */
  async phase<T>(name: PhaseTiming['name'], fn: () => Promise<T>, check?: string): Promise<T> {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      this.record(name, start, performance.now(), check);
    }
  }

  /** Records a phase that ran from `start` to `end` (`performance.now()` values). */
  record(name: PhaseTiming['name'], start: number, end: number, check?: string): void {
    this.#phases.push({
      name,
      ...(check !== undefined ? { check } : {}),
      startMs: Math.round(start - this.#origin),
      durationMs: Math.round(end - start),
    });
  }

  /** The timer of check `id` (created on first use). */
  check(id: string): CheckTimer {
    let t = this.#checks.get(id);
    if (!t) this.#checks.set(id, (t = new CheckTimer()));
    return t;
  }

  /**
   * The report's `timings`: phases in the order of {@link PHASE_ORDER} (per-check phases in the order
   * of `checkIds`), and the checks that ran, in the order of `checkIds`.
   */
  toModel(checkIds: readonly string[]): Timings {
    const rank = new Map(checkIds.map((id, i) => [id, i]));
    const phases = [...this.#phases].sort(
      (a, b) =>
        PHASE_ORDER.indexOf(a.name) - PHASE_ORDER.indexOf(b.name) ||
        (rank.get(a.check ?? '') ?? -1) - (rank.get(b.check ?? '') ?? -1),
    );
    const checks = checkIds.filter((id) => this.#checks.has(id)).map((id) => this.#checks.get(id)!.toModel(id));
    return { phases, checks };
  }
}

/** The order of phases in a report. */
export const PHASE_ORDER: ReadonlyArray<PhaseTiming['name']> = [
  'cli',
  'provider',
  'target',
  'environment',
  'browser',
  'checks',
  'report',
];
