/**
 * The CPU share of the target processes a run starts before anything waits on them.
 *
 * An audit starts, besides the shared target, one target per group of checks that change discovery
 * metadata, all at once (client-audit.ts). On two cores the six starts shared the CPU evenly, and the
 * shared target, which every other check waits on, came up after about 0.6 s instead of 0.25 s while
 * the harness sat idle. Started in the background, the others use only what the shared target and the
 * harness leave; the first check that waits on one of them brings it (and any later restart) back to
 * an even share, so a busy machine cannot starve a target a check is waiting for.
 *
 * The share is set through Linux's autogroup nice value (`/proc/PID/autogroup`, sched(7)): every
 * target runs in its own session (it is spawned detached), so the scheduler shares the CPU between the
 * sessions first, and a process's own nice value (`setpriority`) would not lower it against the
 * harness's session. An autogroup's nice value may be raised and lowered again by the process's owner
 * between 0 and 19, unlike a process's own. Where there is no autogroup (another system, or a kernel
 * without it) nothing changes: the hint is best effort, and a target that cannot be lowered runs as it
 * always did.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** The autogroup nice value of a target started in the background (the lowest share). */
export const BACKGROUND_NICE = 19;

/** Either an even share of the CPU, or what is left over. */
export type CpuShare = 'normal' | 'background';

/** Sets the autogroup nice value of `pid`'s session; false when the system has no such setting. */
export function setSessionNice(pid: number, nice: number): boolean {
  if (process.platform !== 'linux') return false;
  try {
    writeFileSync(`/proc/${pid}/autogroup`, String(nice));
    return true;
  } catch {
    // No autogroup support, or the process is already gone.
    return false;
  }
}

/** The autogroup nice value of `pid`'s session (`/autogroup-N nice V`), or undefined where there is none. */
export function readSessionNice(pid: number): number | undefined {
  try {
    const m = /nice (-?\d+)/.exec(readFileSync(`/proc/${pid}/autogroup`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The CPU share of the processes of one target (each incarnation, when it is restarted): set before
 * they start, changed at any time; a process attached later gets the share in force.
 */
export class TargetPriority {
  #share: CpuShare;
  readonly #pids = new Set<number>();
  /** Resolved when the share becomes `normal` (see {@link whenNormal}). */
  #normal: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(share: CpuShare) {
    this.#share = share;
  }

  get share(): CpuShare {
    return this.#share;
  }

  /** A process of this target was spawned (the leader of its own session): give it the current share. */
  attach(pid: number): void {
    this.#pids.add(pid);
    if (this.#share === 'background') setSessionNice(pid, BACKGROUND_NICE);
  }

  /** The process ended: nothing to change on it any more. */
  detach(pid: number): void {
    this.#pids.delete(pid);
  }

  /** Changes the share of every running process of this target and of those started later. */
  set(share: CpuShare): void {
    if (share === this.#share) return;
    this.#share = share;
    for (const pid of this.#pids) setSessionNice(pid, share === 'background' ? BACKGROUND_NICE : 0);
    if (share === 'normal') {
      this.#normal?.resolve();
      this.#normal = undefined;
    }
  }

  /**
   * Resolves once the share is `normal`: at once when it is, else when something starts waiting on the
   * target. A start's timeout counts from then (target/start.ts): a target kept in the background on a
   * busy machine may take any time to come up, and that is no fault of the target.
   */
  whenNormal(): Promise<void> {
    if (this.#share === 'normal') return Promise.resolve();
    if (!this.#normal) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.#normal = { promise, resolve };
    }
    return this.#normal.promise;
  }
}
