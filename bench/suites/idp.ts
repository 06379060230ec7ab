/**
 * The `idp` suite: full authorize -> token (PKCE) -> userinfo flows per second on loopback, for our
 * mock, oauth2-mock-server and oidc-provider side by side in the same run, at each concurrency level.
 *
 * Each provider runs in its own child process (bench/idp/serve.ts); this process only generates load,
 * with the same flow code for all three. Each cell is measured in several slices, interleaved across
 * the providers in rotating order, so that noise from other work on the machine is shared fairly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cpus, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { closeClient, flowClient, GENERATOR, runFlow, type FlowClient, type FlowTarget } from '../idp/flow.js';
import { measureSlice, processCpuMs, summarize, type Measurement, type Slice } from '../idp/measure.js';
import { PROVIDERS } from '../idp/providers.js';
import type { GoalMeasurement } from '../goals.js';
import type { BenchSuite } from '../types.js';

/** Slices per cell. */
const ROUNDS = 3;
const WARMUP_MS = 500;

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

/**
 * Our mock's flows/s divided by the baseline's at each level, and the baseline's server CPU per flow
 * divided by ours (how many times less CPU a flow costs our mock); `undefined` where either is missing.
 */
export function ratios(
  results: readonly ProviderResult[],
): Array<{ concurrency: number; flowsRatio?: number; cpuRatio?: number; oursCpu?: number; baseCpu?: number }> {
  const ours = results.find((r) => r.provider === OURS);
  const base = results.find((r) => r.provider === BASELINE);
  if (!ours || !base) return [];
  return ours.measurements.map((m) => {
    const b = base.measurements.find((x) => x.concurrency === m.concurrency);
    const flowsRatio = b && b.flowsPerSecond > 0 && m.flows > 0 ? m.flowsPerSecond / b.flowsPerSecond : undefined;
    const oursCpu = m.serverCpuMsPerFlow;
    const baseCpu = b?.serverCpuMsPerFlow;
    const cpuRatio = oursCpu !== undefined && baseCpu !== undefined && oursCpu > 0 ? baseCpu / oursCpu : undefined;
    return { concurrency: m.concurrency, flowsRatio, cpuRatio, oursCpu, baseCpu };
  });
}

function table(results: ProviderResult[], levels: number[]): string {
  const header = [
    'provider',
    ...levels.map((c) => `c=${c} flows/s`),
    ...levels.map((c) => `c=${c} p95 ms`),
    'server CPU ms/flow',
    'client CPU ms/flow',
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
      String(r.measurements.reduce((s, m) => s + m.errors, 0)),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const fmt = (row: string[]): string =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  const ratioLine = ratios(results)
    .map(
      (r) =>
        `c=${r.concurrency} ${r.flowsRatio !== undefined ? r.flowsRatio.toFixed(2) : 'n/a'}x flows/s` +
        (r.cpuRatio !== undefined ? `, ${r.cpuRatio.toFixed(2)}x less server CPU per flow` : ''),
    )
    .join('; ');
  return [
    fmt(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(fmt),
    ...(ratioLine ? [`mock vs ${BASELINE}: ${ratioLine}`] : []),
  ].join('\n');
}

function flowsDetail(results: readonly ProviderResult[], c: number): string {
  const fps = (name: string): string =>
    results
      .find((r) => r.provider === name)
      ?.measurements.find((m) => m.concurrency === c)
      ?.flowsPerSecond.toFixed(1) ?? 'n/a';
  return `${fps(OURS)} vs ${fps(BASELINE)} flows/s`;
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
    // Figures are only comparable with the machine's load next to them.
    const loadBefore = loadavg();
    try {
      for (const p of PROVIDERS) served.push(await serve(p.name));
      for (const s of served) {
        // Warm up JIT, keys and connection pools so the first level is not penalised.
        const warm = client(s.target, 4);
        await measureSlice(() => runFlow(warm), 4, WARMUP_MS);
      }
      const slices = new Map<string, Slice[]>(served.flatMap((s) => concurrency.map((c) => [`${s.name}|${c}`, []])));
      for (const c of concurrency) {
        const pools = new Map(served.map((s) => [s.name, client(s.target, c)]));
        for (let round = 0; round < ROUNDS; round++) {
          for (let i = 0; i < served.length; i++) {
            const s = served[(i + round) % served.length];
            const cpuBefore = await processCpuMs(s.child.pid);
            const pool = pools.get(s.name)!;
            const slice = await measureSlice(() => runFlow(pool), c, durationMs / ROUNDS);
            const cpuAfter = await processCpuMs(s.child.pid);
            if (cpuBefore !== undefined && cpuAfter !== undefined) slice.serverCpuMs = cpuAfter - cpuBefore;
            slices.get(`${s.name}|${c}`)!.push(slice);
          }
        }
        for (const s of served) {
          const m = summarize(c, slices.get(`${s.name}|${c}`)!);
          const cpu =
            (m.serverCpuMsPerFlow !== undefined ? `, server CPU ${m.serverCpuMsPerFlow} ms/flow` : '') +
            (m.clientCpuMsPerFlow !== undefined ? `, client CPU ${m.clientCpuMsPerFlow} ms/flow` : '');
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
      const goals: GoalMeasurement[] = ratios(results)
        .filter((r) => [1, 4, 16].includes(r.concurrency))
        .map((r) => ({
          key: `idp.ratio.c${r.concurrency}`,
          value: r.flowsRatio ?? NaN,
          detail: flowsDetail(results, r.concurrency),
          ...(r.cpuRatio !== undefined
            ? {
                cpuText: `server CPU ${r.oursCpu!.toFixed(2)} vs ${r.baseCpu!.toFixed(2)} ms/flow = ${r.cpuRatio.toFixed(2)}x`,
              }
            : {}),
          load: { before: loadBefore[0], after: loadAfter[0] },
        }));
      return {
        goals,
        table: `${table(results, concurrency)}\n(${durationMs} ms per cell in ${ROUNDS} interleaved slices; ${load})`,
        json: {
          suite: 'idp',
          flow: 'authorize (PKCE S256, auto-approve) -> token -> userinfo; public client; one provider per process',
          generator: GENERATOR,
          durationMsPerCell: durationMs,
          slicesPerCell: ROUNDS,
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
