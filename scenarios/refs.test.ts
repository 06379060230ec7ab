import { describe, expect, it } from 'vitest';
import { clientChecks } from './catalog.js';
import { resolveRef, type RefKey } from './refs.js';

describe('reference keys', () => {
  it('resolves every key the client catalog uses to an https link with a label', () => {
    const keys = new Set(clientChecks.flatMap((c) => c.refs));
    expect(keys.size).toBeGreaterThan(20);
    for (const key of keys) {
      const r = resolveRef(key);
      expect(r.url, key).toMatch(/^https:\/\//);
      expect(r.label.length, key).toBeGreaterThan(3);
    }
  });

  it('links RFC keys to the section anchor of the RFC', () => {
    expect(resolveRef('RFC7636-4.2').url).toBe('https://www.rfc-editor.org/rfc/rfc7636#section-4.2');
    expect(resolveRef('RFC7636-4.2').label).toBe('RFC 7636 §4.2');
  });

  it('prefers OIDC-DISCOVERY over OIDC for discovery sections', () => {
    expect(resolveRef('OIDC-DISCOVERY-4.3').url).toContain('openid-connect-discovery-1_0');
    expect(resolveRef('OIDC-3.1.3.7').url).toContain('openid-connect-core-1_0.html#section-3.1.3.7');
  });

  it('links CWE keys to the CWE definition page', () => {
    expect(resolveRef('CWE-79').url).toBe('https://cwe.mitre.org/data/definitions/79.html');
  });

  it('resolves the named OWASP cheat sheets', () => {
    expect(resolveRef('OWASP-OAUTH2').url).toContain('OAuth2_Cheat_Sheet');
    expect(resolveRef('OWASP-SESSION').url).toContain('Session_Management');
  });

  it('throws for a key with an unknown prefix', () => {
    expect(() => resolveRef('NIST-800' as RefKey)).toThrow(/unknown reference key/);
  });

  it('uses the reference keys CHECKS.md lists for each required check', () => {
    // Spot checks of the CHECKS.md refs column: the catalog may refine, never drop them.
    const refsOf = (id: string): string[] => clientChecks.find((c) => c.id === id)!.refs;
    expect(refsOf('state.mismatch')).toEqual(expect.arrayContaining(['RFC6749-10.12', 'RFC9700-4.7']));
    expect(refsOf('id-token.alg-none')).toEqual(expect.arrayContaining(['OIDC-3.1.3.7', 'RFC8725-3.1']));
    expect(refsOf('callback.error-xss')).toEqual(expect.arrayContaining(['CWE-79']));
  });
});
