/**
 * `npm run matrix [-- OPTIONS]`: runs the whole client catalog against every reference client and every
 * vulnerable lab (examples/labs/) with one seed and writes the checks x targets table of verdicts to
 * docs/efficacy-matrix.md. The CI proof is scenarios/efficacy.test.ts (each lab with only its own
 * checks); this is the full picture, including what each lab fails besides the check it was built for.
 * `--scope efficacy` runs what that test runs instead (much less work), for a machine too busy for the
 * whole catalog against every target.
 *
 * SIGINT or SIGTERM interrupts it: the audits under way are aborted (their targets and browsers
 * stopped), no document is written, and it exits with 128 + the signal's number; a second signal
 * ends it at once.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { choiceFlag, intFlag, listFlag, parseCommandArgs, type OptionSpec } from '../core/args.js';
import { z } from 'zod';
import { clientChecks } from '../scenarios/catalog.js';
import type { Verdict } from '../scenarios/types.js';
import { POLICY_NAMES } from '../reports/model.js';
import { interruptOnSignals, signalExitCode } from '../harness/cli/audit-run.js';
import { killAllTargetsSync } from '../harness/target/registry.js';
import {
  audit,
  checksWithoutLab,
  cleanViolations,
  discoverLabs,
  EFFICACY_SEED,
  httpAgentCheckIds,
  labViolations,
  limiter,
  readScriptArgs,
  readRecordedVerdicts,
  recordUnhandledRejections,
  REFERENCE_TARGETS,
  ROOT,
  VERDICT_SYMBOL,
  verdictsByPolicy,
  verdictsOf,
  type Lab,
  type ReferenceTarget,
  type ReportVerdicts,
} from './efficacy-targets.js';

const USAGE = `Usage: npm run matrix -- [options]

Runs the whole client catalog against the reference clients and every lab in examples/labs/
and writes the checks x targets matrix.

  --out FILE              markdown output (default docs/efficacy-matrix.md)
  --json FILE             also write the verdicts and durations as JSON
  --targets LIST          only these targets (lab folder or reference names, comma-separated)
  --concurrency N         audits at the same time (default 3)
  --check-concurrency N   checks at the same time inside one audit (default 4)
  --timeout MS            per-check timeout (default 60000)
  --resume FILE           reuse the targets of an earlier --json run that ended with no error verdict
  --scope catalog|efficacy
                          catalog (default): the whole catalog against every target. efficacy: what
                          scenarios/efficacy.test.ts runs, each lab with only the checks it declares,
                          the web reference clients with the HTTP agent checks (cells of checks not
                          run stay empty)
  --update-expected       rewrite the recorded expectation files (paper-python) from this run
  -h, --help              show this help

SIGINT or SIGTERM stops the audits under way and their targets and exits without writing anything.

Exit codes: 0 the matrix holds (every lab fails its checks, no reference client fails), 1 it does
not (the document is written anyway and says why), 2 usage error, 128 + n interrupted by signal n.
`;

/** Which checks each target is audited with. */
const SCOPES = ['catalog', 'efficacy'] as const;
type Scope = (typeof SCOPES)[number];

const OPTIONS = {
  out: { type: 'string' },
  json: { type: 'string' },
  resume: { type: 'string' },
  targets: { type: 'string', multiple: true },
  concurrency: { type: 'string' },
  'check-concurrency': { type: 'string' },
  timeout: { type: 'string' },
  'update-expected': { type: 'boolean' },
  scope: { type: 'string' },
} as const satisfies OptionSpec;

/** The parsed command line (throws UsageError naming the bad flag). */
function readArgs(argv: string[]) {
  const { values, help } = parseCommandArgs('matrix', argv, OPTIONS, 0);
  return {
    help,
    out: values.out ?? path.join(ROOT, 'docs', 'efficacy-matrix.md'),
    json: values.json,
    resume: values.resume,
    targets: values.targets === undefined ? undefined : listFlag(values.targets),
    concurrency: intFlag(values.concurrency, '--concurrency', 3, { min: 1 }),
    checkConcurrency: intFlag(values['check-concurrency'], '--check-concurrency', 4, { min: 1 }),
    timeout: intFlag(values.timeout, '--timeout', 60_000, { min: 1 }),
    updateExpected: values['update-expected'] === true,
    scope: choiceFlag(values.scope, '--scope', SCOPES) ?? 'catalog',
  };
}

/** One column of the matrix. */
interface Column {
  name: string;
  kind: 'reference' | 'lab';
  manifestPath: string;
  lab?: Lab;
  reference?: ReferenceTarget;
}

/** One finished column. */
interface ColumnResult {
  column: Column;
  report?: ReportVerdicts & { seed: number };
  /** Taken from the --resume file instead of audited again. */
  reused?: boolean;
  /** Set when the audit itself threw (configuration problem). */
  crash?: string;
  durationMs: number;
}

/** Runs the matrix per `argv`; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const args = readScriptArgs('matrix', USAGE, () => readArgs(argv));
  if (!args) return 2;
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }

  const { labs, problems } = await discoverLabs();
  let columns: Column[] = [
    ...REFERENCE_TARGETS.map((r): Column => ({
      name: r.name,
      kind: 'reference',
      manifestPath: r.manifestPath,
      reference: r,
    })),
    ...labs.map((l): Column => ({ name: l.folder, kind: 'lab', manifestPath: l.manifestPath, lab: l })),
  ];
  if (args.targets) {
    const unknown = args.targets.filter((t) => !columns.some((c) => c.name === t));
    if (unknown.length) {
      process.stderr.write(`matrix: --targets: unknown target ${unknown.join(', ')}\n`);
      return 2;
    }
    columns = columns.filter((c) => args.targets?.includes(c.name));
  }

  // Chromium audits take longest: start them first so the rest fill the other slots meanwhile.
  const order = [...columns].sort((a, b) => Number(b.reference?.kind === 'spa') - Number(a.reference?.kind === 'spa'));
  const previous = args.resume ? await readPrevious(args.resume) : new Map<string, ReportVerdicts>();
  const interrupt = interruptOnSignals();
  // An audit that does not stop within the grace period is not waited for: its targets are killed.
  const grace = (): void => {
    setTimeout(() => {
      killAllTargetsSync();
      process.exit(interruptedExitCode(interrupt.signal));
    }, INTERRUPT_GRACE_MS).unref();
  };
  interrupt.signal.addEventListener('abort', grace, { once: true });
  const rejections = recordUnhandledRejections();
  const run = limiter(args.concurrency);
  const started = performance.now();
  let done = 0;
  const finished = await Promise.all(
    order.map((column) =>
      run(async (): Promise<ColumnResult> => {
        const earlier = previous.get(column.name);
        if (earlier) {
          done++;
          process.stderr.write(`[${done}/${columns.length}] ${column.name}: reused from ${args.resume}\n`);
          return { column, report: { ...earlier, seed: EFFICACY_SEED }, reused: true, durationMs: 0 };
        }
        if (interrupt.signal.aborted) return { column, crash: 'interrupted before it started', durationMs: 0 };
        const t0 = performance.now();
        process.stderr.write(`[start] ${column.name}\n`);
        let result: ColumnResult;
        try {
          const report = await audit(
            { label: column.name, manifestPath: column.manifestPath, ...scopeOf(column, args.scope) },
            {
              seed: EFFICACY_SEED,
              checkConcurrency: args.checkConcurrency,
              checkTimeoutMs: args.timeout,
              signal: interrupt.signal,
            },
          );
          result = { column, report, durationMs: performance.now() - t0 };
        } catch (err) {
          result = { column, crash: (err as Error).message, durationMs: performance.now() - t0 };
        }
        done++;
        const what = result.report ? summaryLine(result.report) : `crashed: ${result.crash}`;
        process.stderr.write(
          `[${done}/${columns.length}] ${column.name}: ${what} (${(result.durationMs / 1000).toFixed(1)} s)\n`,
        );
        return result;
      }),
    ),
  );
  const totalMs = performance.now() - started;
  rejections.stop();
  interrupt.dispose();
  if (interrupt.signal.aborted) {
    // A matrix of interrupted audits would read as findings: the document stays as it was.
    const reason: unknown = interrupt.signal.reason;
    const why = reason instanceof Error ? reason.message : String(reason);
    process.stderr.write(`matrix: ${why}; the audits were stopped, nothing was written\n`);
    return interruptedExitCode(interrupt.signal);
  }
  const results = columns.map((c) => finished.find((r) => r.column === c) as ColumnResult);

  const violations: string[] = [...problems.map((p) => `lab index: ${p}`)];
  const withoutLab = args.targets ? [] : checksWithoutLab(labs);
  for (const id of withoutLab) violations.push(`${id}: no lab declares it`);
  for (const r of results) violations.push(...(await columnViolations(r)));
  for (const text of rejections.list) violations.push(`harness: unhandled rejection: ${text}`);

  if (args.updateExpected) {
    for (const r of results) {
      const exp = r.column.reference?.expectation;
      if (exp?.mode !== 'recorded' || !r.report) continue;
      const body = { target: r.column.name, seed: r.report.seed, policies: verdictsByPolicy(r.report) };
      await writeFile(exp.file, JSON.stringify(body, null, 2) + '\n');
      process.stderr.write(`wrote ${path.relative(ROOT, exp.file)}\n`);
    }
  }

  await mkdir(path.dirname(args.out), { recursive: true });
  await writeFile(args.out, renderMarkdown(results, violations, withoutLab, args.scope));
  process.stderr.write(
    `wrote ${path.relative(process.cwd(), args.out)} (${columns.length} targets in ${(totalMs / 1000).toFixed(1)} s)\n`,
  );
  if (args.json) {
    const json = {
      seed: EFFICACY_SEED,
      scope: args.scope,
      totalMs: Math.round(totalMs),
      targets: results.map((r) => ({
        name: r.column.name,
        kind: r.column.kind,
        durationMs: Math.round(r.durationMs),
        reused: r.reused ?? false,
        status: r.report?.status ?? 'crashed',
        verdicts: r.report ? verdictsOf(r.report) : {},
        summaries: Object.fromEntries((r.report?.results ?? []).map((x) => [x.id, x.summary])),
      })),
      violations,
    };
    await writeFile(args.json, JSON.stringify(json, null, 2) + '\n');
  }
  if (violations.length) {
    process.stderr.write(`\nThe matrix does not hold:\n${violations.map((v) => `  ${v}`).join('\n')}\n`);
    return 1;
  }
  return 0;
}

/** How long interrupted audits get to stop their targets before the process ends anyway. */
const INTERRUPT_GRACE_MS = 20_000;

/** The exit code after an interruption: 128 + the number of the signal named in the abort reason. */
function interruptedExitCode(signal: AbortSignal): number {
  const name = /\b(SIG[A-Z]+)\b/.exec(String(signal.reason))?.[1] as NodeJS.Signals | undefined;
  return name ? signalExitCode(name) : 130;
}

/** The checks a column is audited with under `scope` (the efficacy test's choice, or everything). */
function scopeOf(column: Column, scope: Scope): { only?: string[] } {
  if (scope === 'catalog') return {};
  if (column.lab) return { only: column.lab.checks };
  return column.reference?.httpAgentOnlyInTest ? { only: httpAgentCheckIds() } : {};
}

/** Targets of an earlier `--json` file that completed without any `error` verdict. */
async function readPrevious(file: string): Promise<Map<string, ReportVerdicts>> {
  const Previous = z.object({
    seed: z.literal(EFFICACY_SEED),
    targets: z.array(
      z.object({
        name: z.string(),
        status: z.string(),
        verdicts: z.record(z.string(), z.enum(['pass', 'fail', 'warn', 'not-applicable', 'error'])),
        summaries: z.record(z.string(), z.string()).optional(),
      }),
    ),
  });
  const parsed = Previous.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.success) {
    throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const out = new Map<string, ReportVerdicts>();
  for (const t of parsed.data.targets) {
    const verdicts = Object.entries(t.verdicts);
    if (t.status !== 'complete' || verdicts.length === 0 || verdicts.some(([, v]) => v === 'error')) continue;
    out.set(t.name, {
      status: 'complete',
      results: verdicts.map(([id, verdict]) => ({ id, verdict, summary: t.summaries?.[id] ?? '' })),
    });
  }
  return out;
}

function summaryLine(report: ReportVerdicts): string {
  const counts = new Map<Verdict, number>();
  for (const r of report.results) counts.set(r.verdict, (counts.get(r.verdict) ?? 0) + 1);
  return [...counts].map(([v, n]) => `${n} ${v}`).join(', ');
}

async function columnViolations(r: ColumnResult): Promise<string[]> {
  const { column } = r;
  if (!r.report) return [`${column.name}: the audit could not run: ${r.crash ?? 'unknown'}`];
  if (column.lab) return labViolations(column.lab, r.report).map((v) => `lab ${column.name}: ${v}`);
  const exp = column.reference?.expectation;
  if (exp?.mode === 'clean') return cleanViolations(r.report, exp.allowedWarns).map((v) => `${column.name}: ${v}`);
  if (exp?.mode === 'recorded') {
    const recorded = await readRecordedVerdicts(exp.file);
    const now = verdictsByPolicy(r.report);
    return POLICY_NAMES.flatMap((policy) => {
      const [was, is] = [recorded.policies[policy], now[policy]];
      return [...new Set([...Object.keys(was), ...Object.keys(is)])]
        .filter((id) => was[id] !== is[id])
        .map(
          (id) => `${column.name}: ${id} under ${policy}: ${is[id] ?? 'not run'} (recorded: ${was[id] ?? 'absent'})`,
        );
    });
  }
  return [];
}

/** Escapes a table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function symbol(v: Verdict | undefined): string {
  return v ? VERDICT_SYMBOL[v] : '';
}

function renderMarkdown(results: ColumnResult[], violations: string[], withoutLab: string[], scope: Scope): string {
  const verdictAt = (r: ColumnResult, id: string): Verdict | undefined =>
    r.report?.results.find((x) => x.id === id)?.verdict;
  const refs = results.filter((r) => r.column.kind === 'reference');
  const labCols = results.filter((r) => r.column.kind === 'lab');
  const legend = (Object.entries(VERDICT_SYMBOL) as Array<[Verdict, string]>)
    .map(([v, s]) => `\`${s}\` ${v}`)
    .join(' · ');
  const lines: string[] = [
    '# Efficacy matrix',
    '',
    `<!-- Generated by \`npm run matrix${scope === 'catalog' ? '' : ` -- --scope ${scope}`}\` (scripts/matrix.ts). Do not edit by hand. -->`,
    '',
    ...(scope === 'catalog'
      ? [
          `Every client check run against every reference client and every vulnerable lab (\`examples/labs/\`), seed ${EFFICACY_SEED},`,
          'whole catalog per target. The CI proof of the same claims is `scenarios/efficacy.test.ts` (each lab with only',
          'the checks it declares; the web reference clients with the HTTP agent checks).',
          '',
          `Legend: ${legend}; blank: the check does not apply to the target's kind. **Bold** marks a check the lab declares it fails.`,
        ]
      : [
          `Scope \`efficacy\`: what \`scenarios/efficacy.test.ts\` runs, seed ${EFFICACY_SEED}: every vulnerable lab (\`examples/labs/\`) with`,
          'only the checks it declares, the web reference clients with the HTTP agent checks, `reference-spa` and',
          '`paper-python` with the whole catalog. `npm run matrix` (scope `catalog`) runs the whole catalog against every',
          'target and also shows what each lab fails besides its own checks.',
          '',
          `Legend: ${legend}; blank: the check was not run on the target (or does not apply to its kind). **Bold** marks a check the lab declares it fails.`,
        ]),
    '',
    '## How a lab declares what it proves',
    '',
    '`examples/labs/labs.json` lists every lab folder and the catalog ids it is built to fail:',
    '`{ "labs": [{ "dir": "state-present", "fails": ["state.present"] }] }`. The efficacy test fails when a lab folder',
    '(other than `_base/`) is missing from the index, when a catalog id has no lab declaring it, when a declared id is not',
    "in the catalog or does not apply to the lab's kind, or when a lab does not fail a check it declares.",
    '',
    '## What the reference clients may show',
    '',
    `- ${REFERENCE_TARGETS.filter((r) => r.expectation.mode === 'clean')
      .map((r) => `\`${r.name}\``)
      .join(', ')}: pass or not-applicable everywhere. Accepted warns:`,
    ...REFERENCE_TARGETS.flatMap((r) =>
      r.expectation.mode === 'clean'
        ? Object.entries(r.expectation.allowedWarns).map(([id, why]) => `  - ${r.name} \`${id}\`: ${why}`)
        : [],
    ),
    "- `paper-python` (the paper's published class): its verdicts must equal `scenarios/efficacy.paper-python.json`",
    '  (update with `npm run matrix -- --update-expected`), so a regression shows as a difference.',
    '',
    '## Per check',
    '',
    `| check | severity | lab | on its lab | ${refs.map((r) => r.column.name).join(' | ')} | other labs failing it |`,
    `| --- | --- | --- | :-: | ${refs.map(() => ':-:').join(' | ')} | --- |`,
  ];
  for (const check of clientChecks) {
    const own = labCols.filter((r) => r.column.lab?.checks.includes(check.id));
    const others = labCols.filter((r) => !r.column.lab?.checks.includes(check.id) && verdictAt(r, check.id) === 'fail');
    const labNames = own.map((r) => `\`${r.column.name}\``).join(', ') || '**none**';
    const ownMarks = own.map((r) => symbol(verdictAt(r, check.id))).join(' ');
    const refMarks = refs.map((r) => symbol(verdictAt(r, check.id))).join(' | ');
    const otherNames = others.map((r) => `\`${r.column.name}\``).join(', ');
    lines.push(`| \`${check.id}\` | ${check.severity} | ${labNames} | ${ownMarks} | ${refMarks} | ${otherNames} |`);
  }
  lines.push('');

  lines.push('## Full matrix (checks x targets)', '', 'Columns: the reference clients, then the labs by folder.', '');
  lines.push(
    `| check | ${results.map((r) => `\`${r.column.name}\``).join(' | ')} |`,
    `| --- | ${results.map(() => ':-:').join(' | ')} |`,
  );
  for (const check of clientChecks) {
    const cells = results.map((r) => {
      const s = symbol(verdictAt(r, check.id));
      return r.column.lab?.checks.includes(check.id) ? `**${s}**` : s;
    });
    lines.push(`| \`${check.id}\` | ${cells.join(' | ')} |`);
  }
  lines.push('');

  lines.push('## Reference clients: everything that is not a pass', '');
  for (const r of refs) {
    const notPass = r.report?.results.filter((x) => x.verdict !== 'pass' && x.verdict !== 'not-applicable') ?? [];
    const head = r.report ? `${r.report.results.length} checks, run ${r.report.status}` : `crashed: ${r.crash ?? ''}`;
    lines.push(`- **${r.column.name}** (${head})${notPass.length ? ':' : ': nothing'}`);
    for (const x of notPass) lines.push(`  - \`${x.id}\` ${x.verdict}: ${cell(x.summary)}`);
  }
  lines.push('');

  lines.push('## Labs: what fails besides the declared checks', '');
  lines.push('A lab should fail its own check and, as far as its flaw allows, nothing else.', '');
  if (scope !== 'catalog') lines.push('Not known in this scope: each lab ran only the checks it declares.', '');
  let collateral = 0;
  for (const r of labCols) {
    const extra =
      r.report?.results.filter(
        (x) =>
          !r.column.lab?.checks.includes(x.id) &&
          (x.verdict === 'fail' || x.verdict === 'error' || x.verdict === 'warn'),
      ) ?? [];
    if (!extra.length) continue;
    collateral++;
    lines.push(`- \`${r.column.name}\`: ${extra.map((x) => `\`${x.id}\` ${x.verdict}`).join(', ')}`);
  }
  if (!collateral && scope === 'catalog') lines.push('None.');
  lines.push('');

  lines.push('## Does the matrix hold?', '');
  if (!violations.length) {
    lines.push(
      'Yes: every catalog check has a lab, every lab fails every check it declares, and no reference client fails.',
    );
  } else {
    if (withoutLab.length) lines.push(`Checks without a lab: ${withoutLab.map((id) => `\`${id}\``).join(', ')}.`, '');
    lines.push('No:', '');
    for (const v of violations) lines.push(`- ${cell(v)}`);
  }
  lines.push('');
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const code = await main(process.argv.slice(2));
  // After an interruption, whatever an aborted audit left open must not keep the process alive.
  if (code > 128) process.exit(code);
  process.exitCode = code;
}
