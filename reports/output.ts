/**
 * Writing reports to disk: `--format json,junit,sarif,html,md` and `--out DIR`. Every file is written
 * to a temporary name in the same folder and renamed into place (rename(2) is atomic within one file
 * system), so a reader (a CI uploader, a browser) never sees a half-written report, and an interrupted
 * run leaves either the previous file or the new one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UsageError } from './errors.js';
import type { Report, RunnerEvent } from './model.js';

/** A report format `--format` accepts. */
export type ReportFormat = 'json' | 'junit' | 'sarif' | 'html' | 'md';

/** Every format, in the order files are written. */
export const REPORT_FORMATS: readonly ReportFormat[] = ['json', 'junit', 'sarif', 'html', 'md'];

/** The folder reports go to when `--out` is not given. */
export const DEFAULT_OUT_DIR = 'login-harness-report';

/** File name of each format inside the output folder. */
export const REPORT_FILE_NAMES: Readonly<Record<ReportFormat, string>> = {
  json: 'report.json',
  junit: 'report.junit.xml',
  sarif: 'report.sarif',
  html: 'report.html',
  md: 'report.md',
};

/**
 * Each format's writer, loaded when a report in that format is written: a command parses `--format`
 * at its start, and loading every writer there (the HTML one with its diagrams) delayed its run.
 */
const RENDERERS: Record<ReportFormat, () => Promise<(report: Report) => string>> = {
  json: async () => (await import('./writers/json.js')).renderJson,
  junit: async () => (await import('./writers/junit.js')).renderJunit,
  sarif: async () => {
    const { renderSarif } = await import('./writers/sarif.js');
    return (r) => renderSarif(r);
  },
  html: async () => (await import('./writers/html.js')).renderHtml,
  md: async () => {
    const { renderMarkdown } = await import('./writers/md.js');
    return (r) => renderMarkdown(r);
  },
};

/**
 * Parses a `--format` value: a comma-separated list (`json,junit`), duplicates dropped, `all` for every
 * format. An unknown or empty entry is a usage error naming it.
 */
export function parseFormats(value: string): ReportFormat[] {
  const items = value.split(',').map((s) => s.trim().toLowerCase());
  const out: ReportFormat[] = [];
  for (const item of items) {
    if (item === 'all') {
      for (const f of REPORT_FORMATS) if (!out.includes(f)) out.push(f);
      continue;
    }
    if (!(REPORT_FORMATS as readonly string[]).includes(item)) {
      throw new UsageError(
        `--format: unknown report format ${JSON.stringify(item)} (expected a comma-separated list of ${REPORT_FORMATS.join(', ')}, or all)`,
      );
    }
    if (!out.includes(item as ReportFormat)) out.push(item as ReportFormat);
  }
  return out;
}

/** Options of {@link writeReports}. */
export interface WriteReportsOptions {
  formats: readonly ReportFormat[];
  /** Output folder; created when missing. */
  outDir: string;
}

/**
 * Writes one file per format atomically and returns their paths (in `formats` order). All texts are
 * rendered before anything is written, so a writer that throws leaves the folder untouched. The
 * report is written as it is: its results were redacted once, where the executor built them
 * (`harness/runner/execute.ts`, with `core/redaction.ts`), and the writers add nothing secret.
 */
export async function writeReports(report: Report, opts: WriteReportsOptions): Promise<string[]> {
  const outDir = resolve(opts.outDir);
  // Loading the writers counts as rendering (the `report` phase).
  const start = performance.now();
  const renderers = new Map(await Promise.all(opts.formats.map(async (f) => [f, await RENDERERS[f]()] as const)));
  let source = report;
  const render = (format: ReportFormat): { path: string; text: string } => ({
    path: join(outDir, REPORT_FILE_NAMES[format]),
    text: renderers.get(format)!(source),
  });
  // JSON is rendered last, so a measured report also says how long rendering the other formats took.
  const rendered = new Map<ReportFormat, { path: string; text: string }>(
    opts.formats.filter((f) => f !== 'json').map((f) => [f, render(f)]),
  );
  if (source.timings) source = withReportPhase(source, start, performance.now());
  if (opts.formats.includes('json')) rendered.set('json', render('json'));
  const files = opts.formats.map((format) => rendered.get(format)!);
  await mkdir(outDir, { recursive: true });
  for (const f of files) await writeFileAtomic(f.path, f.text);
  return files.map((f) => f.path);
}

/** `report` with the `report` phase (rendering, from `start` to `end` on `performance.now()`) added to its timings. */
function withReportPhase(report: Report, start: number, end: number): Report {
  if (!report.timings) return report;
  const origin = performance.now() - (Date.now() - Date.parse(report.startedAt));
  const phase = { name: 'report' as const, startMs: Math.round(start - origin), durationMs: Math.round(end - start) };
  const phases = [...report.timings.phases.filter((p) => p.name !== 'report'), phase];
  return { ...report, timings: { ...report.timings, phases } };
}

/** Writes `text` to a temporary sibling of `path`, then renames it over `path`. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, text, { encoding: 'utf8', flag: 'wx' });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Options of {@link createReportObserver}. */
export interface ReportObserverOptions {
  formats: readonly ReportFormat[];
  outDir: string;
  /** Applied to the report before it is written, e.g. the gate's baseline annotations. */
  finalize?: (report: Report) => Report;
}

/**
 * A runner-event observer that writes the report the runner announced. It assembles nothing itself:
 * the runner frame (`harness/runner/run.ts`) assembles the one report of every run, complete,
 * interrupted or crashed (the checks that finished), and announces it with `run-end`.
 */
export interface ReportObserver {
  /** Feed every runner event; never throws. */
  onEvent(event: RunnerEvent): void;
  /** The announced report (through `finalize`), or undefined while no run has ended. */
  report(): Report | undefined;
  /** Writes {@link report} in every format and returns the paths; nothing (`[]`) when no run has ended. */
  flush(): Promise<string[]>;
}

/** Creates a report observer (see {@link ReportObserver}). */
export function createReportObserver(opts: ReportObserverOptions): ReportObserver {
  let announced: Report | undefined;
  const report = (): Report | undefined => (announced && opts.finalize ? opts.finalize(announced) : announced);
  return {
    onEvent(event) {
      if (event.type === 'run-end') announced = event.report;
    },
    report,
    async flush() {
      const current = report();
      return current ? writeReports(current, { formats: opts.formats, outDir: opts.outDir }) : [];
    },
  };
}
