import { describe, expect, it } from 'vitest';
import { validateManifest } from '../manifest/index.js';
import { targetFacts } from './facts.js';

const manifest = (extra: Record<string, unknown>) =>
  validateManifest(
    {
      name: 'facts',
      kind: 'web',
      client: { secret: 's', redirectUri: 'http://127.0.0.1:{{target.port}}/cb', scopes: ['openid'] },
      login: { url: 'http://127.0.0.1:{{target.port}}/login' },
      signedIn: { url: 'http://127.0.0.1:{{target.port}}/me' },
      ...extra,
    },
    '/',
  );

describe('target facts from a manifest', () => {
  it('makes a manifest with "providers": 2 a client of several providers', () => {
    const facts = targetFacts(manifest({ providers: 2 }));
    expect(facts.has('several-providers')).toBe(true);
    expect(facts.has('single-provider')).toBe(false);
  });

  it('makes a manifest without providers, or with "providers": 1, a client of a single provider', () => {
    for (const extra of [{}, { providers: 1 }]) {
      const facts = targetFacts(manifest(extra));
      expect(facts.has('single-provider')).toBe(true);
      expect(facts.has('several-providers')).toBe(false);
    }
  });
});
