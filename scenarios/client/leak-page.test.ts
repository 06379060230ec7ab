/**
 * leak.page on real targets: a token in a header another check owns is reported once, by that check.
 * A token in a redirect's Location is a URL (leak.url); a refresh token in a cookie script can read is
 * storage (leak.storage); a token rendered into a page body is leak.page's own.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { audit as runAudit } from '../../scripts/efficacy-targets.js';
import type { Report } from '../../reports/model.js';

const manifest = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));

async function audit(manifestPath: string, only: string[]): Promise<Map<string, Report['results'][number]>> {
  const report = await runAudit(
    { label: manifestPath, manifestPath, only },
    { seed: 1, checkConcurrency: 2, checkTimeoutMs: 60_000 },
  );
  return new Map(report.results.map((r) => [r.id, r]));
}

describe('leak.page on real targets', () => {
  it('leaves an access token in a redirect Location to leak.url, which fails for it', async () => {
    const results = await audit(manifest('./fixtures/token-in-location/target.json'), ['leak.page', 'leak.url']);
    const url = results.get('leak.url');
    expect(url?.judgement?.finding, url?.summary).toBe('fail');
    expect(url?.summary).toMatch(/access_token in .*Location header of #\d+/);
    const page = results.get('leak.page');
    expect(page?.verdict, page?.summary).toBe('pass');
  }, 120_000);

  it('leaves a refresh token in a cookie script can read to leak.storage, which fails for it', async () => {
    const results = await audit(manifest('../../examples/labs/leak-storage/target.json'), [
      'leak.page',
      'leak.storage',
    ]);
    const storage = results.get('leak.storage');
    expect(storage?.judgement?.finding, storage?.summary).toBe('fail');
    // The lab's pages run no script: the HTTP transcript's Set-Cookie headers are judged, without Chromium.
    expect(storage?.summary).toMatch(
      /cookie refresh_token \(not HttpOnly, set by http:\/\/127\.0\.0\.1:\d+\/callback #\d+\)/,
    );
    expect(storage?.observations.map((o) => o.text).join('\n')).toMatch(
      /could run script in a browser \(no script element/,
    );
    const page = results.get('leak.page');
    expect(page?.verdict, page?.summary).toBe('pass');
  }, 120_000);

  it('still fails a refresh token rendered into a page body', async () => {
    const results = await audit(manifest('../../examples/labs/leak-page/target.json'), ['leak.page']);
    const page = results.get('leak.page');
    expect(page?.judgement?.finding, page?.summary).toBe('fail');
    expect(page?.summary).toMatch(/refresh_token in body served at /);
  }, 120_000);
});
