/**
 * Starts a target's server (TARGETS.md section 1, `start`) and waits until it is ready: its ready URL
 * answers (any 2xx, 3xx or 4xx) or its stdout matches the ready pattern.
 */
import http from 'node:http';
import https from 'node:https';
import { LoginHarnessError } from '../../core/errors.js';
import type { ResolvedTarget } from '../types.js';
import { ManagedProcess, type ExitInfo } from './process.js';
import type { TargetPriority } from './priority.js';

/** A started target. */
export interface RunningTarget {
  /** stdout and stderr so far, interleaved (evidence for leak.logs). */
  logs(): string;
  /** Resolves when the target process has exited. */
  onExit: Promise<{ code: number | null; signal: string | null }>;
  exited(): boolean;
  /** Stops the whole process group (SIGTERM, then SIGKILL); resolves once it is gone. */
  stop(): Promise<void>;
  /** Leader pid of the target's process group, when the harness started a process. */
  readonly pid?: number;
}

/** Why a target did not come up. */
export type TargetStartErrorKind = 'spawn' | 'exited' | 'timeout' | 'aborted';

/** The target could not be started; `logs` holds what it printed (tail in the message). */
export class TargetStartError extends LoginHarnessError<'target-start'> {
  readonly kind: TargetStartErrorKind;
  /** The message without the output tail. */
  readonly reason: string;
  readonly logs: string;
  /** The process's exit status, when it exited. */
  readonly exitStatus?: number | null;
  readonly signal?: string | null;

  constructor(kind: TargetStartErrorKind, message: string, logs: string, exit?: ExitInfo) {
    const tail = logsTail(logs);
    super('target-start', tail ? `${message}\n--- last output of the target ---\n${tail}` : message);
    this.kind = kind;
    this.reason = message;
    this.logs = logs;
    if (exit) {
      this.exitStatus = exit.code;
      this.signal = exit.signal;
    }
  }
}

/** The last lines of a log, for error messages. */
export function logsTail(logs: string, maxChars = 2_000): string {
  const trimmed = logs.trimEnd();
  if (trimmed.length <= maxChars) return trimmed;
  const cut = trimmed.slice(-maxChars);
  const nl = cut.indexOf('\n');
  return `...${nl >= 0 ? cut.slice(nl) : cut}`;
}

/** Polling intervals for the ready URL: short at first, since most servers come up within ms. */
const POLL_DELAYS_MS = [10, 20, 40, 80, 160, 250];
const PROBE_TIMEOUT_MS = 2_000;

function describeExit(exit: ExitInfo): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${String(exit.code)}`;
}

/** A never-ending handle for a target that runs on its own (no `start` in the manifest). */
function externalTarget(): RunningTarget {
  return {
    logs: () => '',
    onExit: new Promise(() => undefined),
    exited: () => false,
    stop: async () => undefined,
  };
}

/** Wraps a ManagedProcess as a RunningTarget. */
export function asRunningTarget(proc: ManagedProcess): RunningTarget {
  return {
    pid: proc.pid,
    logs: () => proc.logs(),
    onExit: proc.onExit,
    exited: () => proc.exited(),
    stop: async () => {
      await proc.stop();
    },
  };
}

/**
 * Spawns `target.start.command` (argv, no shell; env = the harness's environment plus the manifest's)
 * in its own process group and resolves once it is ready. A target that exits first, does not get
 * ready within `start.timeoutMs`, or whose start is aborted is stopped (nothing is left running) and
 * the promise rejects with TargetStartError. Without `start`, the target is assumed to be running.
 * With `priority`, the process gets that CPU share from its spawn on, and follows its changes until it
 * exits (priority.ts); a start in the background has its `start.timeoutMs` from when the share becomes
 * normal (something waits on the target), not from the spawn.
 */
export async function startTarget(
  target: ResolvedTarget,
  opts: { signal?: AbortSignal; priority?: TargetPriority } = {},
): Promise<RunningTarget> {
  const start = target.start;
  if (!start) return externalTarget();
  opts.signal?.throwIfAborted();

  const proc = ManagedProcess.spawn({ command: start.command, cwd: start.cwd, env: start.env });
  const running = asRunningTarget(proc);
  const { priority } = opts;
  const pid = proc.pid;
  if (priority && pid !== undefined) {
    priority.attach(pid);
    void proc.onExit.then(() => priority.detach(pid));
  }

  const ready = new AbortController();
  const cleanups: Array<() => void> = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error): void => {
        ready.abort();
        reject(err);
      };
      // The time a target is given counts from when something waits on it: a target started in the
      // background (priority.ts) gets it once a check needs it, not while the run keeps it starved.
      let timer: NodeJS.Timeout | undefined;
      cleanups.push(() => clearTimeout(timer));
      void (priority ? priority.whenNormal() : Promise.resolve()).then(() => {
        // Settled meanwhile (ready, failed or aborted: `ready` is aborted then).
        if (ready.signal.aborted) return;
        timer = setTimeout(
          () =>
            fail(new TargetStartError('timeout', `target did not get ready within ${start.timeoutMs} ms`, proc.logs())),
          start.timeoutMs,
        );
      });

      void proc.onExit.then((exit) => {
        if (proc.spawnError) {
          fail(
            new TargetStartError(
              'spawn',
              `cannot start ${JSON.stringify(start.command[0])}: ${proc.spawnError.message}`,
              '',
              exit,
            ),
          );
        } else {
          fail(new TargetStartError('exited', `target ${describeExit(exit)} before it was ready`, proc.logs(), exit));
        }
      });

      if (opts.signal) {
        const onAbort = (): void =>
          fail(new TargetStartError('aborted', 'start of the target was aborted', proc.logs()));
        opts.signal.addEventListener('abort', onAbort, { once: true });
        cleanups.push(() => opts.signal?.removeEventListener('abort', onAbort));
      }

      if ('stdout' in start.ready) {
        const pattern = new RegExp(start.ready.stdout);
        const check = (all: string): void => {
          if (pattern.test(all)) resolve();
        };
        check(proc.stdout());
        cleanups.push(proc.onStdout(check));
      } else {
        // A server says it listens on stdout as a rule: each output probes at once, so readiness is seen
        // when it happens and not at the end of the current pause.
        const nudge = new EventTarget();
        cleanups.push(proc.onStdout(() => nudge.dispatchEvent(new Event('output'))));
        pollUrl(start.ready.url, ready.signal, nudge).then(resolve, (err: unknown) => {
          if (!ready.signal.aborted) fail(err instanceof Error ? err : new Error(String(err)));
        });
      }
    });
  } catch (err) {
    await proc.stop();
    // Output is complete only once the process is gone; report all of it.
    if (err instanceof TargetStartError && (err.kind === 'timeout' || err.kind === 'aborted')) {
      throw new TargetStartError(err.kind, err.reason, proc.logs());
    }
    throw err;
  } finally {
    ready.abort();
    for (const c of cleanups) c();
  }
  return running;
}

/**
 * Resolves when `url` answers with a status below 500; retries connection errors and 5xx, after a
 * pause that an `output` event on `nudge` (the target wrote something) cuts short.
 */
async function pollUrl(url: string, signal: AbortSignal, nudge?: EventTarget): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    signal.throwIfAborted();
    // One controller per probe, aborted by the run's signal through a listener that is removed again:
    // `AbortSignal.any([signal, ...])` and a listener per pause would pile up on `signal` for as long
    // as a slow target takes to come up (MaxListenersExceededWarning).
    const probe = new AbortController();
    const onAbort = (): void => probe.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const probeTimer = setTimeout(() => probe.abort(new Error('probe timed out')), PROBE_TIMEOUT_MS);
    try {
      if ((await probeStatus(url, probe.signal)) < 500) return;
    } catch {
      // Not listening yet (ECONNREFUSED) or the probe timed out: try again.
    } finally {
      clearTimeout(probeTimer);
      signal.removeEventListener('abort', onAbort);
    }
    const delay = POLL_DELAYS_MS[Math.min(attempt, POLL_DELAYS_MS.length - 1)] ?? 250;
    await pause(delay, signal, nudge);
  }
}

/**
 * The status of one GET of `url` (redirects not followed, body not read), on a connection of its own.
 * node:http rather than fetch: the harness would otherwise load fetch's HTTP client and compile its
 * WebAssembly parser only to learn that a port answers.
 */
function probeStatus(url: string, signal: AbortSignal): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const transport = new URL(url).protocol === 'https:' ? https : http;
    const req = transport.get(url, { agent: false, signal }, (res) => {
      // The status is the answer (as fetch resolves on the response head); the body is not awaited.
      resolve(res.statusCode ?? 0);
      res.destroy();
    });
    req.on('error', reject);
  });
}

/**
 * Waits `ms` or until an `output` event on `nudge`, or rejects with the signal's reason as soon as it
 * is aborted; leaves no listener behind.
 */
export function pause(ms: number, signal: AbortSignal, nudge?: EventTarget): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (): void => {
      clearTimeout(t);
      signal.removeEventListener('abort', onAbort);
      nudge?.removeEventListener('output', onOutput);
    };
    const onAbort = (): void => {
      done();
      reject(signal.reason);
    };
    const onOutput = (): void => {
      done();
      resolve();
    };
    const t = setTimeout(onOutput, ms);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    nudge?.addEventListener('output', onOutput, { once: true });
  });
}
