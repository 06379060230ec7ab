import { describe, expect, it } from 'vitest';
import { formatConsoleSummary } from './console.js';
import { hostileReport, makeReport } from './testing/fixtures.js';

describe('console summary', () => {
  it('shows counts by verdict, failures by severity and one line per finding', () => {
    const text = formatConsoleSummary(makeReport());
    expect(text).toContain('Login audit of acme-invoicing (client, web, seed 42, policy rfc9700, 3.5 s)');
    expect(text).toMatch(/ {2}fail +6\n/);
    expect(text).toMatch(/ {2}total +12\n/);
    expect(text).toContain('failures by severity: critical 1 · high 2 · medium 2 · low 1 · info 0');
    const lines = text.split('\n').filter((l) => /^ {2}(FAIL|WARN|ERROR)/.test(l));
    expect(lines).toHaveLength(8);
    expect(lines[0]).toMatch(/^ {2}FAIL +critical +id-token\.alg-none/);
    expect(lines.at(-1)).toMatch(/^ {2}WARN +medium +state\.replay/);
  });

  it('gives each judged finding its reasoning: policy, requirement, conditions with controls, other policies', () => {
    const lines = formatConsoleSummary(makeReport()).split('\n');
    const warn = lines.findIndex((l) => /^ {2}WARN +medium +state\.replay/.test(l));
    expect(lines[warn + 1]).toBe(
      '        rfc9700: MUST of RFC 9700 §4.7.1; when PKCE binds the login to the browser: held ' +
        '(pkce.s256 pass, pkce.verifier-fresh pass); other policies strict: fail, fapi2: warn',
    );
    const fail = lines.findIndex((l) => /^ {2}FAIL +high +pkce\.s256/.test(l));
    expect(lines[fail + 1]).toBe('        rfc9700: MUST of RFC 7636 §4.2; other policies strict: fail, fapi2: fail');
    // A result without a judgement gets no reasoning line.
    const leak = lines.findIndex((l) => /^ {2}FAIL +medium +leak\.logs/.test(l));
    expect(lines[leak + 1]).toMatch(/^ {2}FAIL/);
  });

  it('uses colour only when asked', () => {
    expect(formatConsoleSummary(makeReport())).not.toContain('\u001b[');
    expect(formatConsoleSummary(makeReport(), { color: true })).toContain('\u001b[31m');
  });

  it('never passes terminal control sequences from the target through', () => {
    const text = formatConsoleSummary(hostileReport());
    expect(text).not.toContain('\u001b]0;');
    expect(text).not.toContain('\u0007');
    expect(text).toContain('\\x1b]0;pwned\\x07');
  });

  it('mentions a partial run', () => {
    expect(formatConsoleSummary(makeReport({ status: 'deadline' }))).toContain(
      'Partial results: the run ended early (deadline).',
    );
  });
});
