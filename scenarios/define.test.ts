import { describe, expect, it } from 'vitest';
import type { ResolvedTarget } from '../harness/types.js';
import type { ClientCheckContext } from './types.js';
import { ALL_KINDS, defineClientCheck, defineProviderCheck } from './define.js';
import { pass, stopNotApplicable } from './lib/outcome.js';

const META = {
  title: 'A declared check',
  severity: 'low' as const,
  refs: ['RFC6749-10.12' as const],
  must: 'holds',
  rationale: 'because',
  remediation: 'fix it',
  requirement: {
    text: 'The client MUST implement CSRF protection for its redirection URI.',
    level: 'MUST' as const,
    ref: 'RFC6749-10.12' as const,
  },
};

/** The part of a check context the declaration wrapper reads. */
function contextFor(kind: ResolvedTarget['kind'], observed: string[]): ClientCheckContext {
  return {
    target: { kind } as ResolvedTarget,
    observe: (text: string) => observed.push(text),
  } as unknown as ClientCheckContext;
}

describe('defineClientCheck', () => {
  it('fills in target, every kind, the default agent and no faults when the declaration leaves them out', () => {
    const check = defineClientCheck({ id: 'x.defaults', ...META, run: async () => pass('ok') });
    expect(check.target).toBe('client');
    expect(check.kinds).toEqual([...ALL_KINDS]);
    expect(check.agent).toBe('default');
    expect(check.faults).toEqual([]);
  });

  it('keeps what the declaration states and lists each declared fault name once', () => {
    const check = defineClientCheck({
      id: 'x.explicit',
      ...META,
      kinds: ['web'],
      agent: 'browser',
      faults: ['id-token.alg-none', 'id-token.alg-none', 'id-token.expired'],
      run: async () => pass('ok'),
    });
    expect(check.kinds).toEqual(['web']);
    expect(check.agent).toBe('browser');
    expect(check.faults).toEqual(['id-token.alg-none', 'id-token.expired']);
  });

  it('ends a check on a target kind it does not cover as not-applicable without running it', async () => {
    let ran = false;
    const check = defineClientCheck({
      id: 'x.web-only',
      ...META,
      kinds: ['web'],
      run: async () => {
        ran = true;
        return pass('ran');
      },
    });
    const outcome = await check.run(contextFor('driver', []));
    expect(outcome.verdict).toBe('not-applicable');
    expect(ran).toBe(false);
  });

  it('names why a kind it leaves out cannot be tested when the declaration says so', async () => {
    const check = defineClientCheck({
      id: 'x.web-spa',
      ...META,
      kinds: ['web', 'spa'],
      otherKinds: { driver: 'the driver protocol has no user agent to redirect' },
      run: async () => pass('ran'),
    });
    expect(await check.run(contextFor('driver', []))).toEqual({
      verdict: 'not-applicable',
      summary: 'This check applies to web, spa targets, not driver: the driver protocol has no user agent to redirect',
    });
    expect(check).not.toHaveProperty('otherKinds');
  });

  it('turns a stop deep inside the run into the outcome it carries, with an observation', async () => {
    const observed: string[] = [];
    const check = defineClientCheck({
      id: 'x.stops',
      ...META,
      run: async () => stopNotApplicable('nothing to observe'),
    });
    const outcome = await check.run(contextFor('web', observed));
    expect(outcome).toEqual({ verdict: 'not-applicable', summary: 'nothing to observe' });
    expect(observed).toEqual(['Stopped: nothing to observe']);
  });
});

describe('defineProviderCheck', () => {
  it('fills in the provider target and no needs when the declaration leaves them out', () => {
    const check = defineProviderCheck({ id: 'provider.x', ...META, run: async () => pass('ok') });
    expect(check.target).toBe('provider');
    expect(check.needs).toEqual([]);
    const needy = defineProviderCheck({ id: 'provider.y', ...META, needs: ['pkce'], run: async () => pass('ok') });
    expect(needy.needs).toEqual(['pkce']);
  });
});
