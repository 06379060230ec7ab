/**
 * `npm run bench [-- SUITE...] [--duration MS] [--concurrency 1,4,16]`: runs benchmark suites on
 * loopback and writes their results to `bench/results/`. A new suite is a module in `bench/suites/`
 * added to `SUITES` below.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { formatGoalsTable, goalRow, updateGoalsFile, type GoalRow } from './goals.js';
import type { BenchSuite } from './types.js';

/** Registered suites, loaded only when run. */
export const SUITES: Record<string, () => Promise<BenchSuite>> = {
  idp: async () => (await import('./suites/idp.js')).default,
  'idp-handle': async () => (await import('./suites/idp-handle.js')).default,
  catalog: async () => (await import('./suites/catalog.js')).default,
  soak: async () => (await import('./suites/soak.js')).default,
  audit: async () => (await import('./suites/audit.js')).webAuditSuite,
  'audit-spa': async () => (await import('./suites/audit.js')).spaAuditSuite,
  list: async () => (await import('./suites/list.js')).default,
  'provider-audit': async () => (await import('./suites/audit.js')).providerAuditSuite,
};

const USAGE = `Usage: npm run bench -- [SUITE...] [--duration MS] [--concurrency N,N,...] [--flows N] [--runs N]

Suites: ${Object.keys(SUITES).join(', ')} (default: all)
  --duration MS        measuring time per cell (default 3000)
  --concurrency LIST   concurrency levels (default 1,4,16; soak uses the highest)
  --flows N            soak: run this many flows instead of --duration
  --runs N             audit, audit-spa, list, provider-audit: runs of the command (defaults 3, 3, 10, 5)

After the suites, a \`goals\` table sets every figure measured against its goal (with the load average
and CPU time) and merges it into bench/results/goals.json.
Ctrl-C stops the running suite after the work in progress; the soak then writes the figures it reached.
`;

const Args = z.object({
  duration: z
    .string()
    .regex(/^\d+$/, 'expected milliseconds')
    .transform(Number)
    .pipe(z.number().int().min(100).max(86_400_000))
    .default(3000),
  concurrency: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'expected a comma-separated list of integers')
    .transform((s) => s.split(',').map(Number))
    .pipe(z.array(z.number().int().min(1).max(256)))
    .default([1, 4, 16]),
  flows: z
    .string()
    .regex(/^\d+$/, 'expected a number of flows')
    .transform(Number)
    .pipe(z.number().int().min(1))
    .optional(),
  runs: z
    .string()
    .regex(/^\d+$/, 'expected a number of runs')
    .transform(Number)
    .pipe(z.number().int().min(1).max(1000))
    .optional(),
  help: z.boolean().default(false),
});

/**
 * Runs the suites named in `argv` (all when none); resolves with the exit code: 0, 1 when a suite
 * broke (the others still run and their figures are written), 2 for bad arguments. `resultsDir`
 * defaults to `bench/results/`.
 */
export async function runBench(
  argv: string[],
  { resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results') }: { resultsDir?: string } = {},
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        duration: { type: 'string' },
        concurrency: { type: 'string' },
        flows: { type: 'string' },
        runs: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const args = Args.safeParse(parsed.values);
  if (!args.success) {
    process.stderr.write(
      `bench: ${args.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}\n\n${USAGE}`,
    );
    return 2;
  }
  if (args.data.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const names = parsed.positionals.length > 0 ? parsed.positionals : Object.keys(SUITES);
  const unknown = names.filter((n) => !(n in SUITES));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown suite ${unknown.join(', ')}\n\n${USAGE}`);
    return 2;
  }
  await mkdir(resultsDir, { recursive: true });
  // Ctrl-C stops the running suite early with what it measured (the soak writes its curve so far);
  // a second Ctrl-C ends the process at once.
  const stop = new AbortController();
  const onSigint = (): void => {
    if (stop.signal.aborted) process.exit(130);
    process.stderr.write('bench: stopping after the work in progress (Ctrl-C again to quit at once)\n');
    stop.abort();
  };
  process.on('SIGINT', onSigint);
  const goals: GoalRow[] = [];
  let failed = false;
  try {
    for (const name of names) {
      if (stop.signal.aborted) break;
      // One broken suite does not cost the figures of the others: it is reported, the run goes on and
      // ends with exit 1.
      try {
        goals.push(...(await runSuite(name, args.data, resultsDir, stop.signal)));
      } catch (err) {
        failed = true;
        process.stderr.write(`bench: ${name} failed: ${(err as Error).stack ?? String(err)}\n`);
      }
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (goals.length > 0) {
    process.stdout.write(`\n== goals\n${formatGoalsTable(goals)}\n`);
    await updateGoalsFile(resultsDir, goals);
    process.stderr.write(`wrote ${join(resultsDir, 'goals.json')}\n`);
  }
  return failed ? 1 : 0;
}

/**
 * Runs one suite, prints its table, writes its JSON to `bench/results/<name>.json` and returns its
 * goal figures as rows.
 */
async function runSuite(
  name: string,
  args: z.infer<typeof Args>,
  resultsDir: string,
  signal: AbortSignal,
): Promise<GoalRow[]> {
  const suite = await SUITES[name]();
  process.stderr.write(`\n== ${suite.name}: ${suite.description}\n`);
  const result = await suite.run({
    durationMs: args.duration,
    concurrency: args.concurrency,
    ...(args.flows !== undefined ? { flows: args.flows } : {}),
    ...(args.runs !== undefined ? { runs: args.runs } : {}),
    log: (line) => process.stderr.write(`${line}\n`),
    signal,
  });
  process.stdout.write(`\n${result.table}\n`);
  const file = join(resultsDir, `${suite.name}.json`);
  await writeFile(file, JSON.stringify(result.json, null, 2) + '\n');
  process.stderr.write(`wrote ${file}\n`);
  const measuredAt = new Date().toISOString();
  return (result.goals ?? []).map((m) => goalRow(m, { suite: suite.name, measuredAt, cpus: cpus().length }));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await runBench(process.argv.slice(2));
}
