/**
 * An integration hard-wired to the real lexoffice URLs is tested against the mock through msw, without
 * changing its code: discovery, a full code + PKCE flow, the API, and `node:https` default imports.
 */
import { createHash, randomBytes } from 'node:crypto';
import https from 'node:https';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockIdp } from '../index.js';
import type { MockIdp } from '../types.js';
import { LEXOFFICE_ORIGINS, createMswHandlers, interceptedOrigins } from './msw.js';

const REDIRECT = 'http://127.0.0.1:8080/callback';

function httpsGetJson(url: string, headers: Record<string, string>): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
        );
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

describe('msw transport', () => {
  let idp: MockIdp;
  let server: ReturnType<typeof setupServer>;

  beforeAll(async () => {
    idp = await createMockIdp({ profile: 'lexoffice', keepOriginalUrls: true, seed: 3 });
    idp.registerClient({ clientId: 'integration', authMethod: 'none', redirectUris: [REDIRECT] });
    server = setupServer(...createMswHandlers(idp));
    server.listen({ onUnhandledRequest: 'error' });
  });

  afterAll(() => {
    server?.close();
  });

  it('serves the discovery document at the real lexoffice login host', async () => {
    const res = await fetch('https://login.lexoffice.io/.well-known/openid-configuration');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Record<string, unknown>;
    expect(doc.issuer).toBe('https://login.lexoffice.io');
    expect(doc.token_endpoint).toBe(idp.endpoints.token);
    expect(idp.endpoints.token.startsWith('https://login.lexoffice.io/')).toBe(true);
  });

  it('completes a code + PKCE flow, userinfo and an API call against the real URLs', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const authz = new URL(idp.endpoints.authorization);
    authz.search = new URLSearchParams({
      response_type: 'code',
      client_id: 'integration',
      redirect_uri: REDIRECT,
      scope: 'openid profile contact.read',
      state: 'msw-state',
      nonce: 'msw-nonce',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    const redirect = await fetch(authz, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const callback = new URL(redirect.headers.get('location')!);
    expect(callback.searchParams.get('state')).toBe('msw-state');

    const tokenRes = await fetch(idp.endpoints.token, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code')!,
        redirect_uri: REDIRECT,
        client_id: 'integration',
        code_verifier: verifier,
      }),
    });
    expect(tokenRes.status).toBe(200);
    const tokens = (await tokenRes.json()) as { access_token: string; id_token: string };
    expect(tokens.id_token.split('.')).toHaveLength(3);

    const userinfo = await fetch(idp.endpoints.userinfo!, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(userinfo.status).toBe(200);
    expect(await userinfo.json()).toHaveProperty('sub');

    expect(idp.apiBaseUrl).toMatch(/^https:\/\/api\.lexoffice\.io/);
    const api = await fetch(new URL('/v1/contacts', idp.apiBaseUrl), {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(api.status).toBe(200);
    expect(await api.json()).toMatchObject({ number: 0, first: true });

    // node:https default import is intercepted too (a named `request` import would not be).
    const ping = await httpsGetJson('https://api.lexoffice.io/v1/ping', {
      authorization: `Bearer ${tokens.access_token}`,
    });
    expect(ping.status).toBe(200);
    const calls = idp.journal.entries({ endpoint: 'api' });
    expect(calls.at(-1)?.request.url).toBe('https://api.lexoffice.io/v1/ping');
  });

  it('leaves other hosts to the unhandled-request strategy', async () => {
    await expect(fetch('https://example.org/')).rejects.toThrow();
  });

  it('routes lexoffice hosts and every origin of a custom discovery document', async () => {
    const custom = await createMockIdp({
      keepOriginalUrls: true,
      discovery: {
        issuer: 'https://sso.example.test/realms/acme',
        authorization_endpoint: 'https://sso.example.test/realms/acme/auth',
        token_endpoint: 'https://tokens.example.test/token',
        jwks_uri: 'https://sso.example.test/realms/acme/certs',
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
      },
    });
    const origins = interceptedOrigins(custom);
    expect(origins).toEqual(
      expect.arrayContaining([...LEXOFFICE_ORIGINS, 'https://sso.example.test', 'https://tokens.example.test']),
    );
    expect(createMswHandlers(custom)).toHaveLength(origins.length);
  });
});

describe('msw transport with the partner profile', () => {
  let idp: MockIdp;
  let server: ReturnType<typeof setupServer>;
  const basic = 'Basic ' + Buffer.from('partner:partner-secret').toString('base64');

  beforeAll(async () => {
    idp = await createMockIdp({ profile: 'lexoffice-partner', keepOriginalUrls: true, seed: 4 });
    idp.registerClient({
      clientId: 'partner',
      clientSecret: 'partner-secret',
      authMethod: 'client_secret_basic',
      redirectUris: [REDIRECT],
    });
    server = setupServer(...createMswHandlers(idp));
    server.listen({ onUnhandledRequest: 'error' });
  });

  afterAll(() => {
    server?.close();
  });

  it('signs in at app.lexoffice.de and revokes at api.lexoffice.io/v1/revoke', async () => {
    expect(idp.endpoints.authorization).toBe('https://app.lexoffice.de/api/oauth2/authorize');
    expect(idp.endpoints.revocation).toBe('https://api.lexoffice.io/v1/revoke');
    const authz = new URL(idp.endpoints.authorization);
    authz.search = new URLSearchParams({
      response_type: 'code',
      client_id: 'partner',
      redirect_uri: REDIRECT,
      scopes: 'profile.read',
      state: 'p',
    }).toString();
    const redirect = await fetch(authz, { redirect: 'manual' });
    const code = new URL(redirect.headers.get('location')!).searchParams.get('code')!;
    const tokenRes = await fetch(idp.endpoints.token, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT }),
    });
    expect(tokenRes.status).toBe(200);
    const { access_token: accessToken } = (await tokenRes.json()) as { access_token: string };
    const headers = { authorization: `Bearer ${accessToken}` };
    expect((await fetch('https://api.lexoffice.io/v1/profile', { headers })).status).toBe(200);
    const revoke = await fetch(idp.endpoints.revocation!, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: accessToken }),
    });
    expect(revoke.status).toBe(200);
    expect((await fetch('https://api.lexoffice.io/v1/profile', { headers })).status).toBe(401);
  });
});
