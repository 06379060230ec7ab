import { describe, expect, it } from 'vitest';
import { createLexofficeApi } from './index.js';
import { CONTACT_COUNT, lexofficeData } from './data.js';
import type { ApiAccessToken, ApiContext } from './types.js';

const NOW = Date.parse('2026-03-01T10:00:00Z');
const ALL = ['profile', 'contact.read', 'invoice.read'];

function fakeContext(
  over: Partial<ApiContext> = {},
): ApiContext & { now: { t: number }; tokens: Map<string, ApiAccessToken> } {
  const now = { t: NOW };
  const tokens = new Map<string, ApiAccessToken>([
    ['good', { clientId: 'c', sub: 'u1', scopes: ALL, expiresAt: NOW + 3_600_000, revoked: false, tag: 't1' }],
    ['expired', { clientId: 'c', sub: 'u1', scopes: ALL, expiresAt: NOW - 1, revoked: false }],
    ['revoked', { clientId: 'c', sub: 'u1', scopes: ALL, expiresAt: NOW + 3_600_000, revoked: true }],
    ['narrow', { clientId: 'c', sub: 'u1', scopes: ['profile'], expiresAt: NOW + 3_600_000, revoked: false }],
  ]);
  return {
    now,
    tokens,
    clock: () => now.t,
    seed: 7,
    rateLimit: false,
    acceptQueryToken: false,
    requiredScopes: { profile: 'profile', contacts: 'contact.read', invoices: 'invoice.read' },
    lookupAccessToken: (t) => tokens.get(t),
    revoke: async (req) => new Response(`revoked:${await req.text()}`, { status: 200 }),
    ...over,
  };
}

async function call(ctx: ApiContext, path: string, init: RequestInit & { token?: string } = {}) {
  const api = createLexofficeApi(ctx);
  const url = new URL(path, 'https://api.lexoffice.io');
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  const result = await api(new Request(url, { ...init, headers }), url);
  if (!result) throw new Error(`not an API path: ${path}`);
  return result;
}

describe('mock lexoffice API', () => {
  it('answers undefined for paths outside /v1 so the provider can route on', async () => {
    const api = createLexofficeApi(fakeContext());
    const url = new URL('https://api.lexoffice.io/token');
    expect(await api(new Request(url), url)).toBeUndefined();
    const url2 = new URL('https://api.lexoffice.io/v10/profile');
    expect(await api(new Request(url2), url2)).toBeUndefined();
  });

  it('serves the profile with the organisation fields lexoffice documents', async () => {
    const { response, bearer, tag } = await call(fakeContext(), '/v1/profile', { token: 'good' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    const body = await response.json();
    expect(Object.keys(body)).toEqual(
      expect.arrayContaining(['organizationId', 'companyName', 'created', 'connectionId', 'taxType', 'smallBusiness']),
    );
    expect(body.created).toMatchObject({ userId: expect.any(String), userEmail: expect.stringContaining('@') });
    expect(bearer).toEqual({ location: 'header', token: 'good', valid: true });
    expect(tag).toBe('t1');
  });

  it('generates the same data for the same seed and different data for another seed', () => {
    const a = JSON.stringify(lexofficeData(11));
    expect(JSON.stringify(lexofficeData(11))).toBe(a);
    expect(JSON.stringify(lexofficeData(12))).not.toBe(a);
  });

  it('refuses a request without a token with 401 {"message":"Unauthorized"} and a Bearer challenge', async () => {
    const { response, bearer } = await call(fakeContext(), '/v1/profile');
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Unauthorized' });
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
    expect(bearer).toEqual({ location: 'none', valid: false });
  });

  it.each(['expired', 'revoked', 'unknown'])('refuses a %s token with 401 invalid_token', async (token) => {
    const { response, bearer } = await call(fakeContext(), '/v1/profile', { token });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(bearer).toMatchObject({ location: 'header', token, valid: false });
  });

  it('treats a non-Bearer Authorization header as no token', async () => {
    const { response } = await call(fakeContext(), '/v1/profile', { headers: { authorization: 'Basic Zm9vOmJhcg==' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('invalid_request');
  });

  it('refuses a Bearer header that breaks the RFC 6750 syntax, journaling it as a header token', async () => {
    const { response, bearer } = await call(fakeContext(), '/v1/profile', {
      headers: { authorization: 'Bearer good extra' },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('invalid_request');
    expect(bearer).toEqual({ location: 'header', token: 'good extra', valid: false });
  });

  it('refuses a token in the query string and journals where it travelled', async () => {
    const { response, bearer, tag } = await call(fakeContext(), '/v1/profile?access_token=good');
    expect(response.status).toBe(401);
    expect(bearer).toEqual({ location: 'query', token: 'good', valid: false });
    expect(tag).toBe('t1');
  });

  it('refuses a token sent both in the header and in the query with 400', async () => {
    const { response, bearer } = await call(fakeContext(), '/v1/profile?access_token=good', { token: 'good' });
    expect(response.status).toBe(400);
    expect(bearer?.location).toBe('query');
  });

  it('accepts a query token only in the permissive mode, still journaling it as a query token', async () => {
    const { response, bearer } = await call(fakeContext({ acceptQueryToken: true }), '/v1/profile?access_token=good');
    expect(response.status).toBe(200);
    expect(bearer).toEqual({ location: 'query', token: 'good', valid: true });
  });

  it('answers 403 insufficient_scope when the token lacks the resource scope', async () => {
    const { response, bearer } = await call(fakeContext(), '/v1/contacts', { token: 'narrow' });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toContain('insufficient_scope');
    expect(await response.json()).toMatchObject({ status: 403, error: 'Forbidden', path: '/v1/contacts' });
    expect(bearer?.valid).toBe(true);
  });

  it('pages contacts as Spring does: 25 by default, size capped at 250, last page flagged', async () => {
    const ctx = fakeContext();
    const first = await (await call(ctx, '/v1/contacts', { token: 'good' })).response.json();
    expect(first).toMatchObject({
      first: true,
      last: false,
      size: 25,
      number: 0,
      numberOfElements: 25,
      totalElements: CONTACT_COUNT,
      totalPages: Math.ceil(CONTACT_COUNT / 25),
    });
    expect(first.sort[0]).toMatchObject({ property: 'name', direction: 'ASC' });
    const last = await (await call(ctx, '/v1/contacts?page=2&size=25', { token: 'good' })).response.json();
    expect(last).toMatchObject({ first: false, last: true, number: 2, numberOfElements: CONTACT_COUNT - 50 });
    const big = await (await call(ctx, '/v1/contacts?size=100000', { token: 'good' })).response.json();
    expect(big.size).toBe(250);
    expect(big.content).toHaveLength(CONTACT_COUNT);
    const middle = await (await call(ctx, '/v1/contacts?page=1', { token: 'good' })).response.json();
    const ids = new Set([...first.content, ...middle.content, ...last.content].map((c: { id: string }) => c.id));
    expect(ids.size).toBe(CONTACT_COUNT);
  });

  it('falls back to defaults for unparseable page parameters instead of failing', async () => {
    const page = await (await call(fakeContext(), '/v1/contacts?page=abc&size=-3', { token: 'good' })).response.json();
    expect(page).toMatchObject({ number: 0, size: 25 });
  });

  it('returns contacts in lexoffice shape and filters by role', async () => {
    const ctx = fakeContext();
    const page = await (await call(ctx, '/v1/contacts?vendor=true&size=250', { token: 'good' })).response.json();
    expect(page.content.length).toBeGreaterThan(0);
    for (const c of page.content) {
      expect(c.roles.vendor.number).toBeGreaterThanOrEqual(70000);
      expect(c).toHaveProperty('version');
      expect(c).toHaveProperty('archived');
      expect(c.addresses.billing[0]).toMatchObject({ countryCode: 'DE' });
      expect(Boolean(c.company) !== Boolean(c.person)).toBe(true);
    }
  });

  it('answers an invalid contacts filter with the legacy IssueList format', async () => {
    const { response } = await call(fakeContext(), '/v1/contacts?name=ab', { token: 'good' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      requestId: expect.any(String),
      IssueList: [{ i18nKey: 'invalid_value', source: 'name', type: 'validation_failure' }],
    });
  });

  it('serves one contact and one invoice by id, and 404 with traceId for an unknown id', async () => {
    const ctx = fakeContext();
    const data = lexofficeData(ctx.seed);
    const c = await call(ctx, `/v1/contacts/${data.contacts[3].id}`, { token: 'good' });
    expect(await c.response.json()).toEqual(JSON.parse(JSON.stringify(data.contacts[3])));
    const inv = await (await call(ctx, `/v1/invoices/${data.invoices[0].id}`, { token: 'good' })).response.json();
    expect(inv).toMatchObject({
      id: data.invoices[0].id,
      voucherStatus: expect.any(String),
      lineItems: expect.any(Array),
    });
    const sum = inv.taxAmounts.reduce((s: number, t: { netAmount: number }) => s + t.netAmount, 0);
    expect(inv.totalPrice.totalNetAmount).toBeCloseTo(sum, 2);
    const missing = await call(ctx, '/v1/invoices/00000000-0000-4000-8000-000000000000', { token: 'good' });
    expect(missing.response.status).toBe(404);
    expect(await missing.response.json()).toMatchObject({
      status: 404,
      error: 'Not Found',
      path: '/v1/invoices/00000000-0000-4000-8000-000000000000',
      traceId: expect.any(String),
    });
  });

  it('answers 406 when the client does not accept JSON', async () => {
    const { response } = await call(fakeContext(), '/v1/profile', { token: 'good', headers: { accept: 'text/html' } });
    expect(response.status).toBe(406);
  });

  it('answers 405 for a write method on a read-only resource and 404 for an unknown path', async () => {
    const ctx = fakeContext();
    expect((await call(ctx, '/v1/profile', { token: 'good', method: 'DELETE' })).response.status).toBe(405);
    expect((await call(ctx, '/v1/nothing', { token: 'good' })).response.status).toBe(404);
  });

  it('limits each token to 2 requests per second when the limit is on, on the provider clock', async () => {
    const ctx = fakeContext({ rateLimit: true });
    const api = createLexofficeApi(ctx);
    const get = async (token = 'good') => {
      const url = new URL('https://api.lexoffice.io/v1/ping');
      const r = await api(new Request(url, { headers: { authorization: `Bearer ${token}` } }), url);
      return r!.response;
    };
    expect((await get()).status).toBe(200);
    expect((await get()).status).toBe(200);
    const limited = await get();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect((await get('narrow')).status).toBe(200);
    ctx.now.t += 500;
    expect((await get()).status).toBe(200);
    expect((await get()).status).toBe(429);
  });

  it('does not limit requests when the limit is off', async () => {
    const ctx = fakeContext();
    const api = createLexofficeApi(ctx);
    for (let i = 0; i < 5; i++) {
      const url = new URL('https://api.lexoffice.io/v1/ping');
      const r = await api(new Request(url, { headers: { authorization: 'Bearer good' } }), url);
      expect(r!.response.status).toBe(200);
    }
  });

  it('delegates POST /v1/revoke to the provider and refuses other methods', async () => {
    const ctx = fakeContext();
    const r = await call(ctx, '/v1/revoke', { method: 'POST', body: 'token=abc' });
    expect(await r.response.text()).toBe('revoked:token=abc');
    expect((await call(ctx, '/v1/revoke')).response.status).toBe(405);
  });
});
