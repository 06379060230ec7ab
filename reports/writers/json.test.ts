import { describe, expect, it } from 'vitest';
import { ReportSchema } from '../model.js';
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
