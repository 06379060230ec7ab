/**
 * The JSON report: the result model itself, validated, two-space indented with a final newline. It is
 * the format other tools read (merge, diff, the published JSON Schema in `reports/schema.json`).
 */
import { ReportSchema, type Report } from '../model.js';

/** Serialises a report after checking it against the model, so no file ever fails its own schema. */
export function renderJson(report: Report): string {
  return `${JSON.stringify(ReportSchema.parse(report), null, 2)}\n`;
}
