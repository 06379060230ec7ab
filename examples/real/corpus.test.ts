/**
 * The corpus of real integrations, audited: every entry under examples/real/ is audited once through
 * the harness API (seed of its expectation file; web entries on the HTTP agent, which runs every check
 * that does not need Chromium), and its report must give exactly the verdicts its `expected.json`
 * records, under every policy the report carries. A difference in either direction fails, naming the
 * policy, the check, the expected verdict with its justification, and what the harness said.
 *
 * Entries run concurrently, CORPUS_AUDITS at a time (default 4).
 */
import { describe, expect, it } from 'vitest';
import { audit, envInt, httpAgentCheckIds, limiter } from '../../scripts/efficacy-targets.js';
import { compareWithExpected, discoverCorpus } from './corpus.js';

const { entries, problems } = await discoverCorpus();
const run = limiter(envInt('CORPUS_AUDITS', 4));
/** A safety net for a loaded machine, not the speed claim: a whole entry takes seconds. */
const AUDIT_TIMEOUT_MS = 240_000;
const settings = { checkTimeoutMs: envInt('CORPUS_CHECK_TIMEOUT_MS', 60_000) };

describe('the corpus of real integrations', () => {
  it('has at least seven entries, each with a manifest and a valid expectation file', () => {
    expect(problems, problems.join('\n')).toEqual([]);
    expect(entries.length).toBeGreaterThanOrEqual(7);
  });

  describe.concurrent('audits', () => {
    for (const entry of entries) {
      it(
        `${entry.folder} gives the verdicts its expectation file records`,
        async () => {
          const report = await run(() =>
            audit(
              {
                label: entry.folder,
                manifestPath: entry.manifestPath,
                ...(entry.kind === 'web' ? { only: httpAgentCheckIds() } : {}),
              },
              { ...settings, seed: entry.expected.seed },
            ),
          );
          expect(report.results.length).toBeGreaterThan(0);
          const diff = compareWithExpected(report, entry.expected);
          expect(diff, `examples/real/${entry.folder} (seed ${entry.expected.seed}):\n${diff.join('\n')}`).toEqual([]);
        },
        AUDIT_TIMEOUT_MS,
      );
    }
  });
});
