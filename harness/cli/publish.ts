/**
 * The end of every audit command (client and provider): write the reports, print the summary, and turn
 * the gated report into the exit code (0 no failure at or above the threshold, 1 failures, 3 the run did
 * not complete; its partial results are still written).
 */
import path from 'node:path';
import type { CheckResult, Report } from '../../reports/model.js';
import type { ReportFormat } from '../../reports/output.js';
import { isInteractive, type CliIo } from './io.js';

export interface PublishOptions {
  formats: ReportFormat[];
  outDir: string;
}

/**
 * Writes `gated.report` in every format, prints the console summary, names the checks that could not
 * run (and how to get a browser when that is why), and returns the exit code.
 */
export async function publishAudit(
  io: CliIo,
  gated: { report: Report; exitCode: 0 | 1; errored?: readonly CheckResult[] },
  opts: PublishOptions & { allowErrors?: boolean },
): Promise<number> {
  const [{ writeReports }, { formatConsoleSummary }] = await Promise.all([
    import('../../reports/output.js'),
    import('../../reports/console.js'),
  ]);
  const { report } = gated;
  // The results were redacted once, where the executor built them (harness/runner/execute.ts).
  const files = await writeReports(report, { formats: opts.formats, outDir: opts.outDir });
  io.stdout(formatConsoleSummary(report, { color: isInteractive(io) && io.env.NO_COLOR === undefined }));
  if (report.results.length === 0 && report.status === 'complete') {
    io.stderr(`login-harness: no selected check applies to a ${report.target.kind} target.\n`);
  }
  io.stdout(`\nReports written: ${files.map((f) => relativeToCwd(io, f)).join(', ')}\n`);
  if (gated.errored?.length) io.stderr(describeErrored(gated.errored, opts.allowErrors === true));
  if (report.status !== 'complete') {
    io.stderr(`login-harness: the run did not complete (${report.status}); the reports hold the partial results.\n`);
    return 3;
  }
  return gated.exitCode;
}

/** `file` relative to the working directory when it lies below it, else as given. */
export function relativeToCwd(io: CliIo, file: string): string {
  const r = path.relative(io.cwd, file);
  return r && !r.startsWith('..') ? r : file;
}

/** How to get a Chromium, for a summary that reports checks which could not find or start one. */
export const BROWSER_INSTALL_HINT =
  "No usable Chromium: install Playwright's (`npx playwright install chromium`), or where downloads are " +
  'impossible the system package (Debian: `apt-get install chromium-headless-shell`, or `chromium`), or pass one with --browser PATH.';

/** A check that ended in error because no browser could be found or started. */
function isBrowserMissing(r: CheckResult): boolean {
  return /chromium|browser(Type)?\.launch|executable doesn't exist/i.test(r.summary);
}

/**
 * The lines naming every check that ended in `error`, why, and whether the gate counts them (it does
 * unless `--allow-errors`); for a missing browser, how to install one.
 */
export function describeErrored(errored: readonly CheckResult[], allowed: boolean): string {
  const head = allowed
    ? `login-harness: ${errored.length} check(s) could not run; --allow-errors lets them pass the gate:`
    : `login-harness: ${errored.length} check(s) could not run, so the gate fails (exit 1; --allow-errors or a baseline entry accepts them):`;
  const lines = errored.map((r) => `  ${r.id} (${r.errorKind ?? 'error'}): ${r.summary.split('\n')[0]}`);
  if (errored.some(isBrowserMissing)) lines.push(`  ${BROWSER_INSTALL_HINT}`);
  return `${head}\n${lines.join('\n')}\n`;
}
