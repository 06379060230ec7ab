/**
 * A certified relying party (openid-client v6) signs in against the `lexoffice` profile over real HTTP:
 * discovery, authorization code with PKCE S256 and nonce, ID token validation, refresh, userinfo with
 * the subject check, and a call to the mock lexoffice API. If openid-client accepts every step, the
 * mock speaks the protocol as a certified client expects it.
 */
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockIdp } from './transports/node-server.js';
import type { RunningMockIdp } from './types.js';

const REDIRECT = 'http://127.0.0.1:8080/callback';

/** Plays the person: follows the authorization URL to the redirect (auto-approve) without fetching it. */
async function authorize(url: URL): Promise<URL> {
  const res = await fetch(url, { redirect: 'manual' });
  await res.arrayBuffer();
  const location = res.headers.get('location');
  if (res.status !== 302 && res.status !== 303) throw new Error(`expected a redirect, got ${res.status}`);
  if (!location) throw new Error('redirect without Location');
  return new URL(location);
}

describe('openid-client against the lexoffice profile', () => {
  let running: RunningMockIdp;
  let config: oidc.Configuration;

  beforeAll(async () => {
    running = await startMockIdp({ profile: 'lexoffice', seed: 5 });
    running.idp.registerClient({
      clientId: 'rp',
      clientSecret: 'rp-secret',
      authMethod: 'client_secret_basic',
      redirectUris: [REDIRECT],
    });
    running.idp.registerClient({ clientId: 'spa', authMethod: 'none', redirectUris: [REDIRECT] });
    config = await oidc.discovery(new URL(running.idp.issuer), 'rp', undefined, oidc.ClientSecretBasic('rp-secret'), {
      execute: [oidc.allowInsecureRequests],
    });
  });

  afterAll(async () => {
    await running?.close();
  });

  it('discovers the issuer it is served at, with S256 as the only PKCE method', () => {
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe(running.idp.issuer);
    expect(meta.issuer.startsWith(running.url)).toBe(true);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
  });

  it('completes code + PKCE, validates the ID token, refreshes, reads userinfo and calls the API', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid profile email contact.read',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const callback = await authorize(url);
    expect(callback.origin + callback.pathname).toBe(REDIRECT);

    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    expect(claims?.iss).toBe(running.idp.issuer);
    expect(claims?.aud).toBe('rp');
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.refresh_token).toBeTruthy();

    // The provider journaled that this code was redeemed with this verifier.
    const redeemed = running.idp.journal.entries({ endpoint: 'token' }).find((e) => e.token?.outcome === 'issued');
    expect(redeemed?.token?.codeVerifier).toBe(verifier);

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);

    const userinfo = await oidc.fetchUserInfo(config, refreshed.access_token, claims!.sub);
    expect(userinfo.sub).toBe(claims!.sub);

    const api = await oidc.fetchProtectedResource(
      config,
      refreshed.access_token,
      new URL('/v1/contacts?size=5', running.idp.apiBaseUrl),
      'GET',
    );
    expect(api.status).toBe(200);
    const page = (await api.json()) as { content: unknown[]; size: number };
    expect(page.size).toBe(5);
    expect(page.content).toHaveLength(5);
    const bearer = running.idp.journal.entries({ endpoint: 'api' }).at(-1)?.bearer;
    expect(bearer).toMatchObject({ location: 'header', valid: true });
  });

  it('rejects replaying the rotated refresh token, as refresh rotation with reuse detection requires', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce: oidc.randomNonce(),
    });
    const tokens = await oidc.authorizationCodeGrant(config, await authorize(url), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: new URL(url).searchParams.get('nonce')!,
    });
    const first = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    // Reuse revokes the whole family, the newest refresh token included (RFC 9700 4.14.2).
    await expect(oidc.refreshTokenGrant(config, first.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('signs in a public client (token_endpoint_auth_method none) with PKCE', async () => {
    const spa = await oidc.discovery(new URL(running.idp.issuer), 'spa', undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(spa, {
      redirect_uri: REDIRECT,
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const tokens = await oidc.authorizationCodeGrant(spa, await authorize(url), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    expect(tokens.claims()?.aud).toBe('spa');
    const entry = running.idp.journal.entries({ endpoint: 'token' }).at(-1);
    expect(entry?.token?.clientAuth).toBe('none');
  });

  it('refuses a wrong verifier, and openid-client surfaces invalid_grant', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce: oidc.randomNonce(),
    });
    const callback = await authorize(url);
    await expect(
      oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
        expectedState: state,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
