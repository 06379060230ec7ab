import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BASIC_CLIENT,
  POST_CLIENT,
  PUBLIC_CLIENT,
  authOf,
  login,
  postForm,
  startTestIdp,
} from '../testing/login-flow.js';
import type { RunningMockIdp } from '../types.js';

let running: RunningMockIdp;
beforeAll(async () => {
  running = await startTestIdp();
});
afterAll(async () => {
  await running.close();
});

const userinfo = (init: RequestInit & { query?: string } = {}) =>
  fetch(`${running.idp.endpoints.userinfo!}${init.query ?? ''}`, init);

describe('userinfo', () => {
  it('answers the bearer header with the claims the scopes allow', async () => {
    const tokens = await login(running.idp, PUBLIC_CLIENT);
    const response = await userinfo({ headers: { authorization: `Bearer ${tokens.json.access_token as string}` } });
    const claims = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBe(200);
    expect(claims.sub).toMatch(/^[0-9a-f-]{36}$/);
    expect(claims.name).toEqual(expect.any(String));
    expect(claims.email).toBeUndefined();
  });

  it('accepts the token as a form body parameter (RFC 6750 2.2)', async () => {
    const tokens = await login(running.idp, PUBLIC_CLIENT);
    const response = await userinfo({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ access_token: tokens.json.access_token as string }),
    });
    expect(response.status).toBe(200);
    expect(running.idp.journal.entries({ endpoint: 'userinfo' }).at(-1)?.bearer?.location).toBe('body');
  });

  it('journals and refuses a token in the query', async () => {
    const tokens = await login(running.idp, PUBLIC_CLIENT);
    const response = await userinfo({ query: `?access_token=${tokens.json.access_token as string}` });
    expect(response.status).toBe(400);
    expect(response.headers.get('www-authenticate')).toMatch(/error="invalid_request"/);
    expect(running.idp.journal.entries({ endpoint: 'userinfo' }).at(-1)?.bearer).toMatchObject({
      location: 'query',
      valid: false,
    });
  });

  it('answers a missing token with 401 and a Bearer challenge', async () => {
    const response = await userinfo();
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('answers an unknown token with invalid_token', async () => {
    const response = await userinfo({ headers: { authorization: 'Bearer nope' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });

  it('requires the openid scope', async () => {
    const tokens = await login(running.idp, PUBLIC_CLIENT, { extra: { scope: 'contact.read' } });
    const response = await userinfo({ headers: { authorization: `Bearer ${tokens.json.access_token as string}` } });
    expect(response.status).toBe(403);
  });

  it('answers CORS requests', async () => {
    const response = await userinfo({ headers: { origin: 'http://127.0.0.1:5173' } });
    expect(response.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173');
  });
});

describe('revocation (RFC 7009)', () => {
  it('revokes an access token for its client', async () => {
    const tokens = await login(running.idp, POST_CLIENT);
    const answer = await postForm(
      running.idp.endpoints.revocation!,
      { token: tokens.json.access_token as string },
      authOf(POST_CLIENT),
    );
    expect(answer.status).toBe(200);
    const response = await userinfo({ headers: { authorization: `Bearer ${tokens.json.access_token as string}` } });
    expect(response.status).toBe(401);
  });

  it('revokes the grant with the refresh token', async () => {
    const tokens = await login(running.idp, PUBLIC_CLIENT, { tag: 'revoke' });
    const answer = await postForm(
      running.idp.endpoints.revocation!,
      { token: tokens.json.refresh_token as string, token_type_hint: 'refresh_token' },
      authOf(PUBLIC_CLIENT),
    );
    expect(answer.status).toBe(200);
    const entry = running.idp.journal.entries({ endpoint: 'revocation', tag: 'revoke' })[0];
    expect(entry.revocation).toEqual({
      token: tokens.json.refresh_token,
      tokenTypeHint: 'refresh_token',
      clientId: PUBLIC_CLIENT.clientId,
    });
    expect(running.idp.journal.issued({ tag: 'revoke', kind: 'access_token' })[0].revoked).toBe(true);
    const refreshed = await postForm(
      running.idp.endpoints.token,
      { grant_type: 'refresh_token', refresh_token: tokens.json.refresh_token as string },
      authOf(PUBLIC_CLIENT),
    );
    expect(refreshed.json.error).toBe('invalid_grant');
  });

  it('answers 200 for an unknown token and 401 without client authentication', async () => {
    expect((await postForm(running.idp.endpoints.revocation!, { token: 'unknown' }, authOf(POST_CLIENT))).status).toBe(
      200,
    );
    expect((await postForm(running.idp.endpoints.revocation!, { token: 'unknown' }, { kind: 'nothing' })).status).toBe(
      401,
    );
  });

  it('does not let another client revoke a token', async () => {
    const tokens = await login(running.idp, POST_CLIENT);
    const answer = await postForm(
      running.idp.endpoints.revocation!,
      { token: tokens.json.access_token as string },
      authOf(BASIC_CLIENT),
    );
    expect(answer.status).toBe(400);
    const response = await userinfo({ headers: { authorization: `Bearer ${tokens.json.access_token as string}` } });
    expect(response.status).toBe(200);
  });
});

describe('introspection (RFC 7662)', () => {
  it('describes an active token to its authenticated client', async () => {
    const tokens = await login(running.idp, POST_CLIENT);
    const answer = await postForm(
      running.idp.endpoints.introspection!,
      { token: tokens.json.access_token as string },
      authOf(POST_CLIENT),
    );
    expect(answer.json).toMatchObject({ active: true, client_id: POST_CLIENT.clientId, token_type: 'Bearer' });
    expect(answer.headers.get('cache-control')).toBe('no-store');
  });

  it('says inactive for a revoked token and for another client', async () => {
    const tokens = await login(running.idp, POST_CLIENT);
    const other = await postForm(
      running.idp.endpoints.introspection!,
      { token: tokens.json.access_token as string },
      authOf(BASIC_CLIENT),
    );
    expect(other.json).toEqual({ active: false });
    await postForm(
      running.idp.endpoints.revocation!,
      { token: tokens.json.access_token as string },
      authOf(POST_CLIENT),
    );
    const revoked = await postForm(
      running.idp.endpoints.introspection!,
      { token: tokens.json.access_token as string },
      authOf(POST_CLIENT),
    );
    expect(revoked.json).toEqual({ active: false });
  });

  it('refuses public clients', async () => {
    const answer = await postForm(running.idp.endpoints.introspection!, { token: 'x' }, authOf(PUBLIC_CLIENT));
    expect(answer.status).toBe(401);
  });
});

describe('end-session', () => {
  it('redirects to a registered post_logout_redirect_uri with state', async () => {
    const tokens = await login(running.idp, PUBLIC_CLIENT);
    const url = new URL(running.idp.endpoints.endSession!);
    url.search = new URLSearchParams({
      id_token_hint: tokens.json.id_token as string,
      post_logout_redirect_uri: 'http://127.0.0.1:8080/signed-out',
      state: 'bye',
    }).toString();
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('http://127.0.0.1:8080/signed-out?state=bye');
  });

  it('refuses an unregistered post_logout_redirect_uri with a page, not a redirect', async () => {
    const url = new URL(running.idp.endpoints.endSession!);
    url.search = new URLSearchParams({
      client_id: PUBLIC_CLIENT.clientId,
      post_logout_redirect_uri: 'http://evil.example/',
    }).toString();
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it('never redirects a client that registered no post-logout URIs, not even to its own origin', async () => {
    const url = new URL(running.idp.endpoints.endSession!);
    url.search = new URLSearchParams({
      client_id: POST_CLIENT.clientId,
      post_logout_redirect_uri: 'http://127.0.0.1:8080/bye',
    }).toString();
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it('refuses an id_token_hint the provider did not issue with a page, not a redirect', async () => {
    const url = new URL(running.idp.endpoints.endSession!);
    url.search = new URLSearchParams({
      id_token_hint: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
      post_logout_redirect_uri: 'http://127.0.0.1:8080/signed-out',
    }).toString();
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it('shows a small page without a redirect URI', async () => {
    const response = await fetch(running.idp.endpoints.endSession!);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Signed out');
  });
});

describe('JWKS and discovery CORS', () => {
  it('publish the current key and answer CORS', async () => {
    const response = await fetch(running.idp.endpoints.jwks!, { headers: { origin: 'http://127.0.0.1:5173' } });
    const jwks = (await response.json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys.map((k) => k.kid)).toContain((await running.idp.keys.currentPublicJwk()).kid);
    expect(jwks.keys[0]).not.toHaveProperty('d');
    expect(response.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173');
    const discovery = await fetch(running.idp.endpoints.discovery, { headers: { origin: 'http://127.0.0.1:5173' } });
    expect(discovery.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173');
  });

  it('keep the old key published after rotation and sign with the new one', async () => {
    const rotating = await startTestIdp();
    try {
      const before = await rotating.idp.keys.currentPublicJwk();
      await rotating.idp.keys.rotate();
      const after = await rotating.idp.keys.currentPublicJwk();
      expect(after.kid).not.toBe(before.kid);
      const jwks = (await (await fetch(rotating.idp.endpoints.jwks!)).json()) as { keys: Array<{ kid: string }> };
      expect(jwks.keys.map((k) => k.kid)).toEqual([before.kid, after.kid]);
      const tokens = await login(rotating.idp, PUBLIC_CLIENT);
      const header = JSON.parse(
        Buffer.from((tokens.json.id_token as string).split('.')[0], 'base64url').toString(),
      ) as { kid: string };
      expect(header.kid).toBe(after.kid);
    } finally {
      await rotating.close();
    }
  });
});

describe('API mount', () => {
  it('serves /v1/ with the provider tokens, journaled with bearer info and tag', async () => {
    const tokens = await login(running.idp, PUBLIC_CLIENT, { tag: 'api' });
    const response = await fetch(`${running.idp.apiBaseUrl}/v1/profile`, {
      headers: { authorization: `Bearer ${tokens.json.access_token as string}`, origin: 'http://127.0.0.1:5173' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173');
    const entry = running.idp.journal.entries({ endpoint: 'api', tag: 'api' })[0];
    expect(entry.bearer).toMatchObject({ location: 'header', valid: true });
  });

  it('refuses a revoked token at the API', async () => {
    const tokens = await login(running.idp, POST_CLIENT);
    await postForm(
      running.idp.endpoints.revocation!,
      { token: tokens.json.access_token as string },
      authOf(POST_CLIENT),
    );
    const response = await fetch(`${running.idp.apiBaseUrl}/v1/profile`, {
      headers: { authorization: `Bearer ${tokens.json.access_token as string}` },
    });
    expect(response.status).toBe(401);
  });

  it('answers unknown paths with 404', async () => {
    expect((await fetch(`${running.url}/nothing-here`)).status).toBe(404);
  });
});
