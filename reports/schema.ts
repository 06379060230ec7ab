/**
 * The JSON Schema of the report, generated from the zod model (`z.toJSONSchema`, draft 2020-12) and
 * published as `lexoffice-login-harness/report-schema.json`. The committed `reports/schema.json` is
 * checked to be current by `schema.test.ts`; regenerate it with
 * `node --import tsx reports/schema.ts --write`.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { packagePath } from '../core/package-root.js';
import { REPORT_SCHEMA_VERSION, ReportSchema } from './model.js';

/** Path of the committed schema file. */
export const SCHEMA_FILE = packagePath('reports', 'schema.json');

/** The report's JSON Schema (draft 2020-12), with a title that names its version. */
export function reportJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(ReportSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: `lexoffice-login-harness report ${REPORT_SCHEMA_VERSION}`,
    description: 'An audit report written by lexoffice-login-harness (reports/model.ts).',
    ...rest,
  };
}

/** The schema file's exact text: generated, then formatted the way the repository's prettier formats JSON. */
export async function renderSchemaFile(): Promise<string> {
  const prettier = await import('prettier');
  const config = (await prettier.resolveConfig(SCHEMA_FILE)) ?? {};
  return prettier.format(JSON.stringify(reportJsonSchema()), { ...config, filepath: SCHEMA_FILE });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.argv.includes('--write')) {
  await writeFile(SCHEMA_FILE, await renderSchemaFile());
  process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
}
