/**
 * The one runner frame of every audit, client or provider: it announces the run (`run-start`), lets
 * the audit execute its checks, assembles the report once from what they returned, and announces it
 * (`run-end`). Observers (progress, partial reports) only listen; none of them builds the report of a
 * run that ended.
 */
import { buildReport } from '../../reports/build.js';
import { DEFAULT_POLICY, type CheckResult, type Report, type RunnerEvent, type Timings } from '../../reports/model.js';
import { createJudge, type JudgeOptions } from '../verdicts/judge.js';

/** What a report says about the run besides its results. */
export interface RunFrame {
  mode: Report['mode'];
  target: Report['target'];
  seed: number;
  /** Ids of the checks the run will execute, in catalog order. */
  checkIds: string[];
  shard?: { index: number; count: number };
  onEvent?(e: RunnerEvent): void;
  /** Clock of the report times (default `Date.now`). */
  now?: () => number;
  /**
   * How findings become verdicts (policy, target facts, reference table). Absent: results are
   * reported as the checks found them, under the default policy's name.
   */
  judging?: JudgeOptions;
}

/** How the checks of a run ended: results in catalog order, and whether the run completed. */
export interface RunResults {
  results: CheckResult[];
  status: Report['status'];
  /** Where the run's time went, when the audit measured it. */
  timings?: Timings;
}

/**
 * Runs `execute` inside the frame: `run-start` before it, the report built from its results after it,
 * then `run-end` with that report. `execute` gets the run's start time (ms since the epoch), from
 * which a deadline is measured, and the observer to send its check events to, so that, when `execute` throws, the report of a crashed run holds the checks that
 * finished; it is announced with `run-end` before the error is passed on.
 */
export async function runAudit(
  frame: RunFrame,
  execute: (startedAtMs: number, onEvent: (e: RunnerEvent) => void) => Promise<RunResults>,
): Promise<Report> {
  const now = frame.now ?? Date.now;
  const startedAtMs = now();
  const startedAt = new Date(startedAtMs).toISOString();
  // Results as they arrive, so a run that breaks half-way still ends with a (crashed) report.
  const finished = new Map<string, CheckResult>();
  const judge = frame.judging ? createJudge(frame.judging, frame.checkIds) : undefined;
  const announced = new Set<string>();
  const onEvent = (e: RunnerEvent): void => {
    if (e.type !== 'check-end') {
      frame.onEvent?.(e);
      return;
    }
    finished.set(e.result.id, e.result);
    // A verdict that depends on another check of the run is announced once that check has finished.
    for (const result of judge ? judge.accept(e.result) : [e.result]) {
      announced.add(result.id);
      frame.onEvent?.({ ...e, result });
    }
  };
  const report = (run: RunResults): Report => {
    const results = judge ? judge.finish(run.results) : run.results;
    // Results still waiting on a control that never finished are judged now, and announced.
    for (const result of results) {
      if (finished.has(result.id) && !announced.has(result.id)) frame.onEvent?.({ type: 'check-end', result });
    }
    const built = buildReport({
      mode: frame.mode,
      target: frame.target,
      seed: frame.seed,
      policy: frame.judging?.policy ?? DEFAULT_POLICY,
      startedAt,
      finishedAt: new Date(now()).toISOString(),
      status: run.status,
      results,
      ...(frame.shard ? { shard: frame.shard } : {}),
      ...(run.timings ? { timings: run.timings } : {}),
    });
    frame.onEvent?.({ type: 'run-end', report: built });
    return built;
  };
  onEvent({
    type: 'run-start',
    target: frame.target,
    seed: frame.seed,
    mode: frame.mode,
    checkIds: frame.checkIds,
    startedAt,
    ...(frame.judging ? { policy: frame.judging.policy } : {}),
  });
  let run: RunResults;
  try {
    run = await execute(startedAtMs, onEvent);
  } catch (err) {
    const order = new Map(frame.checkIds.map((id, i) => [id, i]));
    const results = [...finished.values()].sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
    report({ results, status: 'crashed' });
    throw err;
  }
  return report(run);
}
