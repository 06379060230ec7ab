/**
 * A child process in its own process group, with its output captured as evidence (TARGETS.md
 * section 2: the target's stdout and stderr are scanned for leaks) and a stop that cannot leave
 * anything behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { registerGroup, unregisterGroup } from './registry.js';

/** Output kept per process. Leak scans need all of it; this only guards against a runaway logger. */
const MAX_LOG_CHARS = 32 * 1024 * 1024;

/** Grace period between SIGTERM and SIGKILL. */
export const STOP_GRACE_MS = 3_000;

/** How a process ended. */
export interface ExitInfo {
  code: number | null;
  signal: string | null;
}

export interface SpawnGroupOptions {
  /** argv; no shell is involved. */
  command: string[];
  cwd: string;
  /** Added to the harness's own environment. */
  env?: Record<string, string>;
  /** `pipe` for drivers (protocol on stdin), `ignore` for servers. */
  stdin?: 'pipe' | 'ignore';
}

/** A spawned process group. */
export class ManagedProcess {
  readonly child: ChildProcess;
  /** Leader pid (also the process group id); undefined when spawning failed. */
  readonly pid: number | undefined;
  /** Resolves once the process has exited and its output is read to the end. */
  readonly onExit: Promise<ExitInfo>;
  /** Set when the process could not be spawned at all (ENOENT, EACCES). */
  spawnError: Error | undefined;

  private combined = '';
  private stdoutText = '';
  private stderrText = '';
  private done = false;
  private readonly stdoutListeners = new Set<(all: string) => void>();

  private constructor(opts: SpawnGroupOptions) {
    const [file, ...args] = opts.command;
    if (!file) throw new Error('empty command');
    this.child = spawn(file, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      // Own process group (setsid): kill(-pid) reaches every descendant that stays in it.
      detached: true,
      stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'],
    });
    this.pid = this.child.pid;
    if (this.pid !== undefined) registerGroup(this.pid);

    this.child.stdout?.setEncoding('utf8');
    this.child.stderr?.setEncoding('utf8');
    this.child.stdout?.on('data', (chunk: string) => {
      this.append(chunk);
      if (this.stdoutText.length < MAX_LOG_CHARS) this.stdoutText += chunk;
      for (const l of this.stdoutListeners) l(this.stdoutText);
    });
    this.child.stderr?.on('data', (chunk: string) => {
      this.append(chunk);
      if (this.stderrText.length < MAX_LOG_CHARS) this.stderrText += chunk;
    });

    this.onExit = new Promise<ExitInfo>((resolve) => {
      let info: ExitInfo | undefined;
      const finish = (): void => {
        if (this.done || !info) return;
        this.done = true;
        if (this.pid !== undefined) unregisterGroup(this.pid);
        resolve(info);
      };
      this.child.once('error', (err) => {
        // Spawn failures emit 'error' without 'exit'.
        if (this.pid === undefined) {
          this.spawnError = err;
          info = { code: null, signal: null };
          finish();
        }
      });
      this.child.once('exit', (code, signal) => {
        info = { code, signal };
        // The leader is gone; anything it left in its group would be an orphan.
        this.killGroup('SIGKILL');
        // 'close' follows once the pipes are drained. A descendant that left the group could hold them
        // open forever, so do not wait for it unboundedly.
        const timer = setTimeout(finish, 1_000);
        timer.unref();
      });
      this.child.once('close', () => finish());
    });
  }

  /** Spawns `opts.command` in its own process group and registers the group. */
  static spawn(opts: SpawnGroupOptions): ManagedProcess {
    return new ManagedProcess(opts);
  }

  private append(chunk: string): void {
    if (this.combined.length < MAX_LOG_CHARS) this.combined += chunk;
  }

  /** stdout and stderr so far, interleaved in arrival order. */
  logs(): string {
    return this.combined;
  }

  stdout(): string {
    return this.stdoutText;
  }

  stderr(): string {
    return this.stderrText;
  }

  /** Calls `listener` with the whole stdout so far after every chunk; returns an unsubscribe. */
  onStdout(listener: (all: string) => void): () => void {
    this.stdoutListeners.add(listener);
    return () => this.stdoutListeners.delete(listener);
  }

  exited(): boolean {
    return this.done || this.child.exitCode !== null || this.child.signalCode !== null || this.spawnError !== undefined;
  }

  private killGroup(signal: NodeJS.Signals): void {
    if (this.pid === undefined) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      // ESRCH: nothing left in the group.
    }
  }

  /**
   * SIGTERM to the whole group, SIGKILL after `graceMs` if the leader has not exited, and always
   * SIGKILL for whatever remains once it has. Resolves when the exit has been observed.
   */
  async stop(graceMs = STOP_GRACE_MS): Promise<ExitInfo> {
    if (!this.done && this.pid !== undefined) {
      this.killGroup('SIGTERM');
      const timer = setTimeout(() => this.killGroup('SIGKILL'), graceMs);
      try {
        await this.onExit;
      } finally {
        clearTimeout(timer);
      }
    }
    return this.onExit;
  }
}
