/**
 * Every process group the harness started and has not yet seen end. Target servers and drivers run in
 * their own process group, so one `kill(-pgid)` reaches the grandchildren too (`npm start` -> node ...).
 *
 * No orphans, ever: when the harness process exits, is interrupted (Ctrl-C), terminated, or crashes
 * with an uncaught exception, every live group is killed synchronously, before Node goes away.
 */

const live = new Set<number>();
let installed = false;

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Sends SIGKILL to every registered process group, synchronously. Safe to call more than once. */
export function killAllTargetsSync(): void {
  for (const pgid of live) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // ESRCH: the group is already gone.
    }
  }
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  killAllTargetsSync();
  // A listener replaces Node's default action for the signal. When nobody else handles it, do what the
  // default would have done: end this process by the same signal (exit status 128 + n).
  if (process.listenerCount(signal) === 1) {
    uninstall();
    process.kill(process.pid, signal);
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAllTargetsSync);
  // The monitor runs before Node's own crash handling and does not change it.
  process.on('uncaughtExceptionMonitor', killAllTargetsSync);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', killAllTargetsSync);
  process.off('uncaughtExceptionMonitor', killAllTargetsSync);
  for (const s of SIGNALS) process.off(s, onSignal);
}

/** Registers a process group (its leader's pid) to be killed if the harness ends. */
export function registerGroup(pgid: number): void {
  install();
  live.add(pgid);
}

/** Forgets a group whose members are all gone. */
export function unregisterGroup(pgid: number): void {
  live.delete(pgid);
}

/** Process groups currently registered (for diagnostics and tests). */
export function liveGroups(): number[] {
  return [...live];
}
