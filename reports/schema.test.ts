import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { reportJsonSchema, renderSchemaFile, SCHEMA_FILE } from './schema.js';
import { hostileReport, makeReport } from './testing/fixtures.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  exports?: Record<string, string>;
};

describe('report JSON Schema', () => {
  it('the committed reports/schema.json is the one generated from the model', async () => {
    // Regenerate with: node --import tsx reports/schema.ts --write
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(await renderSchemaFile());
  });

  it('is draft 2020-12 and accepts the reports the builder makes', () => {
    const schema = reportJsonSchema();
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const validate = new Ajv2020({ strict: false }).compile(schema);
    for (const report of [makeReport(), hostileReport(), makeReport({ status: 'crashed', results: [] })]) {
      expect(validate(JSON.parse(JSON.stringify(report))), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it('rejects unknown fields and missing severities, as the model does', () => {
    const validate = new Ajv2020({ strict: false }).compile(reportJsonSchema());
    expect(validate({ ...makeReport(), extra: 1 })).toBe(false);
    const report = makeReport();
    const { info: _info, ...partial } = report.summary.failBySeverity;
    expect(validate({ ...report, summary: { ...report.summary, failBySeverity: partial } })).toBe(false);
  });

  it('is exported from the package as report-schema.json', () => {
    expect(pkg.exports?.['./report-schema.json']).toBe('./reports/schema.json');
  });
});
