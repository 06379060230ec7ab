/**
 * A benchmark suite: one module under `bench/suites/` whose default export satisfies `BenchSuite`.
 * `bench/run.ts` runs all registered suites, or the ones named on the command line, prints each
 * suite's table and writes its JSON to `bench/results/<name>.json`.
 */
import type { GoalMeasurement } from './goals.js';

export interface BenchOptions {
  /** Measuring time per measured cell, ms. */
  durationMs: number;
  /** Concurrency levels to measure at. */
  concurrency: number[];
  /** Suites that run a fixed amount of work (soak): how many flows, instead of `durationMs`. */
  flows?: number;
  /** Suites that repeat a whole command (audit, list, provider-audit): how many runs, instead of their default. */
  runs?: number;
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
  /** The figures of the speed goals (bench/goals.ts) this run measured, for the `goals` summary. */
  goals?: GoalMeasurement[];
}

export interface BenchSuite {
  name: string;
  description: string;
  run(opts: BenchOptions): Promise<BenchResult>;
}
