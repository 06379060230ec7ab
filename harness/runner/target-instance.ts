/**
 * One target process shared by the checks of a run, restarted when it dies. A crash ends the checks
 * that were running in `error` (target); the next check gets a fresh process on the same port, so one
 * crash (for example on a malformed token response) does not take the rest of the audit with it.
 */
import { CheckRunError } from './errors.js';

/** What the runner needs of a started target (server process, driver, or in-process module). */
export interface TargetHandle {
  /** Everything it printed so far (stdout and stderr; a driver's stderr). */
  logs(): string;
  /** Settles when it exited (never for a target the harness did not start). */
  onExit: Promise<unknown>;
  exited(): boolean;
  stop(): Promise<void>;
}

/** Describes an exit for messages: `exited with code 1`, `was killed by SIGKILL`. */
export function describeExit(exit: unknown): string {
  const e = (exit ?? {}) as { code?: number | null; signal?: string | null };
  if (e.signal) return `was killed by ${e.signal}`;
  if (e.code !== undefined && e.code !== null) return `exited with code ${e.code}`;
  return 'exited';
}

/** A target started on demand and restarted after it died. */
export class TargetInstance<H extends TargetHandle = TargetHandle> {
  readonly #start: (signal: AbortSignal) => Promise<H>;
  readonly #signal: AbortSignal;
  #current: Promise<H> | undefined;
  #handles: H[] = [];
  #stopped = false;
  #lastStartError: Error | undefined;

  constructor(start: (signal: AbortSignal) => Promise<H>, signal: AbortSignal) {
    this.#start = start;
    this.#signal = signal;
  }

  /**
   * The running target, starting it when it is not running. Throws {@link CheckRunError} (target) when
   * it cannot be started; after a failed restart later calls fail fast with the same reason.
   */
  async ensure(): Promise<H> {
    if (this.#stopped) throw new CheckRunError('the run is stopping', 'harness');
    if (this.#lastStartError) throw new CheckRunError(this.#lastStartError.message, 'target');
    const current = this.#current;
    if (current) {
      const handle = await current;
      if (!handle.exited()) return handle;
      if (this.#current === current) this.#current = undefined;
      return this.ensure();
    }
    const starting = this.#start(this.#signal).then(
      (handle) => {
        this.#handles.push(handle);
        return handle;
      },
      (err: unknown) => {
        this.#lastStartError = err instanceof Error ? err : new Error(String(err));
        this.#current = undefined;
        throw new CheckRunError(`the target could not be started: ${this.#lastStartError.message}`, 'target');
      },
    );
    this.#current = starting;
    return starting;
  }

  /** Everything every incarnation printed so far (a dead one's output stays evidence). */
  logs(): string {
    return this.#handles.map((h) => h.logs()).join('');
  }

  /**
   * Runs `body` while watching `handle`: if the target exits first, the promise rejects with a
   * {@link CheckRunError} (target) and the check ends in `error`, never `pass`.
   */
  async watch<T>(handle: TargetHandle, body: Promise<T>): Promise<T> {
    const death = handle.onExit.then((exit): never => {
      throw new CheckRunError(`the target ${describeExit(exit)} while the check was running`, 'target');
    });
    death.catch(() => undefined);
    return Promise.race([body, death]);
  }

  /** Stops every incarnation; idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const pending = this.#current;
    this.#current = undefined;
    if (pending) await pending.catch(() => undefined);
    await Promise.allSettled(this.#handles.map((h) => h.stop()));
  }
}
