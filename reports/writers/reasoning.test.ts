import { describe, expect, it } from 'vitest';
import { makeJudgement, makeResult } from '../testing/fixtures.js';
import { allowanceLine, hasReasoning, reasoningLines } from './reasoning.js';

describe('the reasoning of a verdict', () => {
  it('is shown for every judged result but a pass', () => {
    expect(hasReasoning(makeResult({ verdict: 'warn', judgement: makeJudgement() }))).toBe(true);
    expect(hasReasoning(makeResult({ verdict: 'error', judgement: makeJudgement() }))).toBe(true);
    expect(hasReasoning(makeResult({ verdict: 'pass', judgement: makeJudgement() }))).toBe(false);
    expect(hasReasoning(makeResult({ verdict: 'fail' }))).toBe(false);
  });

  it('says which condition could not be established and which control did not run or errored', () => {
    const [held] = makeJudgement().allowances;
    const line = allowanceLine({
      ...held,
      facts: [{ fact: 'several-providers', holds: false }],
      controls: [
        { id: 'pkce.s256', verdict: 'error' },
        { id: 'nonce.present', verdict: 'not-run' },
      ],
      held: 'unknown',
    });
    expect(line).toBe(
      'Condition "PKCE binds the login to the browser" (RFC 9700 §4.7.1): could not be established; ' +
        'facts: several-providers does not hold; compensating controls: pkce.s256 error, nonce.present not-run',
    );
  });

  it('lists policy, requirement with its link, conditions, reason and the other policies in that order', () => {
    const lines = reasoningLines({
      ...makeResult({ verdict: 'fail' }),
      judgement: makeJudgement({ policy: 'strict', verdicts: { rfc9700: 'warn', strict: 'fail', fapi2: 'warn' } }),
    });
    expect(lines[0]).toBe('Policy strict: fail (the check found: fail)');
    expect(lines[1]).toMatch(
      /^Requirement \(MUST, RFC 9700 §4\.7\.1 <https:\/\/www\.rfc-editor\.org\/rfc\/rfc9700#section-4\.7\.1>\): /,
    );
    expect(lines[2]).toMatch(/^Condition "PKCE binds the login to the browser" .*\. The text: "Clients that/);
    expect(lines.at(-1)).toBe('Under the other policies: rfc9700: warn, fapi2: warn');
  });
});
