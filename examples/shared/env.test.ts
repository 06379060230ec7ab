import { describe, expect, it } from 'vitest';
import { readEnv } from './env.js';

const GOOD = {
  OAUTH_ISSUER: 'http://127.0.0.1:4000',
  OAUTH_CLIENT_ID: 'reference-web',
  OAUTH_CLIENT_SECRET: 'secret',
  OAUTH_REDIRECT_URI: 'http://127.0.0.1:4100/callback',
  OAUTH_SCOPES: 'openid  profile',
  LEXOFFICE_API_BASE_URL: 'http://127.0.0.1:4000',
  PORT: '4100',
};

describe('readEnv', () => {
  it('reads a manifest environment, with the port as a number and the host defaulted to loopback', () => {
    expect(readEnv(GOOD, { secretRequired: true })).toEqual({
      issuer: 'http://127.0.0.1:4000',
      clientId: 'reference-web',
      clientSecret: 'secret',
      redirectUri: 'http://127.0.0.1:4100/callback',
      scopes: ['openid', 'profile'],
      apiBaseUrl: 'http://127.0.0.1:4000',
      port: 4100,
      host: '127.0.0.1',
    });
  });

  it("names every bad variable with Zod's English message", () => {
    const bad = { ...GOOD, OAUTH_ISSUER: 'not a url', OAUTH_CLIENT_ID: '', PORT: '70000' };
    expect(() => readEnv(bad)).toThrow(
      'invalid environment: OAUTH_ISSUER: Invalid URL; ' +
        'OAUTH_CLIENT_ID: Too small: expected string to have >=1 characters; ' +
        'PORT: Too big: expected number to be <=65535',
    );
  });

  it('refuses a port that is not a whole number, and a missing secret where one is required', () => {
    expect(() => readEnv({ ...GOOD, PORT: '80.5' })).toThrow('PORT: Invalid input: expected int, received number');
    const { OAUTH_CLIENT_SECRET: _secret, ...noSecret } = GOOD;
    expect(() => readEnv(noSecret, { secretRequired: true })).toThrow('OAUTH_CLIENT_SECRET: required');
    expect(readEnv(noSecret).clientSecret).toBeUndefined();
  });
});
