import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from './errors.js';
import { ReportSchema, type RunnerEvent } from './model.js';
import { createReportObserver, parseFormats, REPORT_FILE_NAMES, REPORT_FORMATS, writeReports } from './output.js';
import { makeReport, makeResult } from './testing/fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lh-output-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function listAll(folder: string): Promise<string[]> {
  return (await readdir(folder, { recursive: true })).map(String).sort();
}

describe('parseFormats', () => {
  it('parses a comma-separated list, drops duplicates and knows all', () => {
    expect(parseFormats('json,junit, sarif ,json')).toEqual(['json', 'junit', 'sarif']);
    expect(parseFormats('all')).toEqual([...REPORT_FORMATS]);
  });

  it('names the bad format in a usage error', () => {
    expect(() => parseFormats('json,xml')).toThrow(UsageError);
    expect(() => parseFormats('json,xml')).toThrow(/unknown report format "xml"/);
    expect(() => parseFormats('json,,md')).toThrow(/unknown report format ""/);
  });
});

describe('writeReports', () => {
  it('adds the time spent rendering the other formats to a measured report, in the JSON file only', async () => {
    const report = {
      ...makeReport(),
      timings: { phases: [{ name: 'checks' as const, startMs: 5, durationMs: 10 }], checks: [] },
    };
    await writeReports(report, { formats: ['json', 'md'], outDir: dir });
    const written = ReportSchema.parse(JSON.parse(await readFile(join(dir, REPORT_FILE_NAMES.json), 'utf8')));
    expect(written.timings?.phases.map((p) => p.name)).toEqual(['checks', 'report']);
    expect(written.results).toEqual(report.results);
    // A report without timings is written as it is.
    await writeReports(makeReport(), { formats: ['json'], outDir: dir });
    const plain = JSON.parse(await readFile(join(dir, REPORT_FILE_NAMES.json), 'utf8')) as Record<string, unknown>;
    expect(plain.timings).toBeUndefined();
  });

  it('writes every format into a new folder and returns the paths', async () => {
    const out = join(dir, 'a', 'b');
    const paths = await writeReports(makeReport(), { formats: REPORT_FORMATS, outDir: out });
    expect(paths).toEqual(REPORT_FORMATS.map((f) => join(out, REPORT_FILE_NAMES[f])));
    expect(await listAll(out)).toEqual(Object.values(REPORT_FILE_NAMES).sort());
    ReportSchema.parse(JSON.parse(await readFile(paths[0], 'utf8')));
  });

  it('replaces an existing file whole and leaves no temporary file', async () => {
    await writeFile(join(dir, 'report.json'), 'x'.repeat(1_000_000));
    await writeReports(makeReport(), { formats: ['json'], outDir: dir });
    const text = await readFile(join(dir, 'report.json'), 'utf8');
    expect(ReportSchema.parse(JSON.parse(text)).target.name).toBe('acme-invoicing');
    expect(await listAll(dir)).toEqual(['report.json']);
  });

  it('cleans up its temporary file when the rename fails', async () => {
    await mkdir(join(dir, 'report.junit.xml'));
    await expect(writeReports(makeReport(), { formats: ['junit'], outDir: dir })).rejects.toThrow();
    expect(await listAll(dir)).toEqual(['report.junit.xml']);
  });

  it('writes nothing when rendering fails', async () => {
    const out = join(dir, 'never');
    // A result without a transcript breaks the HTML writer, which renders before anything is written.
    const report = makeReport();
    const broken = { ...report, results: [{ ...report.results[0], transcript: undefined as never }] };
    await expect(writeReports(broken, { formats: ['json', 'html'], outDir: out })).rejects.toThrow(TypeError);
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });
});

describe('report observer', () => {
  it('writes the report the runner announced with run-end, through the finalizer', async () => {
    const finalReport = { ...makeReport(), status: 'crashed' as const };
    const observer = createReportObserver({
      formats: ['json', 'html'],
      outDir: dir,
      finalize: (r) => ({
        ...r,
        results: r.results.map((x) =>
          x.id === 'leak.logs' ? { ...x, baselined: { justification: 'ok', expires: '2027-01-01' } } : x,
        ),
      }),
    });
    for (const result of finalReport.results) observer.onEvent({ type: 'check-end', result });
    observer.onEvent({ type: 'run-end', report: finalReport });
    const [json, html] = await observer.flush();
    const written = ReportSchema.parse(JSON.parse(await readFile(json, 'utf8')));
    expect(written.startedAt).toBe(finalReport.startedAt);
    expect(written.status).toBe('crashed');
    expect(written.results.map((r) => r.id)).toEqual(finalReport.results.map((r) => r.id));
    expect(written.results.find((r) => r.id === 'leak.logs')?.baselined?.justification).toBe('ok');
    expect(await readFile(html, 'utf8')).toContain('this report is partial');
  });

  it('assembles no report of its own: before run-end there is nothing to write', async () => {
    const observer = createReportObserver({ formats: ['json'], outDir: dir });
    const events: RunnerEvent[] = [
      {
        type: 'run-start',
        target: { name: 'acme-invoicing', kind: 'web', profile: 'lexoffice' },
        seed: 7,
        mode: 'client',
        checkIds: ['a.one', 'a.two'],
        startedAt: '2026-01-10T10:00:00.000Z',
      },
      { type: 'check-start', id: 'a.one' },
      { type: 'check-end', result: makeResult({ id: 'a.one', verdict: 'pass' }) },
    ];
    for (const e of events) observer.onEvent(e);
    expect(observer.report()).toBeUndefined();
    expect(await observer.flush()).toEqual([]);
    expect(await listAll(dir)).toEqual([]);
  });
});
