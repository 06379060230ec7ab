import { describe, expect, it } from 'vitest';
import { clientChecks } from './catalog.js';
import { providerChecks } from './provider/catalog.js';
import { REF_KEYS, isRefKey, resolveRef, type RefKey } from './refs.js';

describe('reference keys', () => {
  it('resolves every key the client and provider catalogs use, each from the reference table', () => {
    const keys = new Set([...clientChecks, ...providerChecks].flatMap((c) => c.refs));
    expect(keys.size).toBeGreaterThan(20);
    for (const key of keys) {
      expect(isRefKey(key), key).toBe(true);
      const r = resolveRef(key);
      expect(r.url, key).toMatch(/^https:\/\//);
      expect(r.label.length, key).toBeGreaterThan(3);
    }
  });

  it('resolves every row of the table to an https link whose label names the key', () => {
    expect(REF_KEYS.length).toBeGreaterThan(50);
    for (const key of REF_KEYS) {
      const r = resolveRef(key);
      expect(r.key).toBe(key);
      expect(r.url, key).toMatch(/^https:\/\/[^ ]+$/);
    }
  });

  it('links a numbered step to its section and names the step in the label', () => {
    expect(resolveRef('OIDC-3.1.3.7-6')).toEqual({
      key: 'OIDC-3.1.3.7-6',
      url: 'https://openid.net/specs/openid-connect-core-1_0.html#section-3.1.3.7',
      label: 'OpenID Connect Core §3.1.3.7, step 6',
    });
    expect(resolveRef('OIDC-3.1.3.7').label).toBe('OpenID Connect Core §3.1.3.7');
    expect(resolveRef('RFC6749-4.1.3-3')).toEqual({
      key: 'RFC6749-4.1.3-3',
      url: 'https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3',
      label: 'RFC 6749 §4.1.3, item 3',
    });
  });

  it('cites the numbered step of ID token validation each ID token check tests', () => {
    const refsOf = (id: string): string[] => clientChecks.find((c) => c.id === id)!.refs;
    expect(refsOf('id-token.iss')).toContain('OIDC-3.1.3.7-2');
    expect(refsOf('id-token.aud')).toContain('OIDC-3.1.3.7-3');
    expect(refsOf('id-token.signature')).toContain('OIDC-3.1.3.7-6');
    expect(refsOf('id-token.exp')).toContain('OIDC-3.1.3.7-9');
    expect(refsOf('id-token.nonce')).toContain('OIDC-3.1.3.7-11');
    for (const c of clientChecks) expect(c.refs, c.id).not.toContain('OIDC-3.1.3.7');
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

  it('throws for a key that is not in the table, whatever its prefix', () => {
    expect(() => resolveRef('NIST-800' as RefKey)).toThrow(/unknown reference key "NIST-800"/);
    expect(() => resolveRef('RFC6749-99.9' as RefKey)).toThrow(/unknown reference key "RFC6749-99.9"/);
    expect(() => resolveRef('OIDC-3.1.3.7-14' as RefKey)).toThrow(/unknown reference key/);
    expect(() => resolveRef('toString' as RefKey)).toThrow(/unknown reference key/);
    expect(isRefKey('RFC6749-99.9')).toBe(false);
  });

  it('uses the reference keys CHECKS.md lists for each required check', () => {
    // Spot checks of the CHECKS.md refs column: the catalog may refine (cite a step of the section),
    // never drop them.
    const cites = (id: string, key: string): boolean =>
      clientChecks.find((c) => c.id === id)!.refs.some((r) => r === key || r.startsWith(`${key}-`));
    expect(cites('state.mismatch', 'RFC6749-10.12')).toBe(true);
    expect(cites('state.mismatch', 'RFC9700-4.7')).toBe(true);
    expect(cites('id-token.alg-none', 'OIDC-3.1.3.7')).toBe(true);
    expect(cites('id-token.alg-none', 'RFC8725-3.1')).toBe(true);
    expect(cites('callback.error-xss', 'CWE-79')).toBe(true);
    expect(cites('callback.error-xss', 'CWE-7')).toBe(false);
  });
});
