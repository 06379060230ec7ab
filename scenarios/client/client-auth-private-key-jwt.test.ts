import { describe, expect, it } from 'vitest';
import { assertionFindings, MAX_LIFETIME_S } from './client-auth-private-key-jwt.js';

const provider = { issuer: 'http://127.0.0.1:4000', tokenEndpoint: 'http://127.0.0.1:4000/oauth2/token' };
const AT = Date.parse('2026-03-01T10:00:00Z');
const NOW = AT / 1000;
const good = {
  header: { alg: 'ES256', kid: 'k' },
  claims: { iss: 'c', sub: 'c', aud: provider.issuer, exp: NOW + 60, jti: 'j1' },
};

describe('client-auth.private-key-jwt: what is wrong with one assertion', () => {
  it('finds nothing wrong with an assertion for the issuer or the token endpoint, one minute long, with a jti', () => {
    expect(assertionFindings(good, AT, provider)).toEqual([]);
    const toToken = { ...good, claims: { ...good.claims, aud: [provider.tokenEndpoint] } };
    expect(assertionFindings(toToken, AT, provider)).toEqual([]);
  });

  it('finds an audience that names another URL a MUST violation of RFC 7523 3', () => {
    const other = { ...good, claims: { ...good.claims, aud: 'http://127.0.0.1:4000/oauth2/authorize' } };
    const [finding] = assertionFindings(other, AT, provider);
    expect(finding.text).toContain('aud');
    expect(finding.requirement).toMatchObject({ level: 'MUST', ref: 'RFC7523-3-3' });
  });

  it('finds a missing exp a MUST violation, and a long life only a recommendation', () => {
    const { exp: _exp, ...noExp } = good.claims;
    expect(assertionFindings({ ...good, claims: noExp }, AT, provider)[0].requirement.level).toBe('MUST');
    const long = { ...good, claims: { ...good.claims, exp: NOW + MAX_LIFETIME_S + 1 } };
    expect(assertionFindings(long, AT, provider)[0].requirement.level).toBe('RECOMMENDED');
  });

  it('finds an HMAC or unsigned assertion and a missing jti', () => {
    const hmac = { ...good, header: { alg: 'HS256' } };
    expect(assertionFindings(hmac, AT, provider)[0].requirement.ref).toBe('OIDC-9');
    const none = { ...good, header: { alg: 'none' } };
    expect(assertionFindings(none, AT, provider)[0].text).toContain('not signed asymmetrically');
    const { jti: _jti, ...noJti } = good.claims;
    expect(assertionFindings({ ...good, claims: noJti }, AT, provider)[0].text).toContain('jti');
  });

  it('finds a signature the provider could not verify with the registered keys', () => {
    const bad = { ...good, error: 'the signature does not verify with the registered keys' };
    expect(assertionFindings(bad, AT, provider)[0].text).toContain('signature');
  });

  it('finds an assertion that is not a JWT', () => {
    expect(assertionFindings({}, AT, provider)[0].text).toContain('not a JWT');
  });
});
