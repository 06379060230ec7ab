import { describe, expect, it } from 'vitest';
import type { CheckResult, Verdict } from '../../reports/model.js';
import type { Requirement } from '../check.js';
import { attachRequirement, controlsOf, createJudge, judgingOf } from './judge.js';

const csrf: Requirement = {
  text: 'state MUST be non-guessable',
  level: 'MUST',
  ref: 'RFC6749-10.12',
  allowances: [{ name: 'PKCE binds the login', text: '...', ref: 'RFC9700-4.7.1', controls: ['pkce.present'] }],
};

function result(id: string, verdict: Verdict, requirement?: Requirement): CheckResult {
  const r: CheckResult = {
    id,
    title: id,
    severity: 'high',
    verdict,
    summary: `${id} observed`,
    references: [],
    must: '',
    rationale: '',
    remediation: '',
    observations: [],
    transcript: [],
    startedAt: new Date(0).toISOString(),
    durationMs: 0,
  };
  attachRequirement(r, requirement);
  return r;
}

describe('the run judge', () => {
  it('holds back a failing finding until its control has finished, then judges it', () => {
    const judge = createJudge(judgingOf({}), ['state.entropy', 'pkce.present']);
    expect(judge.accept(result('state.entropy', 'fail', csrf))).toEqual([]);
    const out = judge.accept(result('pkce.present', 'pass'));
    expect(out.map((r) => [r.id, r.verdict])).toEqual([
      ['pkce.present', 'pass'],
      ['state.entropy', 'warn'],
    ]);
    expect(out[1].judgement?.finding).toBe('fail');
  });

  it('announces a passing finding at once, without waiting for controls', () => {
    const judge = createJudge(judgingOf({}), ['state.entropy', 'pkce.present']);
    expect(judge.accept(result('state.entropy', 'pass', csrf)).map((r) => r.verdict)).toEqual(['pass']);
  });

  it('judges at the end what waited on a control that never finished, as undecided', () => {
    const judge = createJudge(judgingOf({}), ['state.entropy', 'pkce.present']);
    const entropy = result('state.entropy', 'fail', csrf);
    judge.accept(entropy);
    const [final] = judge.finish([entropy]);
    expect(final.verdict).toBe('error');
    expect(final.errorKind).toBe('harness');
    expect(final.summary).toContain('pkce.present did not run');
  });

  it('applies the strict policy to every finding', () => {
    const judge = createJudge(judgingOf({}, 'strict'), ['state.entropy', 'pkce.present']);
    judge.accept(result('pkce.present', 'pass'));
    const [entropy] = judge.accept(result('state.entropy', 'fail', csrf));
    expect(entropy.verdict).toBe('fail');
    expect(entropy.judgement?.verdicts.rfc9700).toBe('warn');
  });
});

describe('the checks a verdict depends on', () => {
  it('are the controls of its allowances and of its precondition, under every policy', () => {
    const requirement: Requirement = {
      ...csrf,
      precondition: { text: 'the client uses S256', controls: ['pkce.s256'] },
      fapi2: {
        text: 'shall',
        level: 'MUST',
        ref: 'RFC9207-2.4',
        allowances: [{ name: 'x', text: 'y', ref: 'RFC9207-2.4', controls: ['flow.code-only'] }],
      },
    };
    expect(controlsOf(requirement).sort()).toEqual(['flow.code-only', 'pkce.present', 'pkce.s256']);
  });
});
