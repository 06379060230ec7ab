import { describe, expect, it } from 'vitest';
import { parseReport, ReportSchema, type Report } from '../model.js';
import { hostileReport, makeReport } from '../testing/fixtures.js';
import { renderJson } from './json.js';

describe('JSON writer', () => {
  it('writes the report so that it parses back to an identical, valid report', () => {
    const report = makeReport();
    const text = renderJson(report);
    expect(text.endsWith('\n')).toBe(true);
    const back = ReportSchema.parse(JSON.parse(text));
    expect(back).toEqual(report);
  });

  it('keeps hostile target text as data, unchanged', () => {
    const report = hostileReport();
    expect(JSON.parse(renderJson(report))).toEqual(report);
  });

  it('refuses a report with a field the model does not know', () => {
    const report = { ...makeReport(), extra: true };
    expect(() => renderJson(report)).toThrow(/extra|Unrecognized/);
  });
});

describe('JSON writer, a report derived from a built one', () => {
  it('checks again everything but the transcripts buildReport checked, and writes what a full check gives', () => {
    const built = makeReport();
    expect(built.results.some((r) => r.transcript.length > 0)).toBe(true);
    // What the gate and the report phase do: new results and timings around the same transcripts.
    const derived: Report = { ...built, results: built.results.map((r) => ({ ...r })) };
    expect(renderJson(derived)).toBe(`${JSON.stringify(ReportSchema.parse(derived), null, 2)}\n`);
    // The transcripts are taken as they are (a full check would copy them).
    parseReport(derived).results.forEach((r, i) => expect(r.transcript).toBe(built.results[i]!.transcript));
    const extra = { ...derived, results: derived.results.map((r, i) => (i === 0 ? { ...r, extra: 1 } : r)) };
    expect(() => renderJson(extra as Report)).toThrow(/extra|Unrecognized/);
    const badSeverity = { ...derived, results: derived.results.map((r) => ({ ...r, severity: 'severe' })) };
    expect(() => renderJson(badSeverity as unknown as Report)).toThrow(/severity/);
  });

  it('checks a transcript buildReport did not make', () => {
    const built = makeReport();
    const i = built.results.findIndex((r) => r.transcript.length > 0);
    const swapped = built.results.map((r, j) =>
      j === i ? { ...r, transcript: r.transcript.map((e) => ({ ...e, agent: 'carrier-pigeon' })) } : r,
    );
    expect(() => renderJson({ ...built, results: swapped } as unknown as Report)).toThrow(/agent/);
  });

  it('keeps a built report’s transcripts as they were checked: they cannot be changed afterwards', () => {
    const built = makeReport();
    const transcript = built.results.find((r) => r.transcript.length > 0)!.transcript;
    expect(() => transcript.push(transcript[0]!)).toThrow(TypeError);
    expect(() => {
      (transcript[0] as { agent: string }).agent = 'carrier-pigeon';
    }).toThrow(TypeError);
  });
});
