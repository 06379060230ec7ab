/**
 * `npm run flaky [-- --runs 20] [MANIFEST...]`: audits the reference clients and every lab (or the
 * manifests given) N times in a row with the same seed and checks that every run gives the verdicts of
 * the first. A verdict that changes between runs is a flaky check or a flaky target (a CI gate must
 * not flip on an unchanged target): the script exits 1, naming check, target and run.
 *
 * By default each target gets the checks the efficacy test runs (labs: their declared checks; the web
 * reference clients: the HTTP agent checks; reference-spa and paper-python: everything that applies);
 * `--full` runs the whole catalog against every target. Besides verdicts, the normalized reports
 * (harness/runner/determinism.ts) are compared and counted, as information: summaries and
 * observations may legitimately quote values the target randomises itself.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { intFlag, listFlag, parseCommandArgs, type OptionSpec } from '../core/args.js';
import { normalizeReportForComparison, type ComparableReport } from '../harness/runner/determinism.js';
import type { Report } from '../reports/model.js';
import {
  audit,
  discoverLabs,
  EFFICACY_SEED,
  httpAgentCheckIds,
  limiter,
  readScriptArgs,
  recordUnhandledRejections,
  REFERENCE_TARGETS,
  verdictsOf,
  type AuditJob,
} from './efficacy-targets.js';

const USAGE = `Usage: npm run flaky -- [options] [MANIFEST...]

Audits the reference clients and every lab in examples/labs/ (or the given manifests) N times with
one seed and fails when any verdict differs from the first run's.

  --runs N                consecutive runs (default 20)
  --seed N                seed of every run (default ${EFFICACY_SEED})
  --full                  the whole catalog against every target (default: the efficacy test's selection)
  --targets LIST          only these targets (lab folder or reference names, comma-separated)
  --only LIST, --skip LIST  check ids or prefixes (given manifests only; comma-separated)
  --concurrency N         audits at the same time (default 3)
  --check-concurrency N   checks at the same time inside one audit (default 4)
  --timeout MS            per-check timeout (default 60000)
  --budget MS             start no new run after this long; the summary counts the runs done
  --json FILE             write the counts and differences as JSON
  -h, --help              show this help

Exit codes: 0 every run gave the same verdicts, 1 some verdict changed, 2 usage error.
`;

/** Verdicts of one audit by check id. */
export type VerdictMap = Record<string, string>;

/** Check ids whose verdict differs between two runs, sorted. */
export function differingChecks(a: VerdictMap, b: VerdictMap): string[] {
  const ids = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...ids].filter((id) => a[id] !== b[id]).sort();
}

const OPTIONS = {
  runs: { type: 'string' },
  seed: { type: 'string' },
  full: { type: 'boolean' },
  targets: { type: 'string', multiple: true },
  only: { type: 'string', multiple: true },
  skip: { type: 'string', multiple: true },
  concurrency: { type: 'string' },
  'check-concurrency': { type: 'string' },
  timeout: { type: 'string' },
  budget: { type: 'string' },
  json: { type: 'string' },
} as const satisfies OptionSpec;

/** The parsed command line (throws UsageError naming the bad flag). */
function readArgs(argv: string[]) {
  const { values, positionals, help } = parseCommandArgs('flaky', argv, OPTIONS, Infinity);
  const list = (v: string[] | undefined): string[] | undefined => (v === undefined ? undefined : listFlag(v));
  return {
    help,
    positionals,
    runs: intFlag(values.runs, '--runs', 20, { min: 1 }),
    seed: intFlag(values.seed, '--seed', EFFICACY_SEED, { min: 1 }),
    full: values.full === true,
    targets: list(values.targets),
    only: list(values.only),
    skip: list(values.skip),
    concurrency: intFlag(values.concurrency, '--concurrency', 3, { min: 1 }),
    checkConcurrency: intFlag(values['check-concurrency'], '--check-concurrency', 4, { min: 1 }),
    timeout: intFlag(values.timeout, '--timeout', 60_000, { min: 1 }),
    budget: values.budget === undefined ? undefined : intFlag(values.budget, '--budget', 1, { min: 1 }),
    json: values.json,
  };
}

/** Where two normalized reports of one target differ: the first result whose fields differ, or the header. */
export function describeReportDifference(a: ComparableReport, b: ComparableReport): string {
  const before = new Map(a.results.map((r) => [r.id, r]));
  for (const r of b.results) {
    const old = before.get(r.id);
    if (!old) return `${r.id} is new`;
    if (isDeepStrictEqual(old, r)) continue;
    const fields = Object.keys({ ...old, ...r }).filter(
      (k) => !isDeepStrictEqual((old as Record<string, unknown>)[k], (r as Record<string, unknown>)[k]),
    );
    const summary = fields.includes('summary') ? `: "${r.summary}"; run 1: "${old.summary}"` : '';
    return `${r.id} differs in ${fields.join(', ')}${summary}`;
  }
  return 'the report header or the set of results differs';
}

/** What one target gave in the first run, to compare later runs with. */
interface Baseline {
  verdicts: VerdictMap;
  summaries: Record<string, string>;
  normalized: ComparableReport;
}

function summariesOf(report: Report): Record<string, string> {
  return Object.fromEntries(report.results.map((r) => [r.id, r.summary]));
}

/** Runs the flakiness check per `argv`; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const args = readScriptArgs('flaky', USAGE, () => readArgs(argv));
  if (!args) return 2;
  const positionals = args.positionals;
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }

  let jobs: AuditJob[];
  if (positionals.length) {
    jobs = positionals.map((m) => ({
      label: path.relative(process.cwd(), path.resolve(m)),
      manifestPath: path.resolve(m),
      ...(args.only ? { only: args.only } : {}),
      ...(args.skip ? { skip: args.skip } : {}),
    }));
  } else {
    const { labs, problems } = await discoverLabs();
    for (const p of problems) process.stderr.write(`flaky: skipping a lab: ${p}\n`);
    const httpIds = httpAgentCheckIds();
    jobs = [
      ...REFERENCE_TARGETS.map((r): AuditJob => ({
        label: r.name,
        manifestPath: r.manifestPath,
        ...(!args.full && r.httpAgentOnlyInTest ? { only: httpIds } : {}),
      })),
      ...labs.map((l): AuditJob => ({
        label: l.folder,
        manifestPath: l.manifestPath,
        ...(args.full ? {} : { only: l.checks }),
      })),
    ];
  }
  if (args.targets) {
    const unknown = args.targets.filter((t) => !jobs.some((j) => j.label === t));
    if (unknown.length) {
      process.stderr.write(`flaky: --targets: unknown target ${unknown.join(', ')}\n`);
      return 2;
    }
    jobs = jobs.filter((j) => args.targets?.includes(j.label));
  }

  const settings = {
    seed: args.seed,
    checkConcurrency: args.checkConcurrency,
    checkTimeoutMs: args.timeout,
  };
  const run = limiter(args.concurrency);
  const baselines = new Map<string, Baseline>();
  const differences: string[] = [];
  /** Same verdicts, but something else of a normalized report (a summary, say) differs from run 1. */
  const reportDifferences: string[] = [];
  let identicalVerdictRuns = 0;
  let identicalReportRuns = 0;
  const runMs: number[] = [];
  let checkResults = 0;
  const startedAt = performance.now();
  let runsDone = 0;
  const rejections = recordUnhandledRejections();
  let rejectionsSeen = 0;

  for (let i = 1; i <= args.runs; i++) {
    if (args.budget !== undefined && performance.now() - startedAt > args.budget) {
      process.stderr.write(`flaky: the --budget of ${args.budget} ms is spent; stopping after ${runsDone} run(s)\n`);
      break;
    }
    runsDone = i;
    const t0 = performance.now();
    const reports = await Promise.all(
      jobs.map((job) =>
        run(async (): Promise<{ job: AuditJob; report?: Report; crash?: string }> => {
          try {
            return { job, report: await audit(job, settings) };
          } catch (err) {
            return { job, crash: (err as Error).message };
          }
        }),
      ),
    );
    runMs.push(performance.now() - t0);
    const runDiffs: string[] = [];
    let reportsSame = true;
    const reportDiffs: string[] = [];
    checkResults = 0;
    for (const { job, report, crash } of reports) {
      if (!report) {
        runDiffs.push(`run ${i}: ${job.label}: the audit could not run: ${crash ?? 'unknown'}`);
        continue;
      }
      checkResults += report.results.length;
      const verdicts = verdictsOf(report);
      const normalized = normalizeReportForComparison(report);
      if (report.status !== 'complete') runDiffs.push(`run ${i}: ${job.label}: run status ${report.status}`);
      const base = baselines.get(job.label);
      if (!base) {
        baselines.set(job.label, { verdicts, normalized, summaries: summariesOf(report) });
        continue;
      }
      for (const id of differingChecks(base.verdicts, verdicts)) {
        const now = report.results.find((r) => r.id === id)?.summary ?? '';
        runDiffs.push(
          `run ${i}: ${job.label}: ${id}: ${verdicts[id] ?? 'not run'} (${now}); ` +
            `run 1: ${base.verdicts[id] ?? 'not run'} (${base.summaries[id] ?? ''})`,
        );
      }
      if (!isDeepStrictEqual(base.normalized, normalized)) {
        reportsSame = false;
        reportDiffs.push(`run ${i}: ${job.label}: ${describeReportDifference(base.normalized, normalized)}`);
      }
    }
    const newRejections = rejections.list.length - rejectionsSeen;
    if (newRejections > 0) runDiffs.push(`run ${i}: ${newRejections} unhandled rejection(s) (harness bug), see above`);
    rejectionsSeen = rejections.list.length;
    if (runDiffs.length === 0) identicalVerdictRuns++;
    if (runDiffs.length === 0 && reportsSame) identicalReportRuns++;
    differences.push(...runDiffs);
    const state = runDiffs.length ? `${runDiffs.length} difference(s)` : i === 1 ? 'baseline' : 'verdicts identical';
    process.stderr.write(
      `run ${i}/${args.runs}: ${jobs.length} targets, ${checkResults} check results, ${state}` +
        `${reportsSame ? '' : ', normalized reports differ'} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`,
    );
    for (const d of runDiffs) process.stderr.write(`  ${d}\n`);
    for (const d of reportDiffs) process.stderr.write(`  report: ${d}\n`);
    reportDifferences.push(...reportDiffs);
  }

  process.stdout.write(
    `${identicalVerdictRuns} of ${runsDone} runs gave identical verdicts (${jobs.length} targets, ` +
      `${checkResults} check results per run, seed ${args.seed}` +
      `${runsDone < args.runs ? `; ${args.runs} asked, the budget allowed ${runsDone}` : ''}); ` +
      `${identicalReportRuns} of ${runsDone} also gave identical normalized reports.\n`,
  );
  if (args.json) {
    const body = {
      runsAsked: args.runs,
      runs: runsDone,
      seed: args.seed,
      full: args.full,
      targets: jobs.map((j) => j.label),
      checkResultsPerRun: checkResults,
      identicalVerdictRuns,
      identicalReportRuns,
      runSeconds: runMs.map((ms) => Math.round(ms / 100) / 10),
      differences,
      reportDifferences,
    };
    await writeFile(args.json, JSON.stringify(body, null, 2) + '\n');
  }
  rejections.stop();
  if (differences.length) {
    process.stderr.write(`\nVerdicts changed between runs:\n${differences.map((d) => `  ${d}`).join('\n')}\n`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.exitCode = await main(process.argv.slice(2));
}
