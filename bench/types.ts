/**
 * A benchmark suite: one module under `bench/suites/` whose default export satisfies `BenchSuite`.
 * `bench/run.ts` runs all registered suites, or the ones named on the command line, prints each
 * suite's table and writes its JSON to `bench/results/<name>.json`.
 */

export interface BenchOptions {
  /** Measuring time per measured cell, ms. */
  durationMs: number;
  /** Concurrency levels to measure at. */
  concurrency: number[];
  /** Suites that run a fixed amount of work (soak): how many flows, instead of `durationMs`. */
  flows?: number;
  /** Progress lines (stderr). */
  log(line: string): void;
  /**
   * Aborted on Ctrl-C (SIGINT): a long suite (soak) stops starting new work, lets what runs finish and
   * returns what it measured so far, so its results are written all the same.
   */
  signal?: AbortSignal;
}

export interface BenchResult {
  /** Printed as is. */
  table: string;
  /** Written to `bench/results/<suite>.json`. */
  json: unknown;
}

export interface BenchSuite {
  name: string;
  description: string;
  run(opts: BenchOptions): Promise<BenchResult>;
}
