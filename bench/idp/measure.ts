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
  return { latencies, errors, firstError, ms: performance.now() - start };
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
    firstError: slices.find((s) => s.firstError)?.firstError,
  };
}
