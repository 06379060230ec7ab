import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  audit,
  cleanViolations,
  EFFICACY_SEED,
  httpAgentCheckIds,
  REFERENCE_TARGETS,
} from '../../../scripts/efficacy-targets.js';

const UNCHANGED = path.join(path.dirname(fileURLToPath(import.meta.url)), 'unchanged', 'target.json');

describe('the lab base', () => {
  it('with no step replaced passes every HTTP-agent check, as the reference client does', async () => {
    const reference = REFERENCE_TARGETS.find((r) => r.name === 'reference-web');
    if (reference?.expectation.mode !== 'clean') throw new Error('reference-web has no clean expectation');
    const report = await audit(
      { label: 'lab-base-unchanged', manifestPath: UNCHANGED, only: httpAgentCheckIds() },
      { seed: EFFICACY_SEED },
    );
    expect(report.results.length).toBe(httpAgentCheckIds('web').length);
    // The same verdicts reference-web must give: pass, with its one accepted warn.
    const bad = cleanViolations(report, reference.expectation.allowedWarns);
    expect(bad, bad.join('\n')).toEqual([]);
  }, 120_000);
});
