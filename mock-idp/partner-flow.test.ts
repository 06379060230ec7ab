/**
 * The partner flow lexoffice's public integrations use, driven by plain fetch over real HTTP: the
 * authorization request with a comma-separated `scopes` list and no PKCE, the code exchange with HTTP
 * Basic client authentication, an API call with the access token, and revocation at the API's
 * `/v1/revoke` (RFC 7009).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockIdp } from './transports/node-server.js';
import type { RunningMockIdp } from './types.js';

const REDIRECT = 'http://127.0.0.1:8080/partner/callback';
const CLIENT_ID = 'partner-app';
const SECRET = 'partner-secret';
const basic = 'Basic ' + Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64');

interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  token_type: string;
  expires_in?: number;
}

describe('lexoffice partner flow over plain fetch', () => {
  let running: RunningMockIdp;

  beforeAll(async () => {
    running = await startMockIdp({ profile: 'lexoffice-partner', seed: 9 });
    running.idp.registerClient({
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      authMethod: 'client_secret_basic',
      redirectUris: [REDIRECT],
    });
  });

  afterAll(async () => {
    await running?.close();
  });

  async function login(scopes: string): Promise<TokenResponse> {
    const url = new URL(running.idp.endpoints.authorization);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT,
      scopes,
      state: 'partner-state',
    }).toString();
    const authz = await fetch(url, { redirect: 'manual' });
    expect(authz.status).toBe(302);
    const callback = new URL(authz.headers.get('location')!);
    expect(callback.origin + callback.pathname).toBe(REDIRECT);
    expect(callback.searchParams.get('state')).toBe('partner-state');
    const code = callback.searchParams.get('code');
    expect(code).toBeTruthy();

    const res = await fetch(running.idp.endpoints.token, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: code!, redirect_uri: REDIRECT }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('no-store');
    return (await res.json()) as TokenResponse;
  }

  it('serves the partner endpoints on the local origin, with revocation on the API host', () => {
    const { endpoints, apiBaseUrl } = running.idp;
    expect(new URL(endpoints.authorization).pathname).toBe('/api/oauth2/authorize');
    expect(new URL(endpoints.token).pathname).toBe('/api/oauth2/token');
    expect(endpoints.revocation).toBe(new URL('/v1/revoke', apiBaseUrl).href);
    expect(endpoints.authorization.startsWith(running.url)).toBe(true);
  });

  it('grants the comma-separated scopes and lets the access token call the API they cover', async () => {
    const tokens = await login('profile.read,contacts.read');
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    const auth = running.idp.journal.entries({ endpoint: 'authorization' }).at(-1);
    expect(auth?.authorization?.params.scopes).toBe('profile.read,contacts.read');
    const token = running.idp.journal.entries({ endpoint: 'token' }).at(-1);
    expect(token?.token).toMatchObject({ clientAuth: 'client_secret_basic', outcome: 'issued' });

    const headers = { authorization: `Bearer ${tokens.access_token}`, accept: 'application/json' };
    const profile = await fetch(new URL('/v1/profile', running.idp.apiBaseUrl), { headers });
    expect(profile.status).toBe(200);
    expect(await profile.json()).toHaveProperty('organizationId');
    const contacts = await fetch(new URL('/v1/contacts?page=1&size=10', running.idp.apiBaseUrl), { headers });
    expect(contacts.status).toBe(200);
    expect(await contacts.json()).toMatchObject({ number: 1, size: 10, first: false });
    // invoices.read was not granted.
    const invoice = await fetch(new URL('/v1/invoices/00000000-0000-4000-8000-000000000000', running.idp.apiBaseUrl), {
      headers,
    });
    expect(invoice.status).toBe(403);
  });

  it('refuses the access token in the query string and journals it as such', async () => {
    const tokens = await login('profile.read');
    const url = new URL('/v1/profile', running.idp.apiBaseUrl);
    url.searchParams.set('access_token', tokens.access_token);
    const res = await fetch(url);
    expect(res.status).toBe(401);
    const entry = running.idp.journal.entries({ endpoint: 'api' }).at(-1);
    expect(entry?.bearer).toMatchObject({ location: 'query', token: tokens.access_token, valid: false });
  });

  it('revokes the access token at /v1/revoke, after which the API refuses it', async () => {
    const tokens = await login('profile.read');
    const revoke = await fetch(running.idp.endpoints.revocation!, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.access_token, token_type_hint: 'access_token' }),
    });
    expect(revoke.status).toBe(200);
    const api = await fetch(new URL('/v1/profile', running.idp.apiBaseUrl), {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(api.status).toBe(401);
    expect(await api.json()).toEqual({ message: 'Unauthorized' });
  });

  it('revokes the refresh token at /v1/revoke, after which it no longer refreshes', async () => {
    const tokens = await login('profile.read');
    expect(tokens.refresh_token).toBeTruthy();
    const revoke = await fetch(running.idp.endpoints.revocation!, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.refresh_token!, token_type_hint: 'refresh_token' }),
    });
    expect(revoke.status).toBe(200);
    // Journaled with what was revoked, whichever endpoint name the API host's revocation is filed under.
    const entry = running.idp.journal
      .entries()
      .filter((e) => e.revocation)
      .at(-1);
    expect(entry?.revocation).toMatchObject({ token: tokens.refresh_token, clientId: CLIENT_ID });
    const refresh = await fetch(running.idp.endpoints.token, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }),
    });
    expect(refresh.status).toBe(400);
    expect(await refresh.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses the token request without client credentials (confidential client)', async () => {
    const res = await fetch(running.idp.endpoints.token, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x', redirect_uri: REDIRECT }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_client' });
  });
});
