/**
 * Writing reports to disk: `--format json,junit,sarif,html,md` and `--out DIR`. Every file is written
 * to a temporary name in the same folder and renamed into place (rename(2) is atomic within one file
 * system), so a reader (a CI uploader, a browser) never sees a half-written report, and an interrupted
 * run leaves either the previous file or the new one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { buildReport } from './build.js';
import { UsageError } from './errors.js';
import type { CheckResult, PolicyName, Report, RunnerEvent } from './model.js';
import { renderHtml } from './writers/html.js';
import { renderJson } from './writers/json.js';
import { renderJunit } from './writers/junit.js';
import { renderMarkdown } from './writers/md.js';
import { renderSarif } from './writers/sarif.js';

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

const RENDERERS: Record<ReportFormat, (report: Report) => string> = {
  json: renderJson,
  junit: renderJunit,
  sarif: (r) => renderSarif(r),
  html: renderHtml,
  md: (r) => renderMarkdown(r),
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
  /**
   * A last defensive redaction applied to the text of every file before it is written (the runner
   * redacts evidence already; this makes sure no writer reintroduces an issued code, token or secret).
   */
  redact?: (text: string) => string;
}

/**
 * Writes one file per format atomically and returns their paths (in `formats` order). All texts are
 * rendered before anything is written, so a writer that throws leaves the folder untouched.
 */
export async function writeReports(report: Report, opts: WriteReportsOptions): Promise<string[]> {
  const outDir = resolve(opts.outDir);
  const redact = opts.redact;
  // Redacted twice: in the report's strings before rendering, because escaping (Markdown, HTML, XML)
  // can change how a value is spelled in the file; then in each file's text, for anything a writer adds.
  let source = redact ? redactReport(report, redact) : report;
  const render = (format: ReportFormat): { path: string; text: string } => {
    const text = RENDERERS[format](source);
    return { path: join(outDir, REPORT_FILE_NAMES[format]), text: redact ? redact(text) : text };
  };
  // JSON is rendered last, so a measured report also says how long rendering the other formats took.
  const start = performance.now();
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

/** Applies `redact` to every string of a report (object keys of observation data included). */
export function redactReport(report: Report, redact: (text: string) => string): Report {
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return redact(value);
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), walk(v)]));
    }
    return value;
  };
  return walk(report) as Report;
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
  target: Report['target'];
  mode: Report['mode'];
  seed: number;
  /** Shard of a split audit, written into the report. */
  shard?: { index: number; count: number };
  /** Passed to {@link writeReports}. */
  redact?: (text: string) => string;
  /** Applied to the report before it is written, e.g. the gate's baseline annotations. */
  finalize?: (report: Report) => Report;
  /** Clock for the report times (tests freeze it). */
  now?: () => Date;
}

/** A runner-event observer that can write the report at any time, complete or partial. */
export interface ReportObserver {
  /** Feed every runner event; never throws. */
  onEvent(event: RunnerEvent): void;
  /**
   * Writes the reports with the given status and returns their paths. After `run-end` with a
   * complete run, the runner's own report is written; otherwise one is built from the results that
   * arrived, in catalog order, so an interrupted or crashed run still leaves a valid partial report.
   */
  flush(status: Report['status']): Promise<string[]>;
  /** The report {@link flush} would write now. */
  snapshot(status: Report['status']): Report;
}

/** Creates a report observer (see {@link ReportObserver}). */
export function createReportObserver(opts: ReportObserverOptions): ReportObserver {
  const now = opts.now ?? (() => new Date());
  let startedAt = now().toISOString();
  let target = opts.target;
  let mode = opts.mode;
  let seed = opts.seed;
  let policy: PolicyName | undefined;
  let order: string[] = [];
  const results = new Map<string, CheckResult>();
  let finalReport: Report | undefined;

  function ordered(): CheckResult[] {
    const rank = new Map(order.map((id, i) => [id, i]));
    return [...results.values()]
      .map((r, i) => ({ r, i }))
      .sort((a, b) => (rank.get(a.r.id) ?? order.length + a.i) - (rank.get(b.r.id) ?? order.length + b.i))
      .map(({ r }) => r);
  }

  function snapshot(status: Report['status']): Report {
    const base =
      finalReport && status === finalReport.status
        ? finalReport
        : buildReport({
            mode,
            target,
            seed,
            ...(policy ? { policy } : {}),
            startedAt,
            finishedAt: now().toISOString(),
            status,
            results: ordered(),
            ...(opts.shard ? { shard: opts.shard } : {}),
          });
    return opts.finalize ? opts.finalize(base) : base;
  }

  return {
    onEvent(event) {
      switch (event.type) {
        case 'run-start':
          startedAt = event.startedAt;
          target = event.target;
          mode = event.mode;
          seed = event.seed;
          policy = event.policy;
          order = [...event.checkIds];
          break;
        case 'check-end':
          results.set(event.result.id, event.result);
          break;
        case 'run-end':
          finalReport = event.report;
          for (const r of event.report.results) results.set(r.id, r);
          break;
        case 'check-start':
          break;
      }
    },
    snapshot,
    async flush(status) {
      return writeReports(snapshot(status), {
        formats: opts.formats,
        outDir: opts.outDir,
        ...(opts.redact ? { redact: opts.redact } : {}),
      });
    },
  };
}
