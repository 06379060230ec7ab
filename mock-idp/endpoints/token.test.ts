import { createHash } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BASIC_CLIENT,
  POST_CLIENT,
  PUBLIC_CLIENT,
  REDIRECT_URI,
  authOf,
  login,
  obtainCode,
  pkcePair,
  postForm,
  redeem,
  refreshGrant,
  startTestIdp,
} from '../testing/login-flow.js';
import type { RunningMockIdp } from '../types.js';

let running: RunningMockIdp;
beforeAll(async () => {
  running = await startTestIdp({ seed: 7 });
});
afterAll(async () => {
  await running.close();
});

const refresh = (refreshToken: string, client = PUBLIC_CLIENT, extra: Record<string, string> = {}) =>
  refreshGrant(running.idp, client, refreshToken, extra);

describe('token response', () => {
  it('has the lexoffice.login paper shape with no-store headers', async () => {
    const answer = await login(running.idp, PUBLIC_CLIENT, {
      extra: { scope: 'invoice.read contact.read openid profile' },
    });
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.json)).toEqual([
      'access_token',
      'token_type',
      'expires_in',
      'refresh_token',
      'scope',
      'id_token',
    ]);
    expect(answer.json.token_type).toBe('Bearer');
    expect(answer.json.expires_in).toBe(3600);
    expect(answer.json.scope).toBe('invoice.read contact.read openid profile');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('pragma')).toBe('no-cache');
    const header = decodeProtectedHeader(answer.json.access_token as string);
    expect(header.alg).toBe('RS256');
  });

  it('leaves out the ID token without openid', async () => {
    const answer = await login(running.idp, PUBLIC_CLIENT, { extra: { scope: 'contact.read' } });
    expect(answer.json.id_token).toBeUndefined();
  });

  it('issues an ID token that verifies against the JWKS with iss, aud, nonce, auth_time and at_hash', async () => {
    const answer = await login(running.idp, PUBLIC_CLIENT);
    const jwks = (await (await fetch(running.idp.endpoints.jwks!)).json()) as { keys: [] };
    const { payload, protectedHeader } = await jwtVerify(answer.json.id_token as string, createLocalJWKSet(jwks), {
      issuer: running.idp.issuer,
      audience: PUBLIC_CLIENT.clientId,
      currentDate: new Date('2026-03-01T10:00:00Z'),
    });
    expect(protectedHeader.kid).toBe((await running.idp.keys.currentPublicJwk()).kid);
    expect(payload.nonce).toBe('nonce-0123456789abcdef');
    expect(payload.auth_time).toBe(payload.iat);
    const digest = createHash('sha256')
      .update(answer.json.access_token as string)
      .digest();
    expect(payload.at_hash).toBe(digest.subarray(0, 16).toString('base64url'));
    await expect(
      jwtVerify(answer.json.access_token as string, createLocalJWKSet(jwks), {
        currentDate: new Date('2026-03-01T10:00:00Z'),
      }),
    ).resolves.toBeTruthy();
  });
});

describe('PKCE at the token endpoint', () => {
  it('refuses a wrong verifier and burns the code', async () => {
    const { code, verifier } = await obtainCode(running.idp, PUBLIC_CLIENT, { tag: 'wrong-verifier' });
    const wrong = await redeem(running.idp, PUBLIC_CLIENT, code, pkcePair('other').verifier);
    expect(wrong.status).toBe(400);
    expect(wrong.json.error).toBe('invalid_grant');
    const right = await redeem(running.idp, PUBLIC_CLIENT, code, verifier);
    expect(right.json.error).toBe('invalid_grant');
  });

  it('refuses a missing verifier for a code issued with a challenge', async () => {
    const { code } = await obtainCode(running.idp, PUBLIC_CLIENT);
    expect((await redeem(running.idp, PUBLIC_CLIENT, code, undefined)).json.error).toBe('invalid_grant');
  });

  it('refuses a verifier for a code issued without a challenge', async () => {
    const url = new URL(running.idp.endpoints.authorization);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: BASIC_CLIENT.clientId,
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
    }).toString();
    const location = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location')!);
    const code = location.searchParams.get('code')!;
    const result = await redeem(running.idp, BASIC_CLIENT, code, pkcePair('x').verifier);
    expect(result.json.error).toBe('invalid_grant');
    expect(result.json.error_description).toMatch(/without code_challenge/);
  });

  it.each([
    ['too short', 'a'.repeat(42)],
    ['too long', 'a'.repeat(129)],
    ['a character outside the unreserved set', `${'a'.repeat(50)}+`],
  ])('refuses a verifier that is %s', async (_label, verifier) => {
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const { code } = await obtainCode(running.idp, PUBLIC_CLIENT, { pkce: { verifier, challenge } });
    const answer = await redeem(running.idp, PUBLIC_CLIENT, code, verifier);
    expect(answer.status).toBe(400);
    expect(answer.json.error).toBe('invalid_request');
  });
});

describe('codes', () => {
  it('work once; a replay revokes the tokens they issued', async () => {
    const { code, verifier } = await obtainCode(running.idp, PUBLIC_CLIENT, { tag: 'replay' });
    const first = await redeem(running.idp, PUBLIC_CLIENT, code, verifier);
    expect(first.status).toBe(200);
    const second = await redeem(running.idp, PUBLIC_CLIENT, code, verifier);
    expect(second.json.error).toBe('invalid_grant');
    const userinfo = await fetch(running.idp.endpoints.userinfo!, {
      headers: { authorization: `Bearer ${first.json.access_token as string}` },
    });
    expect(userinfo.status).toBe(401);
    expect((await refresh(first.json.refresh_token as string)).json.error).toBe('invalid_grant');
    expect(running.idp.journal.issued({ tag: 'replay', kind: 'access_token' })[0].revoked).toBe(true);
  });

  it('are bound to the client', async () => {
    const { code, verifier } = await obtainCode(running.idp, PUBLIC_CLIENT);
    const answer = await redeem(running.idp, POST_CLIENT, code, verifier);
    expect(answer.json.error).toBe('invalid_grant');
  });

  it('are bound to the redirect_uri', async () => {
    const { code, verifier } = await obtainCode(running.idp, PUBLIC_CLIENT);
    const answer = await redeem(running.idp, PUBLIC_CLIENT, code, verifier, { redirect_uri: `${REDIRECT_URI}/other` });
    expect(answer.json.error).toBe('invalid_grant');
  });

  it('expire after codeTtl', async () => {
    let now = Date.parse('2026-03-01T10:00:00Z');
    const timed = await startTestIdp({ clock: () => now, settings: { codeTtl: 30 } });
    try {
      const { code, verifier } = await obtainCode(timed.idp, PUBLIC_CLIENT);
      now += 31_000;
      expect((await redeem(timed.idp, PUBLIC_CLIENT, code, verifier)).json.error_description).toMatch(/expired/);
    } finally {
      await timed.close();
    }
  });

  it('refuses an unknown code with invalid_grant', async () => {
    expect((await redeem(running.idp, PUBLIC_CLIENT, 'nope', pkcePair().verifier)).json.error).toBe('invalid_grant');
  });
});

describe('refresh tokens', () => {
  it('rotate: the new one works, the old one no longer does', async () => {
    const tokens = await login(running.idp, PUBLIC_CLIENT);
    const next = await refresh(tokens.json.refresh_token as string);
    expect(next.status).toBe(200);
    expect(next.json.refresh_token).not.toBe(tokens.json.refresh_token);
    expect(next.headers.get('cache-control')).toBe('no-store');
  });

  it('revoke the whole family when a rotated one is reused', async () => {
    const tokens = await login(running.idp, PUBLIC_CLIENT);
    const next = await refresh(tokens.json.refresh_token as string);
    const reuse = await refresh(tokens.json.refresh_token as string);
    expect(reuse.json.error).toBe('invalid_grant');
    expect((await refresh(next.json.refresh_token as string)).json.error).toBe('invalid_grant');
  });

  it('are bound to the client', async () => {
    const tokens = await login(running.idp, POST_CLIENT);
    expect((await refresh(tokens.json.refresh_token as string, BASIC_CLIENT)).json.error).toBe('invalid_grant');
  });

  it('may narrow but never widen the scope', async () => {
    const tokens = await login(running.idp, PUBLIC_CLIENT, { extra: { scope: 'openid contact.read' } });
    const wider = await refresh(tokens.json.refresh_token as string, PUBLIC_CLIENT, {
      scope: 'openid contact.read invoice.read',
    });
    expect(wider.status).toBe(400);
    expect(wider.json.error).toBe('invalid_scope');
    const narrower = await refresh(tokens.json.refresh_token as string, PUBLIC_CLIENT, { scope: 'contact.read' });
    expect(narrower.json.scope).toBe('contact.read');
  });
});

describe('client authentication', () => {
  it('decodes form-urlencoded Basic credentials (RFC 6749 2.3.1)', async () => {
    const answer = await login(running.idp, BASIC_CLIENT);
    expect(answer.status).toBe(200);
    const entry = running.idp.journal.entries({ endpoint: 'token' }).at(-1);
    expect(entry?.token?.clientAuth).toBe('client_secret_basic');
  });

  it('refuses Basic credentials that were not form-urlencoded when they needed to be', async () => {
    const { code, verifier } = await obtainCode(running.idp, BASIC_CLIENT);
    const answer = await postForm(
      running.idp.endpoints.token,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier },
      { kind: 'basic', id: BASIC_CLIENT.clientId, secret: BASIC_CLIENT.clientSecret!, raw: true },
    );
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(answer.json.error).toBe('invalid_client');
  });

  it('accepts client_secret_post for a client registered with it', async () => {
    expect((await login(running.idp, POST_CLIENT)).status).toBe(200);
  });

  it('refuses a method other than the registered one', async () => {
    const { code, verifier } = await obtainCode(running.idp, BASIC_CLIENT);
    const answer = await postForm(
      running.idp.endpoints.token,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier },
      { kind: 'post', id: BASIC_CLIENT.clientId, secret: BASIC_CLIENT.clientSecret! },
    );
    expect(answer.status).toBe(401);
    expect(answer.json.error).toBe('invalid_client');
    expect(running.idp.journal.entries({ endpoint: 'token' }).at(-1)?.token?.clientAuth).toBe('invalid');
  });

  it('refuses a confidential client that does not authenticate', async () => {
    const { code, verifier } = await obtainCode(running.idp, BASIC_CLIENT);
    const answer = await postForm(
      running.idp.endpoints.token,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier },
      { kind: 'none', id: BASIC_CLIENT.clientId },
    );
    expect(answer.status).toBe(401);
  });

  it('refuses a wrong secret', async () => {
    const answer = await postForm(
      running.idp.endpoints.token,
      { grant_type: 'refresh_token', refresh_token: 'x' },
      { kind: 'post', id: POST_CLIENT.clientId, secret: 'wrong' },
    );
    expect(answer.status).toBe(401);
    expect(answer.json.error).toBe('invalid_client');
  });

  it('journals and refuses credentials in the URL query', async () => {
    const answer = await postForm(
      running.idp.endpoints.token,
      { grant_type: 'refresh_token', refresh_token: 'x' },
      { kind: 'nothing' },
      { query: { client_id: POST_CLIENT.clientId, client_secret: POST_CLIENT.clientSecret! } },
    );
    expect(answer.status).toBe(400);
    expect(running.idp.journal.entries({ endpoint: 'token' }).at(-1)?.token?.secretInQuery).toBe(true);
  });
});

describe('token endpoint errors', () => {
  it('answers an unsupported grant type in RFC 6749 5.2 shape', async () => {
    const answer = await postForm(
      running.idp.endpoints.token,
      { grant_type: 'password', username: 'a', password: 'b' },
      authOf(POST_CLIENT),
    );
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error: 'unsupported_grant_type', error_description: expect.any(String) });
    expect(answer.headers.get('content-type')).toMatch(/application\/json/);
    expect(answer.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses repeated parameters', async () => {
    const response = await fetch(running.idp.endpoints.token, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=authorization_code&code=a&code=b&client_id=${PUBLIC_CLIENT.clientId}`,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('refuses a JSON body', async () => {
    const response = await fetch(running.idp.endpoints.token, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(400);
  });
});

describe('CORS at the token endpoint', () => {
  it('echoes the origin and answers preflights', async () => {
    const preflight = await fetch(running.idp.endpoints.token, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://127.0.0.1:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173');
    const answer = await postForm(running.idp.endpoints.token, { grant_type: 'x' }, authOf(PUBLIC_CLIENT), {
      headers: { origin: 'http://127.0.0.1:5173' },
    });
    expect(answer.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173');
  });
});

describe('access tokens', () => {
  it('carry a deterministic jti and the granted scope', async () => {
    const answer = await login(running.idp, PUBLIC_CLIENT, { tag: 'jti' });
    const claims = decodeJwt(answer.json.access_token as string);
    expect(claims.jti).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(claims.scope).toBe('openid profile contact.read invoice.read');
    expect(claims.client_id).toBe(PUBLIC_CLIENT.clientId);
  });
});
