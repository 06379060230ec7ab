/**
 * Severity order shared by the gate, the writers and the summaries. The model keeps severities as an
 * enum; the order (critical first) lives here once so every writer sorts and thresholds alike.
 */
import { SeveritySchema, type Severity } from './model.js';
import { UsageError } from './errors.js';

/** Severities from the most to the least serious (the enum is declared in that order). */
export const SEVERITY_ORDER: readonly Severity[] = SeveritySchema.options;

/** Higher is more serious: critical 4 ... info 0. */
export function severityRank(severity: Severity): number {
  return SEVERITY_ORDER.length - 1 - SEVERITY_ORDER.indexOf(severity);
}

/** True when `severity` is at or above `threshold` (so `high` is at least `medium`). */
export function atLeast(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) >= severityRank(threshold);
}

/** Parses a `--fail-on` style value; anything else is a usage error that lists the accepted values. */
export function parseSeverity(value: string, option = '--fail-on'): Severity {
  const parsed = SeveritySchema.safeParse(value.trim().toLowerCase());
  if (!parsed.success) {
    throw new UsageError(
      `${option}: unknown severity ${JSON.stringify(value)} (expected one of ${SEVERITY_ORDER.join(', ')})`,
    );
  }
  return parsed.data;
}
