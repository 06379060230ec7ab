/**
 * Timing a command as a user runs it: a new process, wall time seen from outside and the CPU time the
 * process (with the children it waited for) used.
 *
 * Node has no resource usage of a child process, so the CPU time comes from this process's own
 * `/proc/self/stat`: the kernel adds a child's user and system time (and that of its own reaped
 * descendants) to the parent's `cutime`/`cstime` when the parent reaps it, which Node does before the
 * child's `exit` event. The difference across one run is that run's CPU time, provided no other child
 * of this process ends meanwhile: the suites run one command at a time. Linux only; clock ticks of
 * 10 ms, so short commands are averaged over several runs.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** CPU time of this process's reaped children so far, ms (`cutime + cstime`); `undefined` off Linux. */
export async function reapedChildrenCpuMs(): Promise<number | undefined> {
  try {
    const stat = await readFile('/proc/self/stat', 'utf8');
    // Fields after the command name's closing parenthesis start at field 3; cutime and cstime are 16 and 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[13]) + Number(fields[14]);
    return Number.isFinite(ticks) ? ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}

/** One finished command. */
export interface CommandRun {
  wallMs: number;
  /** User + system CPU of the process and the children it waited for, ms; `undefined` off Linux. */
  cpuMs?: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node ...args` (this Node binary) in `cwd` and waits for it to end; never rejects for an exit
 * code, so the caller decides which codes are a finished run.
 */
export async function timeNode(args: readonly string[], cwd: string): Promise<CommandRun> {
  const cpuBefore = await reapedChildrenCpuMs();
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    // `close`: the process has exited (and was reaped) and its output is read to the end.
    child.once('close', (c) => resolve(c));
  });
  const wallMs = performance.now() - t0;
  const cpuAfter = await reapedChildrenCpuMs();
  return {
    wallMs,
    ...(cpuBefore !== undefined && cpuAfter !== undefined ? { cpuMs: cpuAfter - cpuBefore } : {}),
    code,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
  };
}

/** Median of `xs` (NaN for none). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Mean CPU seconds per run, when every run has its CPU time; `undefined` otherwise. */
export function meanCpuSeconds(runs: readonly Pick<CommandRun, 'cpuMs'>[]): number | undefined {
  if (runs.length === 0 || runs.some((r) => r.cpuMs === undefined)) return undefined;
  return runs.reduce((s, r) => s + (r.cpuMs ?? 0), 0) / runs.length / 1000;
}

/** Load averages (`os.loadavg()`) rounded to two places for the record. */
export function roundedLoad(loadavg: readonly number[]): number[] {
  return loadavg.map((l) => Math.round(l * 100) / 100);
}

/** The 1-minute load average rounded for the record. */
export function load1(loadavg: readonly number[]): number {
  return roundedLoad(loadavg)[0];
}
