/**
 * The report commands of the CLI: `login-harness merge` and `login-harness diff`. Each takes the
 * arguments after its command name and resolves to an exit code: 0 fine, 1 findings (diff: new ones;
 * merge with --fail-on: the gate failed), 2 usage or input error, 3 an unexpected failure.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { loadBaseline } from './baseline.js';
import { diffReports, diffToJson, formatDiff } from './diff.js';
import { parseCommandArgs } from '../core/args.js';
import { exitCodeOf } from '../core/errors.js';
import { UsageError, isUsageError } from './errors.js';
import { applyGate, baselineNotes } from './gate.js';
import { loadReport } from './load.js';
import { mergeReports } from './merge.js';
import { parseFormats, writeFileAtomic, writeReports } from './output.js';
import { parseSeverity } from './severity.js';
import { renderJson } from './writers/json.js';
import { formatConsoleSummary } from './console.js';
import { sanitizeTerminal } from './writers/escape.js';

/** Where a command prints; defaults to the process streams. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** What the caller knows that the reports do not. */
export interface MergeCommandDeps {
  /** Check ids in catalog order, so merged results read like an unsharded run. */
  order?: readonly string[];
}

const processIo: CliIo = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
};

export const MERGE_HELP = `Usage: login-harness merge OUT.json IN1.json IN2.json ... [options]

Merges the JSON reports of the shards of one audit (--shard i/n) into one report,
as if the audit had run in one job. The inputs must be of the same target and seed.

Options:
  --format LIST     also write these formats (json,junit,sarif,html,md or all)
  --out DIR         folder for --format files (default: the folder of OUT.json)
  --fail-on SEV     apply the gate to the merged report: exit 1 on a failing check
                    at or above SEV (critical, high, medium, low), or on a check that
                    ended in error
  --baseline FILE   accepted findings for the gate (with --fail-on)
  --allow-errors    let checks that ended in error pass the gate (with --fail-on)
  -h, --help        show this help

Exit codes: 0 merged (and the gate passed), 1 the gate failed, 2 usage or input error.
`;

export const DIFF_HELP = `Usage: login-harness diff OLD.json NEW.json [--json]

Shows which findings (failing or warning checks) are new in NEW, fixed since OLD,
or unchanged.

Options:
  --json       print the difference as JSON
  -h, --help   show this help

Exit codes: 0 no new findings, 1 new findings, 2 usage or input error.
`;

/** Ends a report command on an error: the exit code is the error's (core/errors.ts), 3 for the unexpected. */
function fail(io: CliIo, err: unknown, command: string): number {
  if (isUsageError(err)) {
    io.stderr(`login-harness ${command}: ${err.message}\nRun "login-harness ${command} --help" for usage.\n`);
    return err.exitCode;
  }
  io.stderr(
    `login-harness ${command}: unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  return exitCodeOf(err);
}

/** `login-harness merge OUT.json IN1.json IN2.json ... [--format ...] [--out DIR]`. */
export async function runMergeCommand(
  argv: readonly string[],
  io: CliIo = processIo,
  deps: MergeCommandDeps = {},
): Promise<number> {
  try {
    const { values, positionals, help } = parseCommandArgs(
      'merge',
      [...argv],
      {
        format: { type: 'string' },
        out: { type: 'string' },
        'fail-on': { type: 'string' },
        baseline: { type: 'string' },
        'allow-errors': { type: 'boolean' },
      },
      Infinity,
    );
    if (help) {
      io.stdout(MERGE_HELP);
      return 0;
    }
    const [out, ...inputs] = positionals;
    if (!out || inputs.length === 0) throw new UsageError('expected OUT.json and at least one input report');
    if (inputs.includes(out)) throw new UsageError(`OUT.json ${JSON.stringify(out)} is also an input`);
    const formats = typeof values.format === 'string' ? parseFormats(values.format) : [];
    const failOn = typeof values['fail-on'] === 'string' ? parseSeverity(values['fail-on']) : undefined;
    if (values.baseline !== undefined && failOn === undefined) throw new UsageError('--baseline needs --fail-on');
    if (values['allow-errors'] === true && failOn === undefined) throw new UsageError('--allow-errors needs --fail-on');
    const baseline = typeof values.baseline === 'string' ? await loadBaseline(values.baseline) : undefined;

    const reports = [];
    for (const path of inputs) reports.push(await loadReport(path));
    let merged = mergeReports(reports, deps.order ? { order: deps.order } : {});
    let exitCode = 0;
    if (failOn) {
      const gate = applyGate(merged, {
        failOn,
        allowErrors: values['allow-errors'] === true,
        ...(baseline ? { baseline } : {}),
      });
      merged = gate.report;
      exitCode = gate.exitCode;
      for (const note of baselineNotes(gate)) io.stderr(`login-harness merge: ${note}\n`);
    }
    await mkdir(dirname(out), { recursive: true });
    await writeFileAtomic(out, renderJson(merged));
    const written = [out];
    if (formats.length) {
      const outDir = typeof values.out === 'string' ? values.out : dirname(out);
      written.push(...(await writeReports(merged, { formats, outDir })));
    }
    io.stdout(formatConsoleSummary(merged));
    io.stdout(
      `\nMerged ${reports.length} reports (${merged.results.length} checks) into:\n${written.map((p) => `  ${p}`).join('\n')}\n`,
    );
    return exitCode;
  } catch (err) {
    return fail(io, err, 'merge');
  }
}

/** `login-harness diff OLD.json NEW.json [--json]`; exit 1 when NEW has findings OLD did not. */
export async function runDiffCommand(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  try {
    const { values, positionals, help } = parseCommandArgs('diff', [...argv], { json: { type: 'boolean' } }, Infinity);
    if (help) {
      io.stdout(DIFF_HELP);
      return 0;
    }
    if (positionals.length !== 2)
      throw new UsageError(`expected OLD.json and NEW.json, got ${positionals.length} argument(s)`);
    const [oldReport, newReport] = [await loadReport(positionals[0]), await loadReport(positionals[1])];
    if (oldReport.target.name !== newReport.target.name) {
      const names = `${sanitizeTerminal(oldReport.target.name)} and ${sanitizeTerminal(newReport.target.name)}`;
      io.stderr(`login-harness diff: note: comparing different targets (${names})\n`);
    }
    const diff = diffReports(oldReport, newReport);
    io.stdout(values.json ? `${JSON.stringify(diffToJson(diff), null, 2)}\n` : formatDiff(diff));
    return diff.new.length > 0 ? 1 : 0;
  } catch (err) {
    return fail(io, err, 'diff');
  }
}
