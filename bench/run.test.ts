import { describe, expect, it } from 'vitest';
import { SUITES, runBench } from './run.js';
import { measureSlice, processCpuMs, summarize } from './idp/measure.js';

describe('npm run bench', () => {
  it('registers the idp suite as a loadable module', async () => {
    const suite = await SUITES.idp();
    expect(suite.name).toBe('idp');
    expect(typeof suite.run).toBe('function');
  });

  it('registers the soak suite, which reads the provider process memory from /proc', async () => {
    const suite = await SUITES.soak();
    expect(suite.name).toBe('soak');
    const { residentMb } = await import('./suites/soak.js');
    expect(await residentMb(process.pid)).toBeGreaterThan(1);
    expect(await residentMb(2 ** 22 + 12345)).toBeNaN();
  });

  it('explains a failed soak step with the OAuth error and its description, and nothing else of the body', async () => {
    const { describeFailure } = await import('./suites/soak.js');
    const body = JSON.stringify({
      error: 'invalid_grant',
      error_description: 'code is not valid',
      access_token: 'eyJhbGciOiJSUzI1NiJ9.secret-looking-token',
    });
    const message = describeFailure('token (authorization_code)', 400, body);
    expect(message).toBe('token (authorization_code): 400 invalid_grant: code is not valid');
    expect(message).not.toContain('eyJ');
    expect(describeFailure('userinfo', 502, '<html>bad gateway</html>')).toBe('userinfo: 502');
    expect(describeFailure('api', 429, JSON.stringify({ message: 'Rate limit exceeded' }))).toBe(
      'api: 429 Rate limit exceeded',
    );
  });

  it('stops a soak when its signal is aborted, returns the figures reached and leaves no provider behind', async () => {
    const suite = await SUITES.soak();
    const stop = new AbortController();
    const lines: string[] = [];
    const result = await suite.run({
      durationMs: 60_000,
      concurrency: [2],
      flows: 1_000_000,
      signal: stop.signal,
      log: (line) => {
        lines.push(line);
        // Stop as soon as the provider is up and the first sample is taken.
        if (/ flows .* RSS /.test(line)) stop.abort();
      },
    });
    const { summary, samples } = result.json as {
      summary: { stoppedEarly: boolean; flows: number; rssStartMb: number };
      samples: { rssMb: number }[];
    };
    expect(summary.stoppedEarly).toBe(true);
    expect(summary.flows).toBeLessThan(1_000_000);
    expect(summary.rssStartMb).toBeGreaterThan(1);
    expect(samples.length).toBeGreaterThanOrEqual(1);
    const pid = Number(/provider pid (\d+)/.exec(lines.join('\n'))?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(() => process.kill(pid, 0)).toThrow();
  }, 60_000);

  it('registers the audit suites, which take the phase breakdown from the reports they write', async () => {
    expect((await SUITES.audit()).name).toBe('audit');
    expect((await SUITES['audit-spa']()).name).toBe('audit-spa');
    const { summarizeRuns } = await import('./suites/audit.js');
    const { makeReport } = await import('../reports/testing/fixtures.js');
    const run = (wallMs: number, provider: number, env: number) => ({
      wallMs,
      report: {
        ...makeReport(),
        timings: {
          phases: [
            { name: 'provider' as const, startMs: 0, durationMs: provider },
            { name: 'environment' as const, check: 'authz-response.iss', startMs: 1, durationMs: env },
          ],
          checks: [{ id: 'state.entropy', durationMs: wallMs / 10, setupMs: 0, sessionMs: 1, loginMs: 5, waitMs: 0 }],
        },
      },
    });
    const s = summarizeRuns([run(3000, 30, 900), run(1000, 10, 700), run(2000, 20, 800)]);
    expect(s.wallMs).toBe(2000);
    expect(s.phases).toEqual([
      { phase: 'provider', startMs: 0, durationMs: 20 },
      { phase: 'environment authz-response.iss', startMs: 1, durationMs: 800 },
    ]);
    expect(s.checks).toEqual([
      { id: 'state.entropy', durationMs: 200, setupMs: 0, sessionMs: 1, loginMs: 5, waitMs: 0 },
    ]);
  });

  it('refuses a malformed --flows with exit 2', async () => {
    expect(await runBench(['soak', '--flows', 'lots'])).toBe(2);
  });

  it('refuses an unknown suite or a malformed option with exit 2 before measuring anything', async () => {
    expect(await runBench(['no-such-suite'])).toBe(2);
    expect(await runBench(['idp', '--concurrency', '1,x'])).toBe(2);
    expect(await runBench(['idp', '--duration', '5'])).toBe(2);
    expect(await runBench(['--bogus'])).toBe(2);
  });
});

describe('closed-loop measurement', () => {
  it('counts completed flows and errors separately and merges slices into one rate', async () => {
    let n = 0;
    const flow = async (): Promise<void> => {
      const i = ++n;
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (i % 5 === 0) throw new Error('every fifth fails');
    };
    const a = await measureSlice(flow, 2, 50);
    const b = await measureSlice(flow, 2, 50);
    const m = summarize(2, [a, b]);
    expect(m.flows + m.errors).toBe(n);
    expect(m.errors).toBe(Math.floor(n / 5));
    expect(m.firstError).toBe('every fifth fails');
    expect(m.flowsPerSecond).toBeCloseTo(m.flows / ((a.ms + b.ms) / 1000), 1);
    expect(m.p50Ms).toBeLessThanOrEqual(m.p95Ms);
  });

  it('divides the provider CPU time of all slices by the completed flows, and leaves it out when a slice lacks it', () => {
    const slice = (flows: number, serverCpuMs?: number) => ({
      latencies: Array.from({ length: flows }, () => 1),
      errors: 0,
      ms: 100,
      ...(serverCpuMs !== undefined ? { serverCpuMs } : {}),
    });
    expect(summarize(1, [slice(10, 30), slice(30, 50)]).serverCpuMsPerFlow).toBe(2);
    expect(summarize(1, [slice(10, 30), slice(30)]).serverCpuMsPerFlow).toBeUndefined();
  });

  it('reads a process CPU time that grows while it works, and nothing for a process that does not exist', async () => {
    const before = await processCpuMs(process.pid);
    if (before === undefined) return expect(process.platform).not.toBe('linux');
    // Busy for 50 ms of CPU time (not wall time: the machine may be shared), five clock ticks.
    const start = process.cpuUsage();
    while (process.cpuUsage(start).user < 50_000) Math.sqrt(Math.random());
    expect((await processCpuMs(process.pid))!).toBeGreaterThan(before);
    expect(await processCpuMs(2 ** 31)).toBeUndefined();
  });
});
