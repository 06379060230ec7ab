/**
 * logout.backchannel-validation sends every invalid logout token it declares, not only the first: a
 * client that refuses all but one is caught by that one, and the finding names it.
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
});
