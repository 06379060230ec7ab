/**
 * state.entropy on real targets through the harness and the mock provider: a correct client whose state
 * is a random UUIDv4 passes, and the state-entropy lab (a state built from the clock) still fails.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { audit, EFFICACY_SEED, LABS_DIR } from '../../scripts/efficacy-targets.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

async function stateEntropyOf(manifestPath: string) {
  const report = await audit(
    { label: path.basename(path.dirname(manifestPath)), manifestPath, only: ['state.entropy'] },
    { seed: EFFICACY_SEED },
  );
  const result = report.results.find((r) => r.id === 'state.entropy');
  if (!result) throw new Error('state.entropy did not run');
  return result;
}

describe('state.entropy on real web clients', () => {
  it('passes a client whose state is a random UUIDv4 (122 random bits are not guessable)', async () => {
    const r = await stateEntropyOf(path.join(HERE, 'fixtures', 'state-uuid', 'target.json'));
    expect(r.verdict, r.summary).toBe('pass');
    // The estimate itself stays honest about a UUID's size: below 128, far above the floor.
    expect(r.observations.map((o) => o.text).join('\n')).toMatch(/about 1[12]\d bits estimated/);
    expect(r.summary).toContain('at least 64 bits by estimate');
  }, 120_000);

  it('fails the lab whose state is derived from the clock', async () => {
    const r = await stateEntropyOf(path.join(LABS_DIR, 'state-entropy', 'target.json'));
    expect(r.judgement?.finding, r.summary).toBe('fail');
    expect(r.summary).toMatch(/guessable/);
  }, 120_000);
});
