/**
 * leak.storage on real web targets: where no page of the login can run script, the HTTP transcript is
 * judged and Chromium is not launched; where a page can, the login is repeated in Chromium and its
 * storage read.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { audit as runAudit } from '../../scripts/efficacy-targets.js';
import type { Report } from '../../reports/model.js';

const manifest = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));

async function audit(manifestPath: string): Promise<Report> {
  return runAudit(
    { label: manifestPath, manifestPath, only: ['leak.storage'] },
    { seed: 1, checkConcurrency: 1, checkTimeoutMs: 60_000 },
  );
}

const observed = (report: Report): string =>
  report.results.flatMap((r) => r.observations.map((o) => o.text)).join('\n');

describe('leak.storage on web targets', () => {
  it('judges a script-free web client from the HTTP transcript, without launching Chromium', async () => {
    const report = await audit(manifest('../../examples/reference-web/target.json'));
    const [result] = report.results;
    expect(result.verdict, result.summary).toBe('pass');
    expect(observed(report)).toMatch(/None of the \d+ responses of the login could run script in a browser/);
    expect(report.timings?.phases.some((p) => p.name === 'browser')).toBe(false);
    expect(result.transcript.every((t) => t.agent !== 'browser')).toBe(true);
  }, 120_000);

  it('repeats the login in Chromium when a page can run script, and finds what the script stored', async () => {
    const report = await audit(manifest('./fixtures/script-storage/target.json'));
    const [result] = report.results;
    expect(result.judgement?.finding, result.summary).toBe('fail');
    expect(result.summary).toContain('localStorage["refresh"]');
    expect(observed(report)).toMatch(/\/callback could run script in a browser \(a <script> element\)/);
    expect(result.transcript.some((t) => t.agent === 'browser')).toBe(true);
  }, 120_000);
});
