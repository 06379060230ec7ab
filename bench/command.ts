/**
 * Timing a command as a user runs it: a new process, wall time seen from outside and the CPU time the
 * process and every process it started used.
 *
 * The CPU time comes from a control group of the run's own where one can be made (Linux, with write
 * access to the `cpuacct` hierarchy or a cgroup v2 tree): the command is started inside it, every process
 * it starts stays in it, and the group's counter is read after the command ends. That counts processes
 * nobody waits for, which matters: Chromium's renderers and helpers are often killed with the browser
 * and re-parented instead of reaped up the chain, and the other source below missed about a third of an
 * SPA audit's CPU time that way.
 *
 * Otherwise it comes from this process's own `/proc/self/stat`: the kernel adds a child's user and
 * system time (and that of its own reaped descendants) to the parent's `cutime`/`cstime` when the
 * parent reaps it, which Node does before the child's `exit` event. The difference across one run is
 * that run's CPU time, provided no other child of this process ends meanwhile: the suites run one
 * command at a time. Clock ticks of 10 ms, so short commands are averaged over several runs. Each run
 * names the source it used (`cpuSource`).
 */
import { spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

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

/** Where a run's CPU time comes from (see the file's comment). */
export type CpuSource = 'cgroup' | 'reaped-children';

/** A hierarchy that accounts CPU time per control group, and how to read a group's total in ms. */
interface CpuAccounting {
  root: string;
  read: (group: string) => Promise<number>;
}

/** Control-group hierarchies tried in order: cgroup v1 `cpuacct`, then cgroup v2 (unified). */
const ACCOUNTING: readonly CpuAccounting[] = [
  {
    root: '/sys/fs/cgroup/cpuacct',
    read: async (group) => Number(await readFile(path.join(group, 'cpuacct.usage'), 'utf8')) / 1e6,
  },
  ...['/sys/fs/cgroup/unified', '/sys/fs/cgroup'].map((root) => ({
    root,
    read: async (group: string) => {
      const stat = await readFile(path.join(group, 'cpu.stat'), 'utf8');
      return Number(/^usage_usec (\d+)$/m.exec(stat)?.[1]) / 1000;
    },
  })),
];

let groups = 0;

/** Removes empty groups that earlier runs could not remove (their last processes were still ending). */
async function pruneGroups(root: string): Promise<void> {
  for (const name of await readdir(root).catch(() => [])) {
    if (name.startsWith('login-harness-bench-')) await rmdir(path.join(root, name)).catch(() => undefined);
  }
}

/**
 * A new, empty control group for one run, or undefined when none can be made here. The group is a
 * child of the root of the first hierarchy that accepts one and can be read.
 */
async function newGroup(): Promise<{ dir: string; read: () => Promise<number> } | undefined> {
  for (const acc of ACCOUNTING) {
    if (groups === 0) await pruneGroups(acc.root);
    const dir = path.join(acc.root, `login-harness-bench-${process.pid}-${++groups}`);
    try {
      await mkdir(dir);
    } catch {
      continue;
    }
    try {
      if (Number.isFinite(await acc.read(dir))) return { dir, read: () => acc.read(dir) };
    } catch {
      // Not an accounting hierarchy after all.
    }
    await rmdir(dir).catch(() => undefined);
  }
  return undefined;
}

/** The path of this process's group in the hierarchy at `root`, from /proc/self/cgroup. */
async function ownGroup(root: string): Promise<string | undefined> {
  const lines = (await readFile('/proc/self/cgroup', 'utf8').catch(() => '')).split('\n');
  const v1 = path.basename(root);
  for (const line of lines) {
    const [, controllers, where] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    if (where === undefined) continue;
    // cgroup v1: the line naming the hierarchy's controller (`cpuacct` or `cpu,cpuacct`); v2: `0::`.
    const matches = v1 === 'cpuacct' ? controllers.split(',').includes('cpuacct') : controllers === '';
    if (matches) return path.join(root, where);
  }
  return undefined;
}

/** A span of this process's own work, measured with the processes it starts (see {@link measureInGroup}). */
export interface GroupSpan {
  /** CPU ms of this process and every process it started since the span began. */
  read: () => Promise<number>;
  /** Puts this process back into its own group and removes the span's group. */
  end: () => Promise<void>;
}

/**
 * Moves this process into a new control group, so that its own CPU time and that of every process it
 * starts from now on (reaped or not) is counted until {@link GroupSpan.end}. For in-process suites,
 * which start targets and Chromium from the benchmark's own process. Undefined where no group can be
 * made or joined; the caller then falls back to {@link reapedChildrenCpuMs}.
 */
export async function measureInGroup(): Promise<GroupSpan | undefined> {
  const group = await newGroup();
  if (!group) return undefined;
  const root = path.dirname(group.dir);
  const home = await ownGroup(root);
  const join = (dir: string): Promise<void> => writeFile(path.join(dir, 'cgroup.procs'), String(process.pid));
  try {
    if (!home) throw new Error('no group of this process in the hierarchy');
    await join(group.dir);
  } catch {
    await removeGroup(group.dir);
    return undefined;
  }
  return {
    read: async () => Math.round(await group.read()),
    end: async () => {
      await join(home).catch(() => undefined);
      await removeGroup(group.dir);
    },
  };
}

/** One finished command. */
export interface CommandRun {
  wallMs: number;
  /** User + system CPU of the process and the processes it started, ms; `undefined` off Linux. */
  cpuMs?: number;
  /** Where `cpuMs` comes from. */
  cpuSource?: CpuSource;
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node ...args` (this Node binary) in `cwd` and waits for it to end; never rejects for an exit
 * code, so the caller decides which codes are a finished run.
 */
export async function timeNode(args: readonly string[], cwd: string): Promise<CommandRun> {
  const group = await newGroup();
  const cpuBefore = await reapedChildrenCpuMs();
  const t0 = performance.now();
  // In a group, a shell joins it and then becomes the command, so not one instruction of it runs outside.
  const child = group
    ? spawn('/bin/sh', ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', group.dir, process.execPath, ...args], {
        cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    : spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
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
  let cpu: Pick<CommandRun, 'cpuMs' | 'cpuSource'> =
    cpuBefore !== undefined && cpuAfter !== undefined
      ? { cpuMs: cpuAfter - cpuBefore, cpuSource: 'reaped-children' }
      : {};
  if (group) {
    try {
      cpu = { cpuMs: Math.round(await group.read()), cpuSource: 'cgroup' };
    } catch {
      // The group went away: keep the other source.
    }
    await removeGroup(group.dir);
  }
  return {
    wallMs,
    ...cpu,
    code,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
  };
}

/**
 * Removes a run's group once its last process is gone: processes the command left behind (a browser
 * being killed) may take a moment to end; they are given a second, then the group is left for the
 * system to clean up with them.
 */
async function removeGroup(dir: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    try {
      await rmdir(dir);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** The `q` quantile (0..1) of `values`, interpolated between neighbours; NaN for none. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/** Median of `xs` (NaN for none): the mean of the two middle values of an even count. */
export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
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

/**
 * The script `npx` runs, for timing it with this Node binary as {@link timeNode} does: the first `npx`
 * on `PATH` (`pathEnv`) resolved through its links, when that is a JavaScript file (npm's
 * `npx-cli.js`); `undefined` when there is none, or it is something else (a native launcher, a batch
 * file), which this cannot time the same way.
 */
export function findNpxScript(pathEnv: string | undefined = process.env.PATH): string | undefined {
  for (const dir of (pathEnv ?? '').split(path.delimiter)) {
    if (!dir) continue;
    let real: string;
    try {
      real = realpathSync(path.join(dir, 'npx'));
    } catch {
      continue;
    }
    return /\.[cm]?js$/.test(real) ? real : undefined;
  }
  return undefined;
}
