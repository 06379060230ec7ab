/**
 * Reading a report file written by an earlier run (merge, diff). It is outside input, so it is
 * validated with the model; errors name the file and the JSON path.
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from './errors.js';
import { ReportSchema, type Report } from './model.js';
import { formatZodIssues } from './zod-error.js';

/**
 * Reads and validates a JSON report.
 *
 * @throws UsageError (`invalid-report`) naming the file and, for a report that does not fit the
 * model, the JSON path of each problem.
 */
export async function loadReport(path: string): Promise<Report> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${path}: cannot read report: ${(err as Error).message}`, { code: 'invalid-report' });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${path}: report is not JSON: ${(err as Error).message}`, { code: 'invalid-report' });
  }
  const parsed = ReportSchema.safeParse(value);
  if (!parsed.success)
    throw new UsageError(`${path}: not a login-harness report: ${formatZodIssues(parsed.error)}`, {
      code: 'invalid-report',
    });
  return parsed.data;
}
