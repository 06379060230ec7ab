import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { meanCpuSeconds, measureInGroup, median, reapedChildrenCpuMs, timeNode } from './command.js';

describe('timing a command in a new process', () => {
  it('reports the exit code, the output and the CPU time the process used', async () => {
    // Busy for 80 ms of CPU time (not wall time: the machine may be shared), then exit 3.
    const script =
      'const s = process.cpuUsage(); while (process.cpuUsage(s).user < 80000) Math.sqrt(Math.random()); ' +
      'process.stdout.write("done"); process.stderr.write("note"); process.exit(3)';
    const run = await timeNode(['-e', script], process.cwd());
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('done');
    expect(run.stderr).toBe('note');
    expect(run.wallMs).toBeGreaterThan(0);
    if ((await reapedChildrenCpuMs()) === undefined) return expect(process.platform).not.toBe('linux');
    // At least the busy loop (clock ticks of 10 ms).
    expect(run.cpuMs!).toBeGreaterThanOrEqual(70);
  });

  it('counts the CPU time of processes the command started and did not wait for, in a control group where one can be made', async () => {
    // The command starts a process of its own that busies 150 ms of CPU and exits at once without
    // waiting for it; the orphan shares the output pipe, so the run ends when the orphan does.
    const orphan = 'const s = process.cpuUsage(); while (process.cpuUsage(s).user < 150000) Math.sqrt(Math.random());';
    const script =
      `require("node:child_process").spawn(process.execPath, ["-e", ${JSON.stringify(orphan)}], ` +
      '{ stdio: "inherit", detached: true }).unref(); process.exit(0)';
    const run = await timeNode(['-e', script], process.cwd());
    expect(run.code).toBe(0);
    const canGroup = process.getuid?.() === 0 && existsSync('/sys/fs/cgroup/cpuacct/cpuacct.usage');
    if (!canGroup) return expect(run.cpuSource).not.toBe('cgroup');
    expect(run.cpuSource).toBe('cgroup');
    expect(run.cpuMs!).toBeGreaterThanOrEqual(140);
    // No group of this run is left behind.
    expect(
      readdirSync('/sys/fs/cgroup/cpuacct').filter((n) => n.startsWith(`login-harness-bench-${process.pid}-`)),
    ).toEqual([]);
  });

  it('counts this process and the processes it starts, reaped or not, for a span in a group of its own', async () => {
    const home = readFileSync('/proc/self/cgroup', 'utf8');
    const span = await measureInGroup();
    const canGroup = process.getuid?.() === 0 && existsSync('/sys/fs/cgroup/cpuacct/cpuacct.usage');
    if (!canGroup) return expect(span).toBeUndefined();
    expect(span).toBeDefined();
    try {
      // A grandchild busy for 150 ms of CPU, left to run by its parent, which exits at once (nobody
      // here reaps it); the pipe it shares closes when it ends.
      const orphan =
        'const s = process.cpuUsage(); while (process.cpuUsage(s).user < 150000) Math.sqrt(Math.random());';
      const script =
        `require("node:child_process").spawn(process.execPath, ["-e", ${JSON.stringify(orphan)}], ` +
        '{ stdio: "inherit", detached: true }).unref(); process.exit(0)';
      const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise((resolve) => child.stdout.on('close', resolve));
      expect(await span!.read()).toBeGreaterThanOrEqual(140);
    } finally {
      await span!.end();
    }
    // Back in its own group.
    expect(readFileSync('/proc/self/cgroup', 'utf8')).toBe(home);
  });

  it('takes the median of an odd and an even count, and NaN of none', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('averages CPU seconds per run only when every run has them', () => {
    expect(meanCpuSeconds([{ cpuMs: 100 }, { cpuMs: 300 }])).toBe(0.2);
    expect(meanCpuSeconds([{ cpuMs: 100 }, {}])).toBeUndefined();
    expect(meanCpuSeconds([])).toBeUndefined();
  });
});
