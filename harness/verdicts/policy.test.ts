import { describe, expect, it } from 'vitest';
import type { Reference, Verdict } from '../../reports/model.js';
import type { Requirement, TargetFact } from '../check.js';
import { judge, type ControlResult } from './policy.js';

const resolve = (key: string): Reference => ({ key, url: `https://example.test/${key}`, label: `label ${key}` });

const signature: Requirement = {
  text: 'The Client MUST validate the signature of all other ID Tokens.',
  level: 'MUST',
  ref: 'OIDC-3.1.3.7-6',
  allowances: [
    {
      name: 'The ID token came directly from the token endpoint',
      text: 'the TLS server validation MAY be used to validate the issuer in place of checking the token signature',
      ref: 'OIDC-3.1.3.7-6',
      controls: ['flow.code-only'],
    },
  ],
};

const mixup: Requirement = {
  text: 'Clients interacting with more than one authorization server MUST prevent mix-up attacks.',
  level: 'MUST',
  ref: 'RFC9700-4.4',
  allowances: [{ name: 'The client uses one provider', text: '...', ref: 'RFC9700-4.4', facts: ['single-provider'] }],
  fapi2: { text: 'Clients shall support RFC 9207.', level: 'MUST', ref: 'RFC9207-2.4' },
};

function input(
  requirement: Requirement,
  finding: Verdict,
  controls: Record<string, ControlResult> = {},
  facts: TargetFact[] = [],
) {
  return { requirement, finding, facts: new Set(facts), control: (id: string) => controls[id], resolve };
}

describe('policies', () => {
  it('fails a violated MUST under rfc9700 when no allowance held', () => {
    const d = judge('rfc9700', input(signature, 'fail', { 'flow.code-only': { verdict: 'fail' } }));
    expect(d.verdict).toBe('fail');
    expect(d.judgement.allowances[0].held).toBe('no');
    expect(d.judgement.verdicts).toEqual({ rfc9700: 'fail', strict: 'fail', fapi2: 'fail' });
  });

  it('warns on a violated MUST whose allowance held through a passing control, and strict still fails', () => {
    const d = judge('rfc9700', input(signature, 'fail', { 'flow.code-only': { verdict: 'pass' } }));
    expect(d.verdict).toBe('warn');
    expect(d.judgement.reason).toContain('the ID token came directly from the token endpoint');
    expect(d.judgement.allowances[0]).toMatchObject({
      held: 'yes',
      controls: [{ id: 'flow.code-only', verdict: 'pass' }],
    });
    expect(d.judgement.verdicts.strict).toBe('fail');
  });

  it('says it could not judge when a control errored or did not run, rather than guessing', () => {
    const errored = judge(
      'rfc9700',
      input(signature, 'fail', { 'flow.code-only': { verdict: 'error', errorKind: 'target' } }),
    );
    expect(errored.verdict).toBe('error');
    expect(errored.errorKind).toBe('target');
    expect(errored.judgement.reason).toContain('flow.code-only ended in error');
    const notRun = judge('rfc9700', input(signature, 'fail'));
    expect(notRun.verdict).toBe('error');
    expect(notRun.judgement.reason).toContain('flow.code-only did not run');
    // strict needs no control: it fails whatever the text allows.
    expect(notRun.judgement.verdicts.strict).toBe('fail');
  });

  it('warns on a violated SHOULD under rfc9700 and fails it under strict', () => {
    const should: Requirement = { text: 'x SHOULD y', level: 'SHOULD', ref: 'RFC7636-7.1' };
    const d = judge('rfc9700', input(should, 'fail'));
    expect(d.verdict).toBe('warn');
    expect(d.judgement.requirement).toEqual({ text: 'x SHOULD y', level: 'SHOULD', reference: resolve('RFC7636-7.1') });
    expect(judge('strict', input(should, 'fail')).verdict).toBe('fail');
  });

  it('judges facts of the target: one provider allows a missing mix-up defence, fapi2 does not', () => {
    const single = input(mixup, 'fail', {}, ['single-provider']);
    expect(judge('rfc9700', single).verdict).toBe('warn');
    const fapi = judge('fapi2', single);
    expect(fapi.verdict).toBe('fail');
    expect(fapi.judgement.requirement.reference.key).toBe('RFC9207-2.4');
    expect(judge('rfc9700', input(mixup, 'fail', {}, ['several-providers'])).verdict).toBe('fail');
  });

  it('reports findings other than fail as found under every policy', () => {
    for (const finding of ['pass', 'warn', 'not-applicable', 'error'] as const) {
      const d = judge('strict', input(signature, finding));
      expect(d.verdict).toBe(finding);
      expect(d.judgement.verdicts).toEqual({ rfc9700: finding, strict: finding, fapi2: finding });
    }
  });

  it('counts a control that broke only a recommendation as held, and one that broke a MUST or did not apply as not', () => {
    const held = judge(
      'rfc9700',
      input(signature, 'fail', { 'flow.code-only': { verdict: 'fail', level: 'RECOMMENDED' } }),
    );
    expect(held.verdict).toBe('warn');
    const mustBroken = judge(
      'rfc9700',
      input(signature, 'fail', { 'flow.code-only': { verdict: 'fail', level: 'MUST' } }),
    );
    expect(mustBroken.verdict).toBe('fail');
    const notApplicable = judge(
      'rfc9700',
      input(signature, 'fail', { 'flow.code-only': { verdict: 'not-applicable' } }),
    );
    expect(notApplicable.verdict).toBe('fail');
  });

  it("makes a finding not applicable when the requirement's precondition failed, under every policy", () => {
    const capable: Requirement = {
      text: 'If the client is capable of using "S256", it MUST use "S256".',
      level: 'MUST',
      ref: 'RFC7636-4.2',
      precondition: { text: 'The client is capable of using S256', controls: ['pkce.s256'] },
    };
    const never = judge('rfc9700', input(capable, 'fail', { 'pkce.s256': { verdict: 'not-applicable' } }));
    expect(never.verdict).toBe('not-applicable');
    expect(never.judgement.verdicts).toEqual({
      rfc9700: 'not-applicable',
      strict: 'not-applicable',
      fapi2: 'not-applicable',
    });
    expect(judge('rfc9700', input(capable, 'fail', { 'pkce.s256': { verdict: 'pass' } })).verdict).toBe('fail');
    expect(judge('rfc9700', input(capable, 'fail')).verdict).toBe('error');
  });
});
