/**
 * The efficacy matrix, proven both ways: every client check has a vulnerable lab that fails it, and the
 * reference clients fail nothing. A check without a lab, a lab whose check does not fail, or a failure
 * on a reference client fails this test with a message naming them.
 *
 * Audits run in this process through `runClientAudit`, a few at a time (EFFICACY_AUDITS, default 3),
 * each lab with only the checks it declares. `npm run matrix` runs the whole catalog against every
 * target and writes docs/efficacy-matrix.md.
 */
import { describe, expect, it } from 'vitest';
import type { Report } from '../reports/model.js';
import {
  audit,
  checksWithoutLab,
  cleanViolations,
  discoverLabs,
  EFFICACY_SEED,
  envInt,
  httpAgentCheckIds,
  labViolations,
  limiter,
  readRecordedVerdicts,
  REFERENCE_TARGETS,
  verdictsByPolicy,
} from '../scripts/efficacy-targets.js';

const { labs, problems } = await discoverLabs();
const run = limiter(envInt('EFFICACY_AUDITS', 3));
/**
 * Timeouts are safety nets, not the speed claim (that is `npm run bench -- catalog`): on a busy two-core
 * machine a test may wait for a slot before its audit starts, and a check that times out ends in
 * `error`, which would read as a finding on a reference client.
 */
const LAB_TIMEOUT_MS = 300_000;
const REFERENCE_TIMEOUT_MS = 600_000;
const settings = { checkTimeoutMs: envInt('EFFICACY_CHECK_TIMEOUT_MS', 60_000) };
/** Chromium audits take longest: start them first so the labs fill the other slots meanwhile. */
const referencesLongestFirst = [...REFERENCE_TARGETS].sort(
  (a, b) => Number(b.kind === 'spa') - Number(a.kind === 'spa'),
);

describe('the efficacy matrix', () => {
  it('finds every lab folder in examples/labs/labs.json, declaring catalog checks that apply to its kind', () => {
    expect(problems, `lab declarations with problems:\n${problems.join('\n')}`).toEqual([]);
    expect(labs.length).toBeGreaterThan(0);
  });

  it('has at least one lab for every client check in the catalog', () => {
    const missing = checksWithoutLab(labs);
    expect(missing, `client checks without a lab declaring them: ${missing.join(', ')}`).toEqual([]);
  });

  // References first: they are the longest audits, so they start while the labs queue behind them.
  describe.concurrent('reference clients', () => {
    for (const ref of referencesLongestFirst) {
      const expectation = ref.expectation;
      if (expectation.mode === 'clean') {
        const scope = ref.httpAgentOnlyInTest ? 'the HTTP agent checks' : 'the catalog';
        it(
          `${ref.name} fails none of ${scope}`,
          async () => {
            const report: Report = await run(() =>
              audit(
                {
                  label: ref.name,
                  manifestPath: ref.manifestPath,
                  ...(ref.httpAgentOnlyInTest ? { only: httpAgentCheckIds() } : {}),
                },
                settings,
              ),
            );
            expect(report.results.length).toBeGreaterThan(0);
            const bad = cleanViolations(report, expectation.allowedWarns);
            expect(bad, `${ref.name} (seed ${EFFICACY_SEED}):\n${bad.join('\n')}`).toEqual([]);
          },
          REFERENCE_TIMEOUT_MS,
        );
      } else {
        it(
          `${ref.name} gives the verdicts recorded in its expectation file`,
          async () => {
            const expected = await readRecordedVerdicts(expectation.file);
            const report: Report = await run(() =>
              audit({ label: ref.name, manifestPath: ref.manifestPath }, { ...settings, seed: expected.seed }),
            );
            expect(report.status).toBe('complete');
            // A changed verdict shows as a diff of this map; update the file with `npm run matrix -- --update-expected`.
            expect(verdictsByPolicy(report)).toEqual(expected.policies);
          },
          REFERENCE_TIMEOUT_MS,
        );
      }
    }
  });

  describe.concurrent('vulnerable labs', () => {
    for (const lab of labs) {
      it(
        `lab ${lab.folder} fails ${lab.checks.join(', ')}`,
        async () => {
          const report: Report = await run(() =>
            audit({ label: lab.folder, manifestPath: lab.manifestPath, only: lab.checks }, settings),
          );
          const bad = labViolations(lab, report);
          expect(bad, `examples/labs/${lab.folder} (seed ${EFFICACY_SEED}):\n${bad.join('\n')}`).toEqual([]);
        },
        LAB_TIMEOUT_MS,
      );
    }
  });
});
