/**
 * Closed-loop load: `concurrency` workers each run flows back to back until the time is up. Slices of
 * the same cell (measured at different times, interleaved with the other providers) are merged, so
 * background load on the machine falls on every provider alike.
 */

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
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}
