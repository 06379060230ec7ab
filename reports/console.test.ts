import { describe, expect, it } from 'vitest';
import { formatConsoleSummary } from './console.js';
import { hostileReport, makeReport } from './testing/fixtures.js';

describe('console summary', () => {
  it('shows counts by verdict, failures by severity and one line per finding', () => {
    const text = formatConsoleSummary(makeReport());
    expect(text).toContain('Login audit of acme-invoicing (client, web, seed 42, 3.5 s)');
    expect(text).toMatch(/ {2}fail +6\n/);
    expect(text).toMatch(/ {2}total +12\n/);
    expect(text).toContain('failures by severity: critical 1 · high 2 · medium 2 · low 1 · info 0');
    const lines = text.split('\n').filter((l) => /^ {2}(FAIL|WARN|ERROR)/.test(l));
    expect(lines).toHaveLength(8);
    expect(lines[0]).toMatch(/^ {2}FAIL +critical +id-token\.alg-none/);
    expect(lines.at(-1)).toMatch(/^ {2}WARN +medium +state\.replay/);
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
