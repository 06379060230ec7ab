/**
 * leak.referer on real web clients through the harness and the mock provider: a Referer carrying the
 * code to the client's own origin is information, one to another origin is a finding.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { audit, EFFICACY_SEED, LABS_DIR } from '../../scripts/efficacy-targets.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

async function leakRefererOf(manifestPath: string) {
  const report = await audit(
    { label: path.basename(path.dirname(manifestPath)), manifestPath, only: ['leak.referer'] },
    { seed: EFFICACY_SEED },
  );
  const result = report.results.find((r) => r.id === 'leak.referer');
  if (!result) throw new Error('leak.referer did not run');
  return result;
}

describe('leak.referer on real web clients', () => {
  it('passes a callback page that sends the code only to its own origin, noting it as information', async () => {
    const r = await leakRefererOf(path.join(HERE, 'fixtures', 'referer-same-origin', 'target.json'));
    expect(r.verdict, r.summary).toBe('pass');
    const info = r.observations.map((o) => o.text).filter((t) => t.startsWith('Info:'));
    expect(info.join('\n')).toMatch(/client's own origin carried code/);
  }, 120_000);

  it('fails the lab whose callback page loads a third-party script under a permissive referrer policy', async () => {
    const r = await leakRefererOf(path.join(LABS_DIR, 'leak-referer', 'target.json'));
    expect(r.judgement?.finding, r.summary).toBe('fail');
    expect(r.summary).toMatch(
      /another origin.*code in Referer a browser sends to https:\/\/analytics\.example\/tag\.js/,
    );
  }, 120_000);
});
