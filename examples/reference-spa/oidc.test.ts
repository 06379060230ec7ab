/**
 * The SPA's protocol module (public/oidc.js) run in Node against the mock provider: Node has the same
 * WebCrypto, fetch and URL APIs the browser has.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockIdp } from '../../mock-idp/index.js';
import { LOGIN_TAG_HEADER, type Fault, type RunningMockIdp } from '../../mock-idp/types.js';
import {
  beginLogin,
  createJwks,
  discover,
  endSessionUrl,
  isOwnLogoutReturn,
  randomToken,
  tokenRequest,
  validateCallback,
  verifyIdToken,
  type PendingLogin,
  type ProviderMetadata,
  type SpaConfig,
} from './public/oidc.js';

let mock: RunningMockIdp;
let meta: ProviderMetadata;
let config: SpaConfig;
let tagSeq = 0;

beforeAll(async () => {
  mock = await startMockIdp({ profile: 'lexoffice', seed: 11 });
  config = {
    issuer: mock.idp.issuer,
    clientId: 'spa-unit',
    redirectUri: 'http://127.0.0.1:9/callback',
    scopes: ['openid', 'profile'],
    apiBaseUrl: mock.idp.apiBaseUrl,
    postLogoutRedirectUri: 'http://127.0.0.1:9/signed-out',
  };
  mock.idp.registerClient({
    clientId: config.clientId,
    authMethod: 'none',
    redirectUris: [config.redirectUri],
    postLogoutRedirectUris: [config.postLogoutRedirectUri!],
  });
  meta = await discover(mock.idp.issuer);
});
afterAll(async () => {
  await mock?.close();
});

/** Runs the provider's side of a login with `fault` armed; returns the callback parameters and the login. */
async function authorizeAt(fault?: Fault): Promise<{ params: URLSearchParams; pending: PendingLogin; tag: string }> {
  const tag = `spa${++tagSeq}`;
  if (fault) mock.idp.faults.arm(tag, fault);
  const { url, pending } = await beginLogin(meta, config);
  const res = await fetch(url, { redirect: 'manual', headers: { [LOGIN_TAG_HEADER]: tag } });
  const location = res.headers.get('location');
  if (!location) throw new Error(`no redirect from the provider (status ${res.status})`);
  return { params: new URL(location).searchParams, pending, tag };
}

/** A full code exchange; returns the ID token's validation outcome. */
async function signInWith(fault?: Fault, jwks = createJwks(meta.jwks_uri)) {
  const { params, pending } = await authorizeAt(fault);
  const code = validateCallback(params, pending, meta);
  const tokens = await tokenRequest(meta, config, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: config.redirectUri,
    code_verifier: pending.codeVerifier,
  });
  return verifyIdToken(tokens.idToken ?? '', {
    issuer: meta.issuer,
    clientId: config.clientId,
    nonce: pending.nonce,
    jwks,
  });
}

describe('the SPA protocol module', () => {
  it('builds an S256 authorization request with fresh high-entropy state, nonce and verifier', async () => {
    const a = await beginLogin(meta, config);
    const b = await beginLogin(meta, config);
    const q = new URL(a.url).searchParams;
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('response_type')).toBe('code');
    expect(a.pending.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')).toBe(a.pending.state);
    expect(a.pending.state).not.toBe(b.pending.state);
    expect(a.pending.nonce).not.toBe(b.pending.nonce);
    expect(a.pending.codeVerifier).not.toBe(b.pending.codeVerifier);
  });

  it('refuses to build a request when the provider lists PKCE methods without S256', async () => {
    await expect(beginLogin({ ...meta, code_challenge_methods_supported: ['plain'] }, config)).rejects.toThrow(/S256/);
  });

  it('signs in and accepts a correctly signed ID token', async () => {
    const claims = await signInWith();
    expect(claims.sub).toBeTruthy();
  });

  it('rejects ID tokens that are unsigned, confused, badly signed, foreign, expired or for another nonce', async () => {
    const faults: Fault[] = [
      { name: 'id-token.alg-none' },
      { name: 'id-token.alg-none', alg: 'NONE' },
      { name: 'id-token.hs256-public-key' },
      { name: 'id-token.bad-signature' },
      { name: 'id-token.wrong-iss' },
      { name: 'id-token.wrong-aud' },
      { name: 'id-token.wrong-nonce' },
      { name: 'id-token.expired' },
    ];
    for (const fault of faults) await expect(signInWith(fault), JSON.stringify(fault)).rejects.toThrow();
  });

  it('refetches the JWKS when the provider signs with a key it has just published', async () => {
    const jwks = createJwks(meta.jwks_uri);
    await signInWith(undefined, jwks);
    const before = mock.idp.journal.entries({ endpoint: 'jwks' }).length;
    await expect(signInWith({ name: 'id-token.rotated-key' }, jwks)).resolves.toHaveProperty('sub');
    expect(mock.idp.journal.entries({ endpoint: 'jwks' }).length).toBe(before + 1);
  });

  it('rejects callbacks with an altered or missing state, without a code, or from the wrong issuer', async () => {
    const altered = await authorizeAt({ name: 'callback.state-altered' });
    expect(() => validateCallback(altered.params, altered.pending, meta)).toThrow(/state/);
    const missing = await authorizeAt({ name: 'callback.state-missing' });
    expect(() => validateCallback(missing.params, missing.pending, meta)).toThrow(/state/);
    const noCode = await authorizeAt({ name: 'callback.code-missing' });
    expect(() => validateCallback(noCode.params, noCode.pending, meta)).toThrow(/code/);
    const ok = await authorizeAt();
    expect(() => validateCallback(ok.params, null, meta)).toThrow(/No sign-in/);
    const withIss = { ...meta, authorization_response_iss_parameter_supported: true };
    expect(() => validateCallback(ok.params, ok.pending, withIss)).toThrow(/iss/);
    ok.params.set('iss', 'http://127.0.0.1:1');
    expect(() => validateCallback(ok.params, ok.pending, meta)).toThrow(/iss/);
  });

  it('rejects malformed token responses', async () => {
    for (const variant of ['no-access-token', 'wrong-token-type', 'not-json'] as const) {
      const { params, pending } = await authorizeAt({ name: 'token.malformed', variant });
      const code = validateCallback(params, pending, meta);
      await expect(
        tokenRequest(meta, config, {
          grant_type: 'authorization_code',
          code,
          redirect_uri: config.redirectUri,
          code_verifier: pending.codeVerifier,
        }),
        variant,
      ).rejects.toThrow();
    }
  });

  it('signs out at the provider with the ID token as hint, the registered URI and a state it recognises', async () => {
    const { params, pending } = await authorizeAt();
    const tokens = await tokenRequest(meta, config, {
      grant_type: 'authorization_code',
      code: validateCallback(params, pending, meta),
      redirect_uri: config.redirectUri,
      code_verifier: pending.codeVerifier,
    });
    const state = randomToken();
    const url = new URL(endSessionUrl(meta, config, { idToken: tokens.idToken, state }) ?? '');
    expect(`${url.origin}${url.pathname}`).toBe(meta.end_session_endpoint);
    expect(url.searchParams.get('id_token_hint')).toBe(tokens.idToken);
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe(config.postLogoutRedirectUri);
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location') ?? '');
    expect(`${back.origin}${back.pathname}`).toBe(config.postLogoutRedirectUri);
    expect(isOwnLogoutReturn(back.searchParams, state)).toBe(true);
    expect(isOwnLogoutReturn(back.searchParams, randomToken())).toBe(false);
    expect(isOwnLogoutReturn(back.searchParams, null)).toBe(false);
    expect(isOwnLogoutReturn(new URLSearchParams(), state)).toBe(false);
  });

  it('signs out only locally when the provider has no end_session_endpoint or no post-logout URI is registered', () => {
    const { end_session_endpoint: _unused, ...without } = meta;
    expect(endSessionUrl(without, config, { idToken: 'x', state: 's' })).toBeUndefined();
    const { postLogoutRedirectUri: _none, ...local } = config;
    expect(endSessionUrl(meta, local, { idToken: 'x', state: 's' })).toBeUndefined();
  });
});
