import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SUITES, runBench } from './run.js';
import {
  machineCpuMs,
  measureSlice,
  pairedRatios,
  processCpuMs,
  rs256SignCpuMs,
  signingCeiling,
  summarize,
  type Measurement,
} from './idp/measure.js';
import { quantile } from './command.js';
import { parseGoalsFile } from './goals.js';
import type { BenchOptions, BenchSuite } from './types.js';

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

  it('refuses a --runs that is not a positive number of runs with exit 2', async () => {
    expect(await runBench(['list', '--runs', '0'])).toBe(2);
    expect(await runBench(['list', '--runs', 'x'])).toBe(2);
    expect(await runBench(['provider-audit', '--runs', '-1'])).toBe(2);
    expect(await runBench(['provider-audit', '--runs', '1001'])).toBe(2);
  });

  it('registers the list and provider-audit suites as loadable modules', async () => {
    expect((await SUITES.list()).name).toBe('list');
    expect((await SUITES['provider-audit']()).name).toBe('provider-audit');
  });

  it('runs login-harness list and bare node -e 0 as the list suite compares them', async () => {
    const { COMMANDS } = await import('./suites/list.js');
    expect(COMMANDS.bare).toEqual(['-e', '0']);
    expect(COMMANDS.list[0]).toMatch(/bin[/\\]login-harness\.mjs$/);
    expect(COMMANDS.list.slice(1)).toEqual(['list']);
  });

  it('sets the median wall of list against that of bare node, and their mean CPU seconds', async () => {
    const { summarizeList } = await import('./suites/list.js');
    const runs = (...ms: Array<[number, number]>) =>
      ms.map(([wallMs, cpuMs]) => ({ wallMs, cpuMs, code: 0, stdout: '', stderr: '' }));
    const s = summarizeList(runs([300, 200], [900, 400], [330, 300]), runs([100, 100], [110, 100], [90, 100]));
    expect(s.listWallMs).toBe(330);
    expect(s.bareWallMs).toBe(100);
    expect(s.ratio).toBeCloseTo(3.3, 5);
    expect(s.listCpuSeconds).toBeCloseTo(0.3, 5);
    expect(s.cpuRatio).toBeCloseTo(3, 5);
    const noCpu = summarizeList([{ wallMs: 1, code: 0, stdout: '', stderr: '' }], runs([1, 1]));
    expect(noCpu.cpuRatio).toBeUndefined();
  });

  it('audits the embedded mock in the provider-audit suite: audit-provider without --discovery, JSON report only', async () => {
    const { auditArgs } = await import('./suites/audit.js');
    const args = auditArgs('audit-provider', [], '/tmp/out');
    expect(args[0]).toMatch(/bin[/\\]login-harness\.mjs$/);
    expect(args.slice(1)).toEqual(['audit-provider', '--quiet', '--format', 'json', '--out', '/tmp/out']);
    expect(auditArgs('audit', ['target.json'], 'o').slice(1, 3)).toEqual(['audit', 'target.json']);
  });

  it("runs the default target's audit through npx as the quick start types it, and reports what npx adds round by round", async () => {
    const { auditArgs, launcherMs, npxAuditArgs } = await import('./suites/audit.js');
    const args = npxAuditArgs('/opt/npm/bin/npx-cli.js', 'audit', [], '/tmp/out');
    expect(args).toEqual(['/opt/npm/bin/npx-cli.js', 'login-harness', ...auditArgs('audit', [], '/tmp/out').slice(1)]);
    expect(args.slice(1, 3)).toEqual(['login-harness', 'audit']);
    const { makeReport } = await import('../reports/testing/fixtures.js');
    const run = (wallMs: number) => ({ wallMs, report: makeReport() });
    // Paired differences 900, 500 and 700 ms: the median, not the difference of the medians (1900 - 1200).
    expect(launcherMs([run(1000), run(1500), run(1200)], [run(1900), run(2000), run(1900)])).toBe(700);
    // Only complete pairs count.
    expect(launcherMs([run(1000), run(1500)], [run(1800)])).toBe(800);
    expect(launcherMs([run(1000)], [])).toBeUndefined();
    const { webAuditSuite, spaAuditSuite } = await import('./suites/audit.js');
    // Only the default target's suite runs through npx (the quick start's command).
    expect(webAuditSuite.description).toMatch(/through npx \(goal 2 s\)/);
    expect(spaAuditSuite.description).not.toMatch(/npx/);
  });

  it('finds the script npx runs on PATH, through its link, and nothing that is not a JavaScript file', async () => {
    const { findNpxScript } = await import('./command.js');
    const { mkdir, symlink, writeFile } = await import('node:fs/promises');
    const { delimiter } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'lh-npx-'));
    try {
      const lib = join(dir, 'lib', 'npm', 'bin');
      await mkdir(lib, { recursive: true });
      await writeFile(join(lib, 'npx-cli.js'), '');
      const bin = join(dir, 'bin');
      await mkdir(bin);
      await symlink(join(lib, 'npx-cli.js'), join(bin, 'npx'));
      const empty = join(dir, 'empty');
      await mkdir(empty);
      const { realpath } = await import('node:fs/promises');
      expect(findNpxScript([empty, bin].join(delimiter))).toBe(await realpath(join(lib, 'npx-cli.js')));
      const native = join(dir, 'native');
      await mkdir(native);
      await writeFile(join(native, 'npx'), '#!/bin/sh\n');
      // The first npx on PATH is the one a shell runs: a launcher that is no script is not timed instead.
      expect(findNpxScript([native, bin].join(delimiter))).toBeUndefined();
      expect(findNpxScript(empty)).toBeUndefined();
      expect(findNpxScript('')).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown suite or a malformed option with exit 2 before measuring anything', async () => {
    expect(await runBench(['no-such-suite'])).toBe(2);
    expect(await runBench(['idp', '--concurrency', '1,x'])).toBe(2);
    expect(await runBench(['idp', '--duration', '5'])).toBe(2);
    expect(await runBench(['--bogus'])).toBe(2);
  });
});

describe('the goals summary of a run', () => {
  let dir: string | undefined;
  const added: string[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const name of added.splice(0)) delete SUITES[name];
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });
  const fake = (name: string, run: BenchSuite['run']): void => {
    added.push(name);
    SUITES[name] = () => Promise.resolve({ name, description: 'fake', run });
  };

  it('prints every figure measured against its goal after the suites, and merges them into goals.json', async () => {
    dir = await mkdtemp(join(tmpdir(), 'lh-bench-'));
    const seen: BenchOptions[] = [];
    fake('fake-list', (opts) => {
      seen.push(opts);
      return Promise.resolve({
        table: 'fake table',
        json: {},
        goals: [{ key: 'list.ratio', value: 4, detail: '0.4 s vs 0.1 s', load: { before: 0.5, after: 0.75 } }],
      });
    });
    fake('fake-broken', () => Promise.reject(new Error('target did not start')));
    fake('fake-audit', () =>
      Promise.resolve({
        table: 'other',
        json: {},
        goals: [{ key: 'audit.web.wall', value: 1.5, cpuSeconds: 2.5, load: { before: 1, after: 1 } }],
      }),
    );
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
    const code = await runBench(['fake-list', 'fake-broken', 'fake-audit', '--runs', '7'], { resultsDir: dir });
    // A broken suite does not cost the others' figures, but the run says it broke.
    expect(code).toBe(1);
    expect(err.join('')).toContain('fake-broken failed: Error: target did not start');
    expect(seen[0].runs).toBe(7);
    const printed = out.join('');
    const goals = printed.slice(printed.indexOf('== goals'));
    const lines = goals.split('\n').filter((l) => l.startsWith('| '));
    expect(lines).toHaveLength(4);
    // In the order of the table of figures, not of the suites.
    expect(lines[2]).toMatch(
      /reference-web.*\| 1\.50 s \| <= 2\.00 s \| met \| 2\.50 CPU-s \| 1\.00 -> 1\.00 \| \d+ \|$/,
    );
    expect(lines[3]).toMatch(/list.*\| 4\.00x \(0\.4 s vs 0\.1 s\) \| <= 3\.00x \| NOT MET \| - \| 0\.50 -> 0\.75 \|/);
    const rows = parseGoalsFile(await readFile(join(dir, 'goals.json'), 'utf8'));
    expect(rows.map((r) => [r.key, r.suite, r.met])).toEqual([
      ['audit.web.wall', 'fake-audit', true],
      ['list.ratio', 'fake-list', false],
    ]);

    // A later run of one suite updates only its row.
    out.length = 0;
    const before = rows.find((r) => r.key === 'audit.web.wall')!;
    fake('fake-list-2', () =>
      Promise.resolve({
        table: 't',
        json: {},
        goals: [{ key: 'list.ratio', value: 2, load: { before: 0, after: 0 } }],
      }),
    );
    expect(await runBench(['fake-list-2'], { resultsDir: dir })).toBe(0);
    expect(out.join('')).not.toContain('reference-web');
    const after = parseGoalsFile(await readFile(join(dir, 'goals.json'), 'utf8'));
    expect(after.find((r) => r.key === 'audit.web.wall')).toEqual(before);
    expect(after.find((r) => r.key === 'list.ratio')).toMatchObject({ value: 2, met: true, suite: 'fake-list-2' });
  });

  it('prints no goals table when no suite measured a figure of it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'lh-bench-'));
    fake('fake-plain', () => Promise.resolve({ table: 'plain', json: {} }));
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await runBench(['fake-plain'], { resultsDir: dir })).toBe(0);
    expect(out.join('')).not.toContain('== goals');
    await expect(readFile(join(dir, 'goals.json'), 'utf8')).rejects.toThrow(/ENOENT/);
  });
});

describe('the idp comparison', () => {
  const cell = (concurrency: number, rounds: number[], serverCpuMsPerFlow?: number): Measurement => ({
    concurrency,
    flows: rounds.reduce((s, r) => s + r, 0),
    errors: 0,
    seconds: rounds.length,
    flowsPerSecond: rounds.reduce((s, r) => s + r, 0) / rounds.length,
    p50Ms: 1,
    p95Ms: 2,
    p99Ms: 3,
    roundFlowsPerSecond: rounds,
    ...(serverCpuMsPerFlow !== undefined ? { serverCpuMsPerFlow } : {}),
  });

  it("takes the median of the mock's flows/s over oauth2-mock-server's round by round, and the baseline's CPU per flow over the mock's", async () => {
    const { ratios } = await import('./suites/idp.js');
    const r = ratios([
      { provider: 'oidc-provider', version: '9', measurements: [cell(1, [500, 500], 0.1), cell(4, [500], 0.1)] },
      { provider: 'oauth2-mock-server', version: '8', measurements: [cell(1, [100, 100, 50], 4), cell(4, [150])] },
      {
        provider: 'login-harness mock-idp',
        version: 'workspace',
        // Round 3 hit the baseline with other work: pooled, the ratio would be 600/250 = 2.4x.
        measurements: [cell(1, [250, 150, 200], 2), cell(4, [300], 1)],
      },
    ]);
    expect(r).toEqual([
      {
        concurrency: 1,
        flows: { median: 2.5, q1: 2, q3: 3.25, min: 1.5, max: 4, rounds: 3 },
        cpuRatio: 2,
        oursCpu: 2,
        baseCpu: 4,
      },
      {
        concurrency: 4,
        flows: { median: 2, q1: 2, q3: 2, min: 2, max: 2, rounds: 1 },
        cpuRatio: undefined,
        oursCpu: 1,
        baseCpu: undefined,
      },
    ]);
    expect(ratios([{ provider: 'login-harness mock-idp', version: 'w', measurements: [cell(1, [1])] }])).toEqual([]);
  });

  it('compares any two providers by name: the floor against the baseline, the mock against the floor', async () => {
    const { ratios } = await import('./suites/idp.js');
    const { FLOOR } = await import('./idp/providers.js');
    const results = [
      { provider: 'oauth2-mock-server', version: '8', measurements: [cell(1, [100, 100], 6)] },
      { provider: 'login-harness mock-idp', version: 'w', measurements: [cell(1, [170, 180], 3.5)] },
      { provider: FLOOR, version: 'node', measurements: [cell(1, [200, 200], 3)] },
    ];
    expect(ratios(results, FLOOR)[0]).toMatchObject({ flows: { median: 2 }, cpuRatio: 2, oursCpu: 3, baseCpu: 6 });
    expect(ratios(results, 'login-harness mock-idp', FLOOR)[0]).toMatchObject({
      flows: { median: 0.875, min: 0.85, max: 0.9 },
      oursCpu: 3.5,
      baseCpu: 3,
    });
    expect(ratios(results, 'nobody')).toEqual([]);
  });

  it('pairs rounds by index, leaves out rounds in which either side completed nothing, and has no ratio without a pair', () => {
    expect(pairedRatios([10, 0, 30], [5, 10, 10])).toEqual({
      median: 2.5,
      q1: 2.25,
      q3: 2.75,
      min: 2,
      max: 3,
      rounds: 2,
    });
    expect(pairedRatios([10, 20], [0, 0])).toBeUndefined();
    expect(pairedRatios([], [1])).toBeUndefined();
  });

  it('interpolates quantiles between neighbours and ignores values that are not finite', () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.25)).toBe(2);
    expect(quantile([7, NaN], 0.5)).toBe(7);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('measures the providers in the given order in even rounds and in reverse in odd ones, so each has the same mean place', async () => {
    const { roundOrder } = await import('./suites/idp.js');
    const places = new Map<string, number>();
    for (let round = 0; round < 4; round++) {
      roundOrder(['a', 'b', 'c'], round).forEach((p, i) => places.set(p, (places.get(p) ?? 0) + round * 3 + i));
    }
    expect(roundOrder(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(roundOrder(['a', 'b', 'c'], 1)).toEqual(['c', 'b', 'a']);
    expect(new Set(places.values()).size).toBe(1);
  });

  it('measures a longer duration in more rounds of the same length, and at least one round', async () => {
    const { roundsOf, SLICE_MS } = await import('./suites/idp.js');
    expect(roundsOf(3000)).toEqual({
      rounds: Math.round(3000 / SLICE_MS),
      sliceMs: 3000 / Math.round(3000 / SLICE_MS),
    });
    expect(roundsOf(30 * SLICE_MS).rounds).toBe(30);
    expect(roundsOf(100)).toEqual({ rounds: 1, sliceMs: 100 });
  });

  it('warns of a busy machine only when other work averaged more than half a core over the cells', async () => {
    const { busyWarning } = await import('./suites/idp.js');
    const busy = (...cores: number[]) => [
      {
        provider: 'p',
        version: '1',
        measurements: cores.map((backgroundCores, i) => ({ ...cell(i + 1, [1]), backgroundCores })),
      },
    ];
    expect(busyWarning(busy(0.2, 0.4, 0.6))).toBeUndefined();
    expect(busyWarning(busy(0.2, 1.2, 0.6))).toMatch(/^other work used 0\.7 cores on average/);
    expect(busyWarning([{ provider: 'p', version: '1', measurements: [cell(1, [1])] }])).toBeUndefined();
  });

  it('describes a ratio with its median, middle half and range', async () => {
    const { describeRatio } = await import('./suites/idp.js');
    expect(describeRatio({ median: 2.013, q1: 1.9, q3: 2.1, min: 1.4, max: 2.6, rounds: 10 })).toBe(
      '2.01x (median of 10 rounds; middle half 1.90-2.10x, all 1.40-2.60x)',
    );
  });

  it("bounds the ratios by signing alone: the baseline's CPU per flow over the signatures', with and without the generator's", () => {
    const c = signingCeiling(0.95, 2, 4.75, 0.5);
    expect(c?.cpuRatio).toBeCloseTo(2.5, 10);
    expect(c?.flowsRatio).toBeCloseTo(5.25 / 2.4, 10);
    expect(signingCeiling(0, 2, 4.75, 0.5)).toBeUndefined();
    expect(signingCeiling(0.95, 2, Number.NaN, 0.5)).toBeUndefined();
  });

  it("takes each level's ceiling from the baseline's cell, and none where the baseline's CPU is unknown", async () => {
    const { signingCeilings, SIGNATURES_PER_FLOW } = await import('./suites/idp.js');
    expect(SIGNATURES_PER_FLOW).toBe(2);
    const ceilings = signingCeilings(
      [
        { provider: 'login-harness mock-idp', version: 'w', measurements: [cell(1, [300], 3), cell(4, [500], 2.8)] },
        {
          provider: 'oauth2-mock-server',
          version: '8',
          measurements: [{ ...cell(1, [170], 5.7), clientCpuMsPerFlow: 0.3 }, cell(4, [300])],
        },
      ],
      1,
    );
    expect(ceilings).toEqual([{ concurrency: 1, ceiling: signingCeiling(1, 2, 5.7, 0.3) }]);
    expect(ceilings[0].ceiling.cpuRatio).toBeCloseTo(2.85, 10);
  });

  it('measures the CPU of an RS256 signature on this machine as a positive, finite figure', () => {
    const ms = rs256SignCpuMs(5);
    expect(Number.isFinite(ms)).toBe(true);
    expect(ms).toBeGreaterThan(0);
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

  it("keeps each slice's flows/s in order, and the other work on the machine in cores over the cell's time", () => {
    const slice = (flows: number, ms: number, machineCpuMs?: number) => ({
      latencies: Array.from({ length: flows }, () => 1),
      errors: 0,
      ms,
      serverCpuMs: 40,
      clientCpuMs: 10,
      ...(machineCpuMs !== undefined ? { machineCpuMs } : {}),
    });
    const m = summarize(4, [slice(10, 100, 150), slice(30, 200, 350)]);
    expect(m.roundFlowsPerSecond).toEqual([100, 150]);
    // (150 - 50) + (350 - 50) ms of other work in 300 ms of wall time.
    expect(m.backgroundCores).toBe(1.33);
    expect(summarize(4, [slice(10, 100, 150), slice(30, 200)]).backgroundCores).toBeUndefined();
  });

  it('reads the machine busy time as a growing figure where /proc/stat exists', async () => {
    const before = await machineCpuMs();
    if (before === undefined) return expect(process.platform).not.toBe('linux');
    const start = process.cpuUsage();
    while (process.cpuUsage(start).user < 50_000) Math.sqrt(Math.random());
    expect((await machineCpuMs())!).toBeGreaterThan(before);
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

describe('which build of the mock the idp suite serves', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('takes the compiled mock only while dist/ was built from the sources as they are, output by output', async () => {
    const { compiledMock } = await import('./idp/providers.js');
    const { createHash } = await import('node:crypto');
    const { mkdir, writeFile } = await import('node:fs/promises');
    const { pathToFileURL } = await import('node:url');
    const made = await mkdtemp(join(tmpdir(), 'lh-bench-dist-'));
    dir = made;
    const root = pathToFileURL(`${made}/`);
    const sources: Record<string, string> = {
      'mock-idp/transports/node-server.ts': 'export const a = 1;\n',
      'core/redaction.ts': 'export const b = 2;\n',
    };
    for (const [path, text] of Object.entries(sources)) {
      await mkdir(join(made, path, '..'), { recursive: true });
      await writeFile(join(made, path), text);
      await mkdir(join(made, 'dist', path, '..'), { recursive: true });
      await writeFile(join(made, 'dist', path.replace(/\.ts$/, '.js')), text);
    }
    // Tests and test helpers are not compiled, and do not count.
    await writeFile(join(made, 'mock-idp/transports/node-server.test.ts'), 'not built');
    await mkdir(join(made, 'mock-idp/testing'), { recursive: true });
    await writeFile(join(made, 'mock-idp/testing/login-flow.ts'), 'not built');
    const buildInfo = (texts: Record<string, string>): string =>
      JSON.stringify({
        fileNames: Object.keys(texts).map((p) => `../${p}`),
        fileInfos: Object.values(texts).map((t) => ({
          version: createHash('sha256').update(t).digest('hex'),
          impliedFormat: 99,
        })),
      });
    await writeFile(join(made, 'dist/.tsbuildinfo'), buildInfo(sources));
    expect((await compiledMock(root))?.href).toBe(new URL('dist/mock-idp/transports/node-server.js', root).href);

    // A source changed since the build: measured from source instead.
    await writeFile(join(made, 'core/redaction.ts'), 'export const b = 3;\n');
    expect(await compiledMock(root)).toBeUndefined();
    await writeFile(join(made, 'core/redaction.ts'), sources['core/redaction.ts']);
    expect(await compiledMock(root)).toBeDefined();

    // A new source the build has not seen, or an output that is gone.
    await writeFile(join(made, 'mock-idp/new.ts'), 'export {};\n');
    expect(await compiledMock(root)).toBeUndefined();
    await rm(join(made, 'mock-idp/new.ts'));
    await rm(join(made, 'dist/core/redaction.js'));
    expect(await compiledMock(root)).toBeUndefined();

    // No build at all.
    await rm(join(made, 'dist'), { recursive: true });
    expect(await compiledMock(root)).toBeUndefined();
  });
});

describe('the audit suites', () => {
  it('puts the least wall time the CPU time of an audit allows next to its wall time', async () => {
    const { cpuFloorSeconds } = await import('./suites/audit.js');
    expect(cpuFloorSeconds(5.5, 2)).toBe(2.75);
    expect(cpuFloorSeconds(5.5, 1)).toBe(5.5);
    expect(cpuFloorSeconds(undefined, 2)).toBeUndefined();
    expect(cpuFloorSeconds(Number.NaN, 2)).toBeUndefined();
    expect(cpuFloorSeconds(1, 0)).toBeUndefined();
  });
});
