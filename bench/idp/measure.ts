/**
 * Closed-loop load: `concurrency` workers each run flows back to back until the time is up. A cell
 * (one provider at one concurrency) is measured in short slices, one per round, interleaved with the
 * other providers' slices of the same round; the slices are merged into the cell's figures, and each
 * round's flows/s is kept so that providers can be compared round by round (see `pairedRatios`).
 */

import { generateKeyPairSync, sign } from 'node:crypto';
import { quantile } from '../command.js';

/** Raw outcome of one measured slice. */
export interface Slice {
  latencies: number[];
  errors: number;
  firstError?: string;
  ms: number;
  /** CPU time the provider's process used during the slice, ms, when it could be read. */
  serverCpuMs?: number;
  /**
   * CPU time this process (the load generator, all its threads) used during the slice, ms: the
   * client's share of the two cores, which the providers do not get.
   */
  clientCpuMs?: number;
  /**
   * CPU time the whole machine spent busy during the slice, ms (all CPUs, from `/proc/stat`), when it
   * could be read: what is left after the provider's and the load generator's share is other work.
   */
  machineCpuMs?: number;
}

export interface Measurement {
  concurrency: number;
  flows: number;
  errors: number;
  seconds: number;
  flowsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /**
   * The provider process's CPU time per completed flow, ms (user + system, all its threads). Unlike
   * flows/s it hardly depends on what else the machine is doing, so it shows per-request overhead.
   */
  serverCpuMsPerFlow?: number;
  /** The load generator's CPU time per completed flow, ms (this process, user + system). */
  clientCpuMsPerFlow?: number;
  /**
   * Cores' worth of CPU that other work on the machine used while this cell was measured (machine busy
   * time minus provider and load generator, per wall second): the background the figures were taken
   * under. Comparable cells should show about the same.
   */
  backgroundCores?: number;
  /** Flows/s of each slice, in round order (the basis of the paired per-round ratios). */
  roundFlowsPerSecond: number[];
  firstError?: string;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Runs `flow` with `concurrency` workers for `durationMs`. */
export async function measureSlice(flow: () => Promise<void>, concurrency: number, durationMs: number): Promise<Slice> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const deadline = start + durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        await flow();
        latencies.push(performance.now() - t0);
      } catch (err) {
        errors++;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return { latencies, errors, firstError, ms, clientCpuMs: (cpu.user + cpu.system) / 1000 };
}

/** Merges the slices of one cell into its figures. */
export function summarize(concurrency: number, slices: Slice[]): Measurement {
  const latencies = slices.flatMap((s) => s.latencies).sort((a, b) => a - b);
  const seconds = slices.reduce((sum, s) => sum + s.ms, 0) / 1000;
  const round = (n: number): number => Math.round(n * 100) / 100;
  return {
    concurrency,
    flows: latencies.length,
    errors: slices.reduce((sum, s) => sum + s.errors, 0),
    seconds: round(seconds),
    flowsPerSecond: round(latencies.length / seconds),
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    p99Ms: round(percentile(latencies, 99)),
    ...(slices.length > 0 && slices.every((s) => s.serverCpuMs !== undefined) && latencies.length > 0
      ? { serverCpuMsPerFlow: round(slices.reduce((sum, s) => sum + (s.serverCpuMs ?? 0), 0) / latencies.length) }
      : {}),
    ...(slices.length > 0 && slices.every((s) => s.clientCpuMs !== undefined) && latencies.length > 0
      ? { clientCpuMsPerFlow: round(slices.reduce((sum, s) => sum + (s.clientCpuMs ?? 0), 0) / latencies.length) }
      : {}),
    ...(slices.length > 0 &&
    seconds > 0 &&
    slices.every((s) => s.machineCpuMs !== undefined && s.serverCpuMs !== undefined && s.clientCpuMs !== undefined)
      ? {
          backgroundCores: round(
            Math.max(
              0,
              slices.reduce((sum, s) => sum + s.machineCpuMs! - s.serverCpuMs! - s.clientCpuMs!, 0) / (seconds * 1000),
            ),
          ),
        }
      : {}),
    roundFlowsPerSecond: slices.map((s) => round(s.ms > 0 ? (s.latencies.length * 1000) / s.ms : 0)),
    firstError: slices.find((s) => s.firstError)?.firstError,
  };
}

/**
 * CPU time (user + system) a process has used so far, ms, from `/proc/<pid>/stat` (Linux; clock ticks
 * of 10 ms); `undefined` where that cannot be read.
 */
export async function processCpuMs(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const { readFile } = await import('node:fs/promises');
    return parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'))?.cpuMs;
  } catch {
    return undefined;
  }
}

/**
 * A `/proc/<pid>/stat` line: the command name, the parent's pid and the CPU time (user + system, clock
 * ticks of 10 ms) used so far; `undefined` when it does not read as one.
 */
export function parseProcStat(stat: string): { comm: string; ppid: number; cpuMs: number } | undefined {
  // The command name (field 2) may hold spaces and parentheses; the fields after its last closing
  // parenthesis are fixed.
  const close = stat.lastIndexOf(')');
  const open = stat.indexOf('(');
  if (open < 0 || close < open) return undefined;
  const fields = stat.slice(close + 2).split(' ');
  const ppid = Number(fields[1]);
  const ticks = Number(fields[11]) + Number(fields[12]);
  if (!Number.isFinite(ticks) || !Number.isFinite(ppid)) return undefined;
  return { comm: stat.slice(open + 1, close), ppid, cpuMs: ticks * 10 };
}

/**
 * CPU time the machine has spent busy so far, ms, summed over all CPUs (user, nice, system, irq,
 * softirq, steal from the first line of `/proc/stat`, clock ticks of 10 ms); `undefined` where that
 * cannot be read.
 */
export async function machineCpuMs(): Promise<number | undefined> {
  try {
    const { readFile } = await import('node:fs/promises');
    const first = (await readFile('/proc/stat', 'utf8')).slice(0, 256).split('\n')[0];
    const [label, ...fields] = first.trim().split(/\s+/);
    if (label !== 'cpu') return undefined;
    const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
    const busy = user + nice + system + irq + softirq + (steal ?? 0);
    return Number.isFinite(busy) ? busy * 10 : undefined;
  } catch {
    return undefined;
  }
}

/** How one provider compares with another over the rounds of one cell. */
export interface PairedRatio {
  /** Median of the per-round ratios: the figure. */
  median: number;
  /** Middle half of the per-round ratios (first and third quartile). */
  q1: number;
  q3: number;
  min: number;
  max: number;
  /** Rounds in which both providers completed flows. */
  rounds: number;
}

/**
 * `ours[i] / base[i]` for each round in which both completed flows, summarized by its median and
 * spread. Each round measures both providers back to back, so a ratio compares them under (nearly) the
 * same background load; the median discards the rounds in which a burst of other work hit only one of
 * them. `undefined` when no round has both.
 */
export function pairedRatios(ours: readonly number[], base: readonly number[]): PairedRatio | undefined {
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(ours.length, base.length); i++) {
    if (ours[i] > 0 && base[i] > 0) ratios.push(ours[i] / base[i]);
  }
  if (ratios.length === 0) return undefined;
  return {
    median: quantile(ratios, 0.5),
    q1: quantile(ratios, 0.25),
    q3: quantile(ratios, 0.75),
    min: Math.min(...ratios),
    max: Math.max(...ratios),
    rounds: ratios.length,
  };
}

/**
 * CPU ms of one RS256 signature (RSA-2048, PKCS#1 v1.5 over SHA-256, the algorithm both the mock and
 * oauth2-mock-server sign their tokens with) on this machine: the mean over `count` signatures of a
 * JWS signing input of a typical token's size, after a warm-up. Machines differ widely here (0.26 ms
 * on one kind measured, 0.95 ms on another), and signing is most of a flow's server CPU.
 */
export function rs256SignCpuMs(count = 200): number {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const input = Buffer.from(`${'h'.repeat(60)}.${'p'.repeat(560)}`);
  for (let i = 0; i < 20; i++) sign('sha256', input, privateKey);
  const before = process.cpuUsage();
  for (let i = 0; i < count; i++) sign('sha256', input, privateKey);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / count;
}

/** What signing alone allows a provider against a baseline, when both sign the same tokens. */
export interface SigningCeiling {
  /** CPU ms of one signature (see `rs256SignCpuMs`). */
  signMs: number;
  /** Signatures per flow. */
  perFlow: number;
  /** The baseline's server CPU per flow divided by the signing CPU per flow alone. */
  cpuRatio: number;
  /**
   * The same with the load generator's CPU per flow added on both sides: the flows/s ratio of a
   * provider that did nothing but sign, where flows/s go inversely with the server's and the
   * generator's CPU per flow (one flow after the other at concurrency 1, saturated cores above).
   */
  flowsRatio: number;
}

/**
 * The best ratios a provider could reach against a baseline whose server CPU per flow is `baseCpuMs`
 * (the generator costing `clientCpuMs` per flow for either), if all it did per flow were `perFlow`
 * signatures of `signMs` each; `undefined` without a positive signing cost.
 */
export function signingCeiling(
  signMs: number,
  perFlow: number,
  baseCpuMs: number,
  clientCpuMs: number,
): SigningCeiling | undefined {
  const signing = signMs * perFlow;
  if (!(signing > 0) || !Number.isFinite(baseCpuMs)) return undefined;
  return {
    signMs,
    perFlow,
    cpuRatio: baseCpuMs / signing,
    flowsRatio: (baseCpuMs + clientCpuMs) / (signing + clientCpuMs),
  };
}
