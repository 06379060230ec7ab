/**
 * The JSON report: the result model itself, validated, two-space indented with a final newline. It is
 * the format other tools read (merge, diff, the published JSON Schema in `reports/schema.json`).
 */
import { parseReport, type Report } from '../model.js';

/**
 * Serialises a report after checking it against the model, so no file ever fails its own schema. The
 * transcripts of a report that `buildReport` made were checked there and are not checked again.
 */
export function renderJson(report: Report): string {
  return `${JSON.stringify(parseReport(report), null, 2)}\n`;
}
