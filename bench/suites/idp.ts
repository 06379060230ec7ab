/**
 * The `idp` suite: full authorize -> token (PKCE) -> userinfo flows per second on loopback, for our
 * mock, oauth2-mock-server and oidc-provider side by side in the same run, at each concurrency level,
 * and a floor: a node:http server that does only the flow's PKCE check and two signatures
 * (bench/idp/floor.ts), the most any provider on node:http could reach on this machine.
 *
 * Each provider runs in its own child process (bench/idp/serve.ts); this process only generates load,
 * with the same flow code for all of them. Every provider runs as its package ships it: the baselines as
 * published JavaScript, our mock compiled to `dist/` (`npm run build` first; a `dist/` older than the
 * sources is not used, the mock then runs from source through tsx, and its version says so).
 *
 * The machine is shared (2 cores, other work comes and goes in bursts of seconds taking up to both
 * cores), and a provider's cost per flow falls for several seconds after it starts (JIT compilation,
 * heap growth). Measured one provider after the other in a few long slices, the ratio of two
 * providers swung between 1.1x and 2.6x for the same code: a burst of other work fell on one
 * provider's slice and not the other's, and the first level was measured while the providers were
 * still warming up. So the method is:
 *
 * - Warm-up, equal for all: {@link WARMUP_ROUNDS} rounds of {@link WARMUP_SLICE_MS} at concurrency 4,
 *   interleaved across the providers; then, at each level, one unmeasured round of
 *   {@link LEVEL_WARMUP_MS} per provider (new connections for the level's pool).
 * - Measured rounds per level, as many as slices of about {@link SLICE_MS} fit in `--duration` (10
 *   by default; a longer duration gives more rounds, not longer ones); in each, every provider gets one
 *   slice, back to back, in the order A B C, then C B A in the next round (so the
 *   providers' mean time in the run is the same over each two rounds and our mock and the baseline
 *   are always adjacent).
 * - The goal figure is the median over the rounds of (our flows/s / baseline flows/s) in the same
 *   round, reported with the middle half and the range of the per-round ratios. flows/s, latency
 *   percentiles and CPU per flow of a cell pool all its slices.
 * - Next to each cell, the cores' worth of other work on the machine during its slices (machine busy
 *   time minus the provider's and the load generator's CPU), so an uneven background shows.
 *
 * Both our mock and the baseline sign two RS256 tokens per flow (access token, ID token). One RSA-2048
 * signature costs 0.26 ms of CPU on one kind of machine measured and 0.95 ms on another, and a flow's
 * other work does not scale with it: the suite measures the signature here and prints the best ratios
 * that signing alone leaves (a provider that did nothing else), so a figure reads with its ceiling.
 *
 * The load generator shares the two cores with the provider, and costs about the same per flow for
 * every provider (client CPU per flow is printed); where the cores are saturated (concurrency 4 and
 * 16), flows/s follow the provider's plus the generator's CPU per flow, so the flows/s ratio of two
 * providers stays below the ratio of their server CPU per flow, which is printed next to it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cpus, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { closeClient, flowClient, GENERATOR, runFlow, type FlowClient, type FlowTarget } from '../idp/flow.js';
import {
  machineCpuMs,
  measureSlice,
  pairedRatios,
  processCpuMs,
  rs256SignCpuMs,
  signingCeiling,
  summarize,
  type Measurement,
  type PairedRatio,
  type SigningCeiling,
  type Slice,
} from '../idp/measure.js';
import { FLOOR, PROVIDERS } from '../idp/providers.js';
import type { GoalMeasurement } from '../goals.js';
import type { BenchSuite } from '../types.js';

/**
 * Length of a measured slice, about, ms. Short, so that both providers of a round see nearly the same
 * background; long enough for a few hundred flows at concurrency 16.
 */
export const SLICE_MS = 300;

/** Measured rounds per level for a cell of `durationMs` (per provider), and each slice's length. */
export function roundsOf(durationMs: number): { rounds: number; sliceMs: number } {
  const rounds = Math.max(1, Math.round(durationMs / SLICE_MS));
  return { rounds, sliceMs: durationMs / rounds };
}
/** Warm-up before the first level: rounds of one slice per provider at concurrency 4. */
export const WARMUP_ROUNDS = 6;
export const WARMUP_SLICE_MS = 500;
/** Unmeasured slice per provider at the start of each level. */
export const LEVEL_WARMUP_MS = 200;

/**
 * The order of the providers in round `round`: as given in even rounds, reversed in odd ones.
 */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  return round % 2 === 0 ? [...items] : [...items].reverse();
}

const ReadyLine = z.object({
  name: z.string(),
  version: z.string(),
  target: z.object({
    authorizationEndpoint: z.string().url(),
    tokenEndpoint: z.string().url(),
    userinfoEndpoint: z.string().url(),
    clientId: z.string(),
    redirectUri: z.string(),
    scope: z.string(),
  }),
});

interface Served {
  name: string;
  version: string;
  target: FlowTarget;
  child: ChildProcess;
}

async function serve(name: string): Promise<Served> {
  const script = fileURLToPath(new URL('../idp/serve.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, name], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`${name} exited with ${String(code)} before it was ready`);
  });
  const first = (async () => {
    for await (const line of lines) return line;
    throw new Error(`${name} closed its output before it was ready`);
  })();
  const line = await Promise.race([first, exited]);
  const ready = ReadyLine.parse(JSON.parse(line));
  return { ...ready, child };
}

async function stop(s: Served): Promise<void> {
  if (s.child.exitCode !== null) return;
  const exited = once(s.child, 'exit');
  s.child.stdin?.end();
  await exited;
}

interface ProviderResult {
  provider: string;
  version: string;
  measurements: Measurement[];
}

/** CPU ms per flow over every level (weighted by flows); `undefined` where a cell lacks it. */
function cpuPerFlow(r: ProviderResult, side: 'server' | 'client'): number | undefined {
  const key = side === 'server' ? 'serverCpuMsPerFlow' : 'clientCpuMsPerFlow';
  const flows = r.measurements.reduce((s, m) => s + m.flows, 0);
  if (flows === 0 || r.measurements.some((m) => m[key] === undefined)) return undefined;
  // Over every level: CPU per flow hardly depends on concurrency, and one figure reads easier.
  return r.measurements.reduce((s, m) => s + (m[key] ?? 0) * m.flows, 0) / flows;
}

/** The provider compared against for the goal (twice its flows/s). */
export const BASELINE = 'oauth2-mock-server';
const OURS = 'login-harness mock-idp';

/** One level's comparison of our mock with the baseline. */
export interface LevelRatio {
  concurrency: number;
  /** Median of the per-round flows/s ratios (ours / baseline), with their spread. */
  flows?: PairedRatio;
  /** The baseline's server CPU per flow divided by ours (how many times less CPU a flow costs us). */
  cpuRatio?: number;
  oursCpu?: number;
  baseCpu?: number;
}

/**
 * Provider `name` (our mock unless given) against `against` (the baseline unless given) at each level:
 * the per-round flows/s ratios (see `pairedRatios`), and the other's server CPU per flow divided by
 * this one's; members are `undefined` where either is missing.
 */
export function ratios(results: readonly ProviderResult[], name = OURS, against = BASELINE): LevelRatio[] {
  const ours = results.find((r) => r.provider === name);
  const base = results.find((r) => r.provider === against);
  if (!ours || !base) return [];
  return ours.measurements.map((m) => {
    const b = base.measurements.find((x) => x.concurrency === m.concurrency);
    const flows = b ? pairedRatios(m.roundFlowsPerSecond, b.roundFlowsPerSecond) : undefined;
    const oursCpu = m.serverCpuMsPerFlow;
    const baseCpu = b?.serverCpuMsPerFlow;
    const cpuRatio = oursCpu !== undefined && baseCpu !== undefined && oursCpu > 0 ? baseCpu / oursCpu : undefined;
    return { concurrency: m.concurrency, flows, cpuRatio, oursCpu, baseCpu };
  });
}

/**
 * RS256 signatures per flow of both our mock and the baseline: the access token (a JWT in the lexoffice
 * profile, as in oauth2-mock-server) and the ID token (scope `openid`).
 */
export const SIGNATURES_PER_FLOW = 2;

/**
 * Per level, the best ratios against the baseline that signing alone allows (see `signingCeiling`),
 * from the baseline's server and generator CPU per flow in that cell.
 */
export function signingCeilings(
  results: readonly ProviderResult[],
  signMs: number,
): { concurrency: number; ceiling: SigningCeiling }[] {
  const base = results.find((r) => r.provider === BASELINE);
  if (!base) return [];
  return base.measurements.flatMap((m) => {
    if (m.serverCpuMsPerFlow === undefined) return [];
    const ceiling = signingCeiling(signMs, SIGNATURES_PER_FLOW, m.serverCpuMsPerFlow, m.clientCpuMsPerFlow ?? 0);
    return ceiling ? [{ concurrency: m.concurrency, ceiling }] : [];
  });
}

/** `1.95x (median of 10 rounds; middle half 1.80-2.10x, all 1.40-2.60x)`. */
export function describeRatio(r: PairedRatio): string {
  const x = (n: number): string => n.toFixed(2);
  return `${x(r.median)}x (median of ${r.rounds} rounds; middle half ${x(r.q1)}-${x(r.q3)}x, all ${x(r.min)}-${x(r.max)}x)`;
}

/** Other work on the machine per level, in cores (`0.4/0.1/0.9`). */
function background(r: ProviderResult): string {
  if (r.measurements.some((m) => m.backgroundCores === undefined)) return 'n/a';
  return r.measurements.map((m) => m.backgroundCores!.toFixed(1)).join('/');
}

/** Other work above which the per-round ratios spread widely (measured: 0.5x to 30x at 1.2 cores). */
export const BUSY_CORES = 0.5;

/**
 * A warning when other work on the machine averaged more than {@link BUSY_CORES} during the cells,
 * else nothing: on a shared machine the median then still moves by a fifth or more between runs.
 */
export function busyWarning(results: readonly ProviderResult[]): string | undefined {
  const cells = results.flatMap((r) => r.measurements).filter((m) => m.backgroundCores !== undefined);
  if (cells.length === 0) return undefined;
  const mean = cells.reduce((s, m) => s + m.backgroundCores!, 0) / cells.length;
  if (mean <= BUSY_CORES) return undefined;
  return (
    `other work used ${mean.toFixed(1)} cores on average: per-round ratios spread widely, and the medians ` +
    'can move by a fifth between runs; a quieter machine or a longer --duration (more rounds) steadies them'
  );
}

function table(results: ProviderResult[], levels: number[], signMs: number): string {
  const header = [
    'provider',
    ...levels.map((c) => `c=${c} flows/s`),
    ...levels.map((c) => `c=${c} p95 ms`),
    'server CPU ms/flow',
    'client CPU ms/flow',
    'background cores',
    'errors',
  ];
  const rows = results.map((r) => {
    const server = cpuPerFlow(r, 'server');
    const client = cpuPerFlow(r, 'client');
    return [
      `${r.provider} ${r.version}`,
      ...r.measurements.map((m) => m.flowsPerSecond.toFixed(1)),
      ...r.measurements.map((m) => m.p95Ms.toFixed(1)),
      server !== undefined ? server.toFixed(2) : 'n/a',
      client !== undefined ? client.toFixed(2) : 'n/a',
      background(r),
      String(r.measurements.reduce((s, m) => s + m.errors, 0)),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const fmt = (row: string[]): string =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  const ratioLines = ratios(results).map(
    (r) =>
      `  c=${r.concurrency}: ${r.flows ? describeRatio(r.flows) : 'n/a'} flows/s` +
      (r.cpuRatio !== undefined ? `, ${r.cpuRatio.toFixed(2)}x less server CPU per flow` : ''),
  );
  return [
    fmt(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(fmt),
    ...(ratioLines.length > 0 ? [`mock vs ${BASELINE}, per-round flows/s ratios:`, ...ratioLines] : []),
    ...floorLines(results),
    ...signingLines(results, signMs),
    ...[busyWarning(results)].filter((w) => w !== undefined).map((w) => `warning: ${w}`),
  ].join('\n');
}

/**
 * The floor against the baseline (what a provider doing nothing but node:http, the PKCE check and the
 * two signatures reaches), and our mock against the floor (how much of that it keeps).
 */
function floorLines(results: readonly ProviderResult[]): string[] {
  const floor = ratios(results, FLOOR);
  const kept = ratios(results, OURS, FLOOR);
  if (floor.length === 0) return [];
  return [
    `${FLOOR} (node:http, the PKCE check and the two signatures, nothing else) vs ${BASELINE}; mock vs ${FLOOR}:`,
    ...floor.map((r) => {
      const k = kept.find((x) => x.concurrency === r.concurrency)?.flows;
      return (
        `  c=${r.concurrency}: floor ${r.flows ? describeRatio(r.flows) : 'n/a'}; ` +
        `mock ${k ? `${(k.median * 100).toFixed(0)}% of the floor's flows/s` : 'n/a'}`
      );
    }),
  ];
}

/** How much of a flow signing takes on this machine, and the ratios that leaves at best. */
function signingLines(results: readonly ProviderResult[], signMs: number): string[] {
  const ceilings = signingCeilings(results, signMs);
  if (ceilings.length === 0) return [];
  return [
    `signing: one RS256 signature (RSA-2048) costs ${signMs.toFixed(2)} ms of CPU on this machine; both sign ` +
      `${SIGNATURES_PER_FLOW} per flow (access token, ID token), ${(signMs * SIGNATURES_PER_FLOW).toFixed(2)} ms. ` +
      `A provider that did nothing else would reach at most, against ${BASELINE}:`,
    ...ceilings.map(
      ({ concurrency, ceiling }) =>
        `  c=${concurrency}: ${ceiling.cpuRatio.toFixed(2)}x less server CPU per flow, ` +
        `${ceiling.flowsRatio.toFixed(2)}x the flows/s (taken as inverse to server plus generator CPU per flow)`,
    ),
  ];
}

function flowsDetail(
  results: readonly ProviderResult[],
  r: LevelRatio,
  ceiling?: SigningCeiling,
  floor?: LevelRatio,
): string {
  const cell = (name: string): Measurement | undefined =>
    results.find((p) => p.provider === name)?.measurements.find((m) => m.concurrency === r.concurrency);
  const ours = cell(OURS);
  const base = cell(BASELINE);
  const fps = (m: Measurement | undefined): string => m?.flowsPerSecond.toFixed(1) ?? 'n/a';
  const spread = r.flows
    ? `median of ${r.flows.rounds} paired rounds, middle half ${r.flows.q1.toFixed(2)}-${r.flows.q3.toFixed(2)}x, all ${r.flows.min.toFixed(2)}-${r.flows.max.toFixed(2)}x; `
    : '';
  const bg =
    ours?.backgroundCores !== undefined && base?.backgroundCores !== undefined
      ? `; other work ${ours.backgroundCores.toFixed(2)} vs ${base.backgroundCores.toFixed(2)} cores`
      : '';
  const bound = ceiling
    ? `; signing alone (${SIGNATURES_PER_FLOW} x ${ceiling.signMs.toFixed(2)} ms here) allows at most ` +
      `${ceiling.flowsRatio.toFixed(2)}x`
    : '';
  const floorText = floor?.flows
    ? `; a node:http provider doing only the PKCE check and the two signatures reaches ${floor.flows.median.toFixed(2)}x`
    : '';
  return `${spread}${fps(ours)} vs ${fps(base)} flows/s pooled${bg}${bound}${floorText}`;
}

const suite: BenchSuite = {
  name: 'idp',
  description: 'authorize -> token (PKCE S256) -> userinfo flows per second on 127.0.0.1',
  async run({ durationMs, concurrency, log }) {
    const served: Served[] = [];
    const clients: FlowClient[] = [];
    // One pool per provider and level, as many connections as workers.
    const client = (target: FlowTarget, c: number): FlowClient => {
      const made = flowClient(target, c);
      clients.push(made);
      return made;
    };
    /** One slice of `s` with the provider's, this process's and the machine's CPU time around it. */
    const slice = async (s: Served, pool: FlowClient, c: number, ms: number): Promise<Slice> => {
      const [serverBefore, machineBefore] = await Promise.all([processCpuMs(s.child.pid), machineCpuMs()]);
      const measured = await measureSlice(() => runFlow(pool), c, ms);
      const [serverAfter, machineAfter] = await Promise.all([processCpuMs(s.child.pid), machineCpuMs()]);
      if (serverBefore !== undefined && serverAfter !== undefined) measured.serverCpuMs = serverAfter - serverBefore;
      if (machineBefore !== undefined && machineAfter !== undefined) {
        measured.machineCpuMs = machineAfter - machineBefore;
      }
      return measured;
    };
    // Before any provider runs, on a quiet event loop: the cost that bounds every provider here.
    const signMs = rs256SignCpuMs();
    // Figures are only comparable with the machine's load next to them.
    const loadBefore = loadavg();
    try {
      for (const p of PROVIDERS) served.push(await serve(p.name));
      // The same warm-up for every provider, interleaved so that other work on the machine falls on all.
      const warmPools = new Map(served.map((s) => [s.name, client(s.target, 4)]));
      for (let round = 0; round < WARMUP_ROUNDS; round++) {
        for (const s of roundOrder(served, round)) {
          await measureSlice(() => runFlow(warmPools.get(s.name)!), 4, WARMUP_SLICE_MS);
        }
      }
      const { rounds, sliceMs } = roundsOf(durationMs);
      const slices = new Map<string, Slice[]>(served.flatMap((s) => concurrency.map((c) => [`${s.name}|${c}`, []])));
      for (const c of concurrency) {
        const pools = new Map(served.map((s) => [s.name, client(s.target, c)]));
        for (const s of served) await measureSlice(() => runFlow(pools.get(s.name)!), c, LEVEL_WARMUP_MS);
        for (let round = 0; round < rounds; round++) {
          for (const s of roundOrder(served, round)) {
            slices.get(`${s.name}|${c}`)!.push(await slice(s, pools.get(s.name)!, c, sliceMs));
          }
        }
        for (const s of served) {
          const m = summarize(c, slices.get(`${s.name}|${c}`)!);
          const cpu =
            (m.serverCpuMsPerFlow !== undefined ? `, server CPU ${m.serverCpuMsPerFlow} ms/flow` : '') +
            (m.clientCpuMsPerFlow !== undefined ? `, client CPU ${m.clientCpuMsPerFlow} ms/flow` : '') +
            (m.backgroundCores !== undefined ? `, other work ${m.backgroundCores} cores` : '');
          log(`${s.name}: c=${c} ${m.flowsPerSecond} flows/s, p95 ${m.p95Ms} ms${cpu}, ${m.errors} errors`);
          if (m.firstError) log(`  first error: ${m.firstError}`);
        }
      }
      const results: ProviderResult[] = served.map((s) => ({
        provider: s.name,
        version: s.version,
        measurements: concurrency.map((c) => summarize(c, slices.get(`${s.name}|${c}`)!)),
      }));
      const loadAfter = loadavg();
      const load = `load average ${loadBefore[0].toFixed(1)} -> ${loadAfter[0].toFixed(1)} on ${cpus().length} CPUs`;
      const ceilings = signingCeilings(results, signMs);
      const floor = ratios(results, FLOOR);
      const goals: GoalMeasurement[] = ratios(results)
        .filter((r) => [1, 4, 16].includes(r.concurrency))
        .map((r) => ({
          key: `idp.ratio.c${r.concurrency}`,
          value: r.flows?.median ?? NaN,
          detail: flowsDetail(
            results,
            r,
            ceilings.find((c) => c.concurrency === r.concurrency)?.ceiling,
            floor.find((f) => f.concurrency === r.concurrency),
          ),
          ...(r.cpuRatio !== undefined
            ? {
                cpuText: `server CPU ${r.oursCpu!.toFixed(2)} vs ${r.baseCpu!.toFixed(2)} ms/flow = ${r.cpuRatio.toFixed(2)}x`,
              }
            : {}),
          load: { before: loadBefore[0], after: loadAfter[0] },
        }));
      return {
        goals,
        table:
          `${table(results, concurrency, signMs)}\n(${durationMs} ms per cell in ${rounds} interleaved rounds of ` +
          `${Math.round(sliceMs)} ms, after ${WARMUP_ROUNDS} x ${WARMUP_SLICE_MS} ms of warm-up per provider; ${load})`,
        json: {
          suite: 'idp',
          flow: 'authorize (PKCE S256, auto-approve) -> token -> userinfo; public client; one provider per process',
          generator: GENERATOR,
          durationMsPerCell: durationMs,
          method:
            'per level, rounds of one slice per provider back to back (order reversed every other round); ' +
            'ratio = median over rounds of ours/baseline flows/s in the same round',
          roundsPerCell: rounds,
          warmup: { rounds: WARMUP_ROUNDS, sliceMs: WARMUP_SLICE_MS, concurrency: 4, perLevelMs: LEVEL_WARMUP_MS },
          ratios: ratios(results),
          floor: { ratios: floor, mockVsFloor: ratios(results, OURS, FLOOR) },
          signing: { rs256SignCpuMs: signMs, signaturesPerFlow: SIGNATURES_PER_FLOW, ceilings },
          node: process.version,
          cpus: cpus().length,
          loadAverage: { before: loadBefore, after: loadAfter },
          at: new Date().toISOString(),
          results,
        },
      };
    } finally {
      clients.forEach(closeClient);
      await Promise.all(served.map(stop));
    }
  },
};

export default suite;
