import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Report } from '../reports/model.js';
import {
  browserDocuments,
  browserFloorSeconds,
  chromiumCpuMs,
  loginFloorSeconds,
  spaLoginCosts,
} from './browser-floor.js';

describe('the browser floor', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  /** A fake /proc: `pid (comm) S ppid` and then utime and stime as fields 14 and 15. */
  function fakeProc(
    processes: Array<{ pid: number; ppid: number; comm: string; utime: number; stime: number }>,
  ): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lh-proc-'));
    dirs.push(dir);
    for (const p of processes) {
      mkdirSync(path.join(dir, String(p.pid)));
      const rest = [p.ppid, 0, 0, 0, 0, 0, 0, 0, 0, 0, p.utime, p.stime, 0, 0, 20, 0].join(' ');
      writeFileSync(path.join(dir, String(p.pid), 'stat'), `${p.pid} (${p.comm}) S ${rest}`);
    }
    mkdirSync(path.join(dir, 'self'));
    return dir;
  }

  it("adds up the CPU of Chromium's processes below the given one, and of no other", () => {
    const proc = fakeProc([
      { pid: 100, ppid: 1, comm: 'node', utime: 500, stime: 50 },
      { pid: 101, ppid: 100, comm: 'chromium', utime: 30, stime: 4 },
      // A renderer under the zygote under the browser; the name has a space and a parenthesis.
      { pid: 102, ppid: 101, comm: 'chromium-headle', utime: 7, stime: 1 },
      { pid: 103, ppid: 102, comm: 'headless (shell)', utime: 2, stime: 0 },
      // A target of the same process (not Chromium) and a Chromium that is not ours.
      { pid: 104, ppid: 100, comm: 'node', utime: 90, stime: 9 },
      { pid: 200, ppid: 1, comm: 'chromium', utime: 1000, stime: 100 },
    ]);
    expect(chromiumCpuMs(100, proc)).toBe((34 + 8 + 2) * 10);
    expect(chromiumCpuMs(104, proc)).toBe(0);
    expect(chromiumCpuMs(100, path.join(proc, 'missing'))).toBeUndefined();
  });

  it("counts the HTML documents the audit's browser loaded, and nothing the provider or an HTTP agent fetched", () => {
    const entry = (agent: string, method: string, type: string | undefined, at = 0) => ({
      seq: 1,
      at,
      agent,
      method,
      url: 'http://127.0.0.1:1/x',
      requestHeaders: {},
      ...(type ? { responseHeaders: { 'content-type': type } } : {}),
    });
    const report = {
      results: [
        {
          transcript: [
            entry('browser', 'GET', 'text/html; charset=utf-8'),
            entry('browser', 'GET', 'text/javascript; charset=utf-8'),
            entry('browser', 'POST', 'text/html'),
            entry('browser', 'GET', undefined),
            entry('http', 'GET', 'text/html'),
            entry('provider', 'GET', 'text/html'),
          ],
        },
        { transcript: [entry('browser', 'GET', 'text/html', 5)] },
      ],
    } as unknown as Pick<Report, 'results'>;
    expect(browserDocuments(report)).toBe(2);
  });

  it('counts the pages of a shared login once, though every check that used it carries them', () => {
    const page = (at: number) => ({
      seq: 1,
      at,
      agent: 'browser',
      method: 'GET',
      url: 'http://127.0.0.1:1/login',
      requestHeaders: {},
      responseHeaders: { 'content-type': 'text/html' },
    });
    const report = {
      results: [
        { transcript: [page(10), page(20)] },
        // The shared login's page (at 10) again, and a page of this check's own.
        { transcript: [page(10), page(30)] },
        // Two sessions of one check may load the same page in the same millisecond: both count.
        { transcript: [page(40), page(40)] },
      ],
    } as unknown as Pick<Report, 'results'>;
    expect(browserDocuments(report)).toBe(5);
  });

  it('takes two pages per bare login and spreads the CPU over the CPUs', () => {
    const cost = { logins: 10, chromiumMsPerLogin: 250, driverMsPerLogin: 60, wallMsPerLogin: 170 };
    expect(browserFloorSeconds(cost, 160, 2)).toBe(10);
    expect(browserFloorSeconds(cost, 160, 4)).toBe(5);
    // With the driving process's CPU: (250 + 60) ms for each of 80 logins on 2 CPUs.
    expect(loginFloorSeconds(cost, 160, 2)).toBeCloseTo(12.4, 10);
  });

  it("measures logins of the reference SPA in Chromium, bare and in a context of the harness's pool", async () => {
    const costs = await spaLoginCosts({ logins: 3, warmup: 1 });
    expect(costs).toBeDefined();
    for (const cost of [costs!.bare, costs!.pooled]) {
      expect(cost.logins).toBe(3);
      // A login loads two pages and runs the SPA's scripts: well above one clock tick of Chromium's CPU.
      expect(cost.chromiumMsPerLogin).toBeGreaterThanOrEqual(20);
      expect(cost.driverMsPerLogin).toBeGreaterThan(0);
      expect(cost.wallMsPerLogin).toBeGreaterThan(0);
    }
  }, 60_000);
});
