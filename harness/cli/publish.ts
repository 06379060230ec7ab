/**
 * The end of every audit command (client and provider): write the reports, print the summary, and turn
 * the gated report into the exit code (0 no failure at or above the threshold, 1 failures, 3 the run did
 * not complete; its partial results are still written).
 */
import path from 'node:path';
import type { Report } from '../../reports/model.js';
import type { ReportFormat } from '../../reports/output.js';
import { isInteractive, type CliIo } from './io.js';

export interface PublishOptions {
  formats: ReportFormat[];
  outDir: string;
}

/** Writes `gated.report` in every format, prints the console summary and returns the exit code. */
export async function publishAudit(
  io: CliIo,
  gated: { report: Report; exitCode: 0 | 1 },
  opts: PublishOptions,
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
