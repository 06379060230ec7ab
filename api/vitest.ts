/**
 * `lexoffice-login-harness/vitest`: the `toPassLoginAudit` matcher. Importing this module registers it
 * with vitest's `expect` (in a test file, or once in `setupFiles`):
 *
 * ```ts
 * import 'lexoffice-login-harness/vitest';
 * import { auditClient } from 'lexoffice-login-harness';
 *
 * it('signs in safely', async () => {
 *   const report = await auditClient('target.json');
 *   expect(report).toPassLoginAudit({ failOn: 'high' });
 * });
 * ```
 *
 * It passes when the CLI's gate would exit 0 on the report: no failure at or above `failOn`, no check in
 * `error` (unless `allowErrors`), and a run that completed. Its failure message lists every blocking
 * finding with its summary, what was observed and the exchanges behind it.
 *
 * @see docs/api.md#the-vitest-matcher
 * @packageDocumentation
 */
import { expect } from 'vitest';
import { applyGate } from '../reports/gate.js';
import type { CheckResult, Report, Severity } from '../reports/model.js';
import { SEVERITY_ORDER } from '../reports/severity.js';

/** Options of `toPassLoginAudit`. */
export interface LoginAuditMatcherOptions {
  /** Fail on failures at or above this severity (default `high`, as the CLI). */
  failOn?: Severity;
  /** Let checks that ended in `error` pass (default false, as the CLI without `--allow-errors`). */
  allowErrors?: boolean;
}

declare module 'vitest' {
  // Vitest declares `Matchers<T = any>`; a merged declaration must repeat its type parameters exactly.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  interface Matchers<T = any> {
    /**
     * Passes when the report would pass the CLI's gate.
     *
     * @see docs/api.md#the-vitest-matcher
     */
    toPassLoginAudit(options?: LoginAuditMatcherOptions): T;
  }
}

function isReport(value: unknown): value is Report {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as Report).results) &&
    typeof (value as Report).target === 'object' &&
    typeof (value as Report).status === 'string'
  );
}

/** At most `n` characters of `text`, on one line. */
function clip(text: string, n = 160): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

/** One finding with its evidence summary: what was observed and the exchanges (already redacted). */
export function describeFinding(r: CheckResult): string {
  const lines = [`  ✗ ${r.id} (${r.verdict}, ${r.severity}): ${clip(r.summary, 300)}`];
  for (const o of r.observations.slice(0, 3)) lines.push(`      observed: ${clip(o.text)}`);
  if (r.observations.length > 3) lines.push(`      … ${r.observations.length - 3} more observations`);
  if (r.transcript.length > 0) {
    const shown = r.transcript
      .slice(-3)
      .map((t) => `${t.method} ${clip(t.url, 90)}${t.status ? ` → ${t.status}` : ''}`);
    lines.push(`      evidence: ${r.transcript.length} exchange(s), last: ${shown.join('; ')}`);
  }
  if (r.verdict === 'fail' && r.remediation) lines.push(`      fix: ${clip(r.remediation)}`);
  return lines.join('\n');
}

/**
 * The matcher's implementation, exported for `expect.extend` in other runners with vitest's matcher
 * contract.
 */
export function toPassLoginAudit(
  received: unknown,
  options: LoginAuditMatcherOptions = {},
): { pass: boolean; message: () => string } {
  if (!isReport(received)) {
    return { pass: false, message: () => 'expected a login-harness report (what auditClient/auditProvider return)' };
  }
  const failOn = options.failOn ?? 'high';
  if (!SEVERITY_ORDER.includes(failOn)) {
    return { pass: false, message: () => `failOn must be one of ${SEVERITY_ORDER.join(', ')}, got ${String(failOn)}` };
  }
  const gate = applyGate(received, { failOn, allowErrors: options.allowErrors === true });
  const incomplete = received.status !== 'complete';
  const pass = gate.exitCode === 0 && !incomplete;
  const title = `login audit of ${received.target.name} (${received.summary.total} checks, fail-on ${failOn})`;
  return {
    pass,
    message: () => {
      if (pass) return `expected ${title} not to pass, but nothing at or above ${failOn} failed`;
      const parts = [`expected ${title} to pass:`];
      if (incomplete) parts.push(`  the run did not complete (${received.status})`);
      if (gate.blocking.length) {
        parts.push(`${gate.blocking.length} failure(s) at or above ${failOn}:`);
        parts.push(...gate.blocking.map(describeFinding));
      }
      if (gate.errored.length && options.allowErrors !== true) {
        parts.push(`${gate.errored.length} check(s) could not run (allowErrors: true lets them pass):`);
        parts.push(...gate.errored.map(describeFinding));
      }
      return parts.join('\n');
    },
  };
}

expect.extend({ toPassLoginAudit });
