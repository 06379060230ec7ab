import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ResolvedTarget } from '../types.js';
import { freeLoopbackPort, liveGroups, startTarget, TargetStartError, type RunningTarget } from './index.js';
import { TargetPriority } from './priority.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');

/** True while the process exists and is not a zombie (an unreaped zombie still answers kill 0). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Resolves when every pid is gone (reaping by init is asynchronous); rejects after `ms`. */
async function gone(pids: number[], ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (pids.some(isAlive)) {
    if (Date.now() > until) throw new Error(`still alive: ${pids.filter(isAlive).join(', ')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function target(script: string, start: Partial<NonNullable<ResolvedTarget['start']>> = {}): ResolvedTarget {
  return {
    name: script,
    kind: 'web',
    dir: fixtures,
    profile: 'lexoffice',
    client: { id: 'x', authMethod: 'none', redirectUri: 'http://127.0.0.1/cb', scopes: [] },
    start: {
      command: [process.execPath, path.join(fixtures, script)],
      cwd: fixtures,
      env: {},
      ready: { stdout: 'ready' },
      timeoutMs: 5_000,
      ...start,
    },
  };
}

const started: RunningTarget[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((t) => t.stop()));
});

describe('startTarget', () => {
  it('waits for the ready URL, captures stdout and stderr, and stops the server', async () => {
    const port = await freeLoopbackPort();
    const t = await startTarget(
      target('server.mjs', {
        env: { PORT: String(port), MARKER: 'm-123' },
        ready: { url: `http://127.0.0.1:${port}/health` },
      }),
    );
    started.push(t);
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    expect(res.status).toBe(200);
    // The ready answer comes after listen's callback, so both lines are there or arrive promptly.
    await expect.poll(() => t.logs()).toContain('secret-ish log line m-123');
    expect(t.logs()).toContain(`listening on ${port}`);
    expect(t.exited()).toBe(false);
    await t.stop();
    expect(t.exited()).toBe(true);
    expect(await t.onExit).toEqual({ code: 0, signal: null });
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });

  it('times out a target that never gets ready, kills it and reports its output', async () => {
    const t0 = Date.now();
    // Long enough for the target's first line to arrive on a loaded machine (node start-up alone can take seconds).
    const err = await startTarget(target('never-ready.mjs', { timeoutMs: 5_000 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetStartError);
    const e = err as TargetStartError;
    expect(e.kind).toBe('timeout');
    expect(e.message).toContain('within 5000 ms');
    expect(e.message).toContain('starting, will never be up');
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(liveGroups()).toEqual([]);
  });

  it('times out on a ready URL nobody answers', async () => {
    const port = await freeLoopbackPort();
    const err = await startTarget(
      target('never-ready.mjs', { timeoutMs: 300, ready: { url: `http://127.0.0.1:${port}/health` } }),
    ).catch((e: unknown) => e);
    expect((err as TargetStartError).kind).toBe('timeout');
    expect(liveGroups()).toEqual([]);
  });

  it('gives a target started in the background its time once something waits on it, not from its spawn', async () => {
    // Ready after 800 ms, with 300 ms to get ready: in the background nothing waits on it, so no timeout runs.
    const background = new TargetPriority('background');
    const t = await startTarget(target('ready-later.mjs', { env: { READY_AFTER_MS: '800' }, timeoutMs: 300 }), {
      priority: background,
    });
    expect(t.exited()).toBe(false);
    // Waited on after it got ready, it gets no start timeout any more.
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    background.set('normal');
    await new Promise((r) => setImmediate(r));
    expect(timers()).toBe(before);
    await t.stop();

    // Waited on 400 ms after its spawn, a target that never gets ready has its 300 ms from then.
    const priority = new TargetPriority('background');
    const t0 = Date.now();
    const failing = startTarget(target('never-ready.mjs', { timeoutMs: 300 }), { priority }).catch((e: unknown) => e);
    setTimeout(() => priority.set('normal'), 400);
    const err = await failing;
    expect((err as TargetStartError).kind).toBe('timeout');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
    expect(liveGroups()).toEqual([]);
  });

  it('polls a ready URL many times without piling up abort listeners', async () => {
    const port = await freeLoopbackPort();
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const err = await startTarget(
        target('never-ready.mjs', { timeoutMs: 2_500, ready: { url: `http://127.0.0.1:${port}/health` } }),
        { signal: new AbortController().signal },
      ).catch((e: unknown) => e);
      expect((err as TargetStartError).kind).toBe('timeout');
      // Warnings are emitted on the next tick.
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.includes('MaxListenersExceeded'))).toEqual([]);
  });

  it('reports a target that crashes at start with its exit code and output', async () => {
    const err = await startTarget(target('crash.mjs')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetStartError);
    const e = err as TargetStartError;
    expect(e.kind).toBe('exited');
    expect(e.exitStatus).toBe(3);
    expect(e.message).toContain('exited with code 3');
    expect(e.logs).toContain('fatal: OAUTH_ISSUER is not reachable');
  });

  it('reports a command that does not exist', async () => {
    const err = await startTarget(target('x', { command: ['/nonexistent/login-harness-target'] })).catch(
      (e: unknown) => e,
    );
    expect((err as TargetStartError).kind).toBe('spawn');
  });

  it('leaves no grandchild behind when stopping a target that ignores SIGTERM', async () => {
    const t = await startTarget(target('family.mjs'));
    const m = /pids (\d+) (\d+)/.exec(t.logs());
    expect(m).not.toBeNull();
    const pids = [Number(m?.[1]), Number(m?.[2])];
    expect(pids.every(isAlive)).toBe(true);
    expect(t.pid).toBe(pids[0]);
    const before = Date.now();
    await t.stop();
    await gone(pids);
    // SIGTERM was ignored, so the SIGKILL after the grace period ended it.
    expect(Date.now() - before).toBeGreaterThanOrEqual(2_500);
    expect(await t.onExit).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('kills the grandchild too when the target crashes on its own', async () => {
    const t = await startTarget(target('family.mjs'));
    const m = /pids (\d+) (\d+)/.exec(t.logs());
    const pids = [Number(m?.[1]), Number(m?.[2])];
    process.kill(pids[0] ?? 0, 'SIGKILL');
    await t.onExit;
    await gone(pids);
  });

  it('stops the target when the start is aborted', async () => {
    const controller = new AbortController();
    const p = startTarget(target('never-ready.mjs'), { signal: controller.signal });
    controller.abort();
    const err = await p.catch((e: unknown) => e);
    expect((err as TargetStartError).kind).toBe('aborted');
    expect(liveGroups()).toEqual([]);
  });

  /** Starts the harness fixture in its own process; resolves with it and the target's two pids. */
  async function harnessWithTarget(
    ...args: string[]
  ): Promise<{ harness: ChildProcess; pids: number[]; stderr: () => string }> {
    const harness = spawn(process.execPath, ['--import', 'tsx', path.join(fixtures, 'harness-sigint.ts'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    harness.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const pids = await new Promise<number[]>((resolve, reject) => {
      harness.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /target (\d+) (\d+)/.exec(out);
        if (m) resolve([Number(m[1]), Number(m[2])]);
      });
      harness.once('exit', () => reject(new Error(`harness exited early: ${err}`)));
    });
    return { harness, pids, stderr: () => err };
  }

  it('leaves no target process behind when the harness process dies of an uncaught exception', async () => {
    const { harness, pids, stderr } = await harnessWithTarget('crash');
    const code = await new Promise<number | null>((r) => {
      if (harness.exitCode !== null) r(harness.exitCode);
      else harness.once('exit', (c) => r(c));
    });
    expect(code).toBe(1);
    expect(stderr()).toContain('harness bug');
    await gone(pids);
  });

  it('leaves no target process behind when the harness process exits without stopping it', async () => {
    const { harness, pids } = await harnessWithTarget('exit');
    const code = await new Promise<number | null>((r) => {
      if (harness.exitCode !== null) r(harness.exitCode);
      else harness.once('exit', (c) => r(c));
    });
    expect(code).toBe(0);
    await gone(pids);
  });

  it('leaves no target process behind when the harness process gets SIGINT', async () => {
    const harness = spawn(process.execPath, ['--import', 'tsx', path.join(fixtures, 'harness-sigint.ts')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    harness.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const pids = await new Promise<number[]>((resolve, reject) => {
      harness.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /target (\d+) (\d+)/.exec(out);
        if (m) resolve([Number(m[1]), Number(m[2])]);
      });
      harness.once('exit', () => reject(new Error(`harness exited early: ${err}`)));
    });
    expect(pids.every(isAlive)).toBe(true);
    const exit = new Promise<[number | null, string | null]>((r) => harness.once('exit', (c, s) => r([c, s])));
    harness.kill('SIGINT');
    // Interrupted like Node's default: by the signal itself.
    expect(await exit).toEqual([null, 'SIGINT']);
    await gone(pids);
  });
});

describe('freeLoopbackPort', () => {
  it('returns a port that can be bound on 127.0.0.1', async () => {
    const port = await freeLoopbackPort();
    expect(port).toBeGreaterThan(0);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((r) => server.close(r));
  });
});
