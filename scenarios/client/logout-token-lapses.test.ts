/**
 * logout.backchannel-validation sends every invalid logout token it declares, not only the first: a
 * client that refuses all but one is caught by that one, and the finding names it. The tokens go to
 * one signed-in session in turn, so a client that ends a session only after several invalid tokens is
 * caught as well.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { audit, EFFICACY_SEED } from '../../scripts/efficacy-targets.js';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'logout-token-lapses');

async function validationOf(lapse: string) {
  const report = await audit(
    {
      label: `logout-token-${lapse}`,
      manifestPath: path.join(FIXTURE, `target-${lapse}.json`),
      only: ['logout.backchannel-validation'],
    },
    { seed: EFFICACY_SEED },
  );
  const result = report.results.find((r) => r.id === 'logout.backchannel-validation');
  if (!result) throw new Error('logout.backchannel-validation did not run');
  return result;
}

describe('logout.backchannel-validation against clients with one validation lapse', () => {
  it('fails a client that accepts an events claim without the back-channel logout event', async () => {
    const r = await validationOf('events-member');
    expect(r.judgement?.finding, r.summary).toBe('fail');
    expect(r.summary).toBe('The client ended the session on a logout token whose events claim names another event.');
  }, 120_000);

  it("fails a client that accepts HS256 logout tokens keyed with the provider's public key", async () => {
    const r = await validationOf('hs256-public-key');
    expect(r.judgement?.finding, r.summary).toBe('fail');
    expect(r.summary).toMatch(/^The client ended the session on a logout token signed with an unexpected algorithm/);
  }, 120_000);

  it('fails a client that refuses each invalid token but ends the session at the third one naming it', async () => {
    const r = await validationOf('ends-after-three');
    expect(r.judgement?.finding, r.summary).toBe('fail');
    // The third invalid token of the catalog's order: alg none, bad signature, then HS256.
    expect(r.summary).toMatch(/^The client ended the session on a logout token signed with an unexpected algorithm/);
    expect(r.observations.map((o) => o.text)).toContain('After an unsigned logout token (alg none): still signed in.');
  }, 120_000);
});
