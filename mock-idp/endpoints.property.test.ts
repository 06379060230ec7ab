/**
 * Hostile and malformed requests at every endpoint, straight through `idp.handle` (no sockets, so many
 * runs stay fast). Whatever arrives, the provider answers: never a 5xx, never a thrown error, and every
 * error in the shape its RFC gives it.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMockIdp } from './index.js';
import type { MockIdp } from './types.js';

const BASE = 'http://127.0.0.1:4010';
const REDIRECT = 'http://127.0.0.1:8080/callback';
const NOW = Date.parse('2026-02-01T12:00:00Z');
const RUNS = 300;
const MARKUP = '<script>alert(1)</script>';

/** RFC 6749 A.7: error = 1*( %x20-21 / %x23-5B / %x5D-7E ). */
const ERROR_CODE = /^[\x20\x21\x23-\x5B\x5D-\x7E]+$/;
/** Methods `new Request` accepts (CONNECT, TRACE and TRACK are forbidden by the Fetch standard). */
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'get', 'post', 'PROPFIND', 'X'];

const PARAM_NAMES = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'scopes',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'prompt',
  'response_mode',
  'grant_type',
  'code',
  'code_verifier',
  'refresh_token',
  'client_secret',
  'client_assertion',
  'token',
  'token_type_hint',
  'access_token',
  'id_token_hint',
  'post_logout_redirect_uri',
  'username',
  'password',
  'page',
  'size',
  'name',
];

interface Known {
  paths: string[];
  values: string[];
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** Obtains a real code so some random requests carry values the provider issued. */
async function realCode(idp: MockIdp, clientId: string, verifier: string): Promise<string | undefined> {
  const url = new URL(idp.endpoints.authorization);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT,
    scope: 'openid profile',
    state: 'st',
    nonce: 'n',
    code_challenge: s256(verifier),
    code_challenge_method: 'S256',
  }).toString();
  const res = await idp.handle(new Request(url, { redirect: 'manual' }));
  const loc = res.headers.get('location');
  return loc ? (new URL(loc).searchParams.get('code') ?? undefined) : undefined;
}

function arbitraries(known: Known): fc.Arbitrary<Case> {
  const value = fc.oneof(
    fc.constantFrom(...known.values),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.constantFrom('', ' ', '%zz', '%', '\u0000', '\uFFFF', MARKUP, 'a'.repeat(10_000), 'x,y,,z', 'plain', 'S256'),
    fc.constantFrom('authorization_code', 'refresh_token', 'password', 'client_credentials', 'implicit', 'token'),
  );
  const params = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PARAM_NAMES), fc.string({ maxLength: 12 })), value), {
    maxLength: 12,
  });
  const path = fc.oneof(
    fc.constantFrom(...known.paths),
    fc
      .tuple(fc.constantFrom(...known.paths), fc.string({ maxLength: 20 }))
      .map(([p, s]) => p + '/' + encodeURIComponent(s)),
    fc.constantFrom(
      '/',
      '//',
      '/../',
      '/v1/contacts/%2e%2e',
      '/v1/invoices/' + '9'.repeat(300),
      '/%00',
      '/.well-known/',
    ),
    fc.string({ maxLength: 30 }).map((s) => '/' + encodeURIComponent(s)),
  );
  const b64 = (s: string): string => Buffer.from(s, 'latin1').toString('base64');
  const authorization = fc.oneof(
    fc.constant(undefined),
    fc.constantFrom(
      'Basic',
      'Basic ',
      'Basic !!!',
      'Basic ' + b64('no-colon'),
      'Basic ' + b64(':'),
      'Basic ' + b64('%zz:%'),
      'Basic ' + b64('confidential:wrong'),
      'Basic ' + b64('confidential:s3cret'),
      'Basic ' + b64('confidential:s3cret') + ' trailing',
      'Bearer',
      'Bearer  ',
      'Digest x',
      'basic ' + b64('public:'),
    ),
    fc.string({ maxLength: 30 }).map((s) => 'Basic ' + b64(s)),
    fc.constantFrom(...known.values).map((v) => 'Bearer ' + v),
    fc.stringMatching(/^[\x20-\x7E]{0,60}$/),
  );
  const contentType = fc.constantFrom(
    undefined,
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded; charset=ISO-8859-1',
    'application/json',
    'text/plain',
    'multipart/form-data; boundary=x',
    'application/x-www-form-urlencoded, application/json',
    '',
  );
  const body = fc.oneof(
    fc.constant(undefined),
    params.map((p) => new URLSearchParams(p).toString()),
    fc.constantFrom(
      '{',
      '{"grant_type":',
      '[]',
      'null',
      '{"a":1}',
      '\u0000\u0001',
      'a=%zz&b=%',
      '&&&==&',
      'x'.repeat(200_000),
    ),
    fc.string({ maxLength: 200 }),
    fc.json(),
  );
  const extraHeaders = fc.array(
    fc.tuple(
      fc.constantFrom('accept', 'origin', 'cookie', 'x-login-harness-tag', 'content-length', 'x-forwarded-for', 'dpop'),
      fc.stringMatching(/^[\x20-\x7E]{0,80}$/),
    ),
    { maxLength: 4 },
  );
  const method = fc.constantFrom(...METHODS);
  return fc.record({ method, path, query: params, authorization, contentType, body, extraHeaders });
}

/** One generated request. */
interface Case {
  method: string;
  path: string;
  query: [string, string][];
  authorization: string | undefined;
  contentType: string | undefined;
  body: string | undefined;
  extraHeaders: [string, string][];
}

function toRequest(c: Case): Request {
  // Concatenated, not resolved: a path such as '//x' must stay a path, not become a host.
  const url = new URL(BASE + c.path);
  const qs = new URLSearchParams(c.query);
  url.search = qs.toString();
  const headers = new Headers();
  for (const [k, v] of c.extraHeaders) {
    // content-length is computed by fetch; setting it by hand is not allowed to disagree with the body.
    if (k !== 'content-length') headers.append(k, v.trim());
  }
  if (c.authorization !== undefined) headers.set('authorization', c.authorization.trim());
  if (c.contentType !== undefined) headers.set('content-type', c.contentType);
  const upper = c.method.toUpperCase();
  const body = upper === 'GET' || upper === 'HEAD' ? undefined : c.body;
  return new Request(url, { method: c.method, headers, body, redirect: 'manual' });
}

async function assertShape(idp: MockIdp, c: Case, req: Request, res: Response): Promise<void> {
  const url = new URL(req.url);
  const path = url.pathname;
  const text = req.method.toUpperCase() === 'HEAD' ? '' : await res.text();
  expect(res.status, `${req.method} ${path} -> ${res.status}: ${text.slice(0, 200)}`).toBeLessThan(500);
  expect(res.status).toBeGreaterThanOrEqual(200);
  const jsonEndpoints = [idp.endpoints.token, idp.endpoints.revocation, idp.endpoints.introspection]
    .filter((u): u is string => u !== undefined)
    .map((u) => new URL(u).pathname);
  const method = req.method.toUpperCase();
  if (jsonEndpoints.includes(path) && res.status >= 400 && method === 'POST') {
    // RFC 6749 5.2 (token), RFC 7009 2.2.1 (revocation), RFC 7662 2.3 (introspection).
    expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/);
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(typeof body.error).toBe('string');
    expect(body.error as string).toMatch(ERROR_CODE);
    if ('error_description' in body) {
      expect(typeof body.error_description).toBe('string');
      expect(body.error_description as string).toMatch(ERROR_CODE);
    }
    // RFC 6749 5.2: a client that authenticated with the Authorization header gets 401 with a challenge.
    if (res.status === 401 && /^basic\s+\S/i.test(req.headers.get('authorization') ?? '')) {
      expect(res.headers.get('www-authenticate')).toBeTruthy();
    }
  }
  if (path === new URL(idp.endpoints.authorization).pathname && method === 'GET') {
    if (res.status >= 300 && res.status < 400) {
      const location = res.headers.get('location');
      expect(location).toBeTruthy();
      // Strict mode: the provider only ever redirects to a registered redirect URI (RFC 6749 4.1.2.1).
      expect(location!.startsWith(REDIRECT + '?') || location === REDIRECT).toBe(true);
      const error = new URL(location!).searchParams.get('error');
      if (error !== null) expect(error).toMatch(ERROR_CODE);
    } else if (res.status >= 400) {
      expect(res.headers.get('content-type') ?? '').toMatch(/^text\/html/);
    }
  }
  // Markup sent in any parameter never comes back unescaped (CWE-79).
  if (c.query.some(([, v]) => v.includes(MARKUP)) || (c.body ?? '').includes(encodeURIComponent(MARKUP))) {
    expect(text).not.toContain(MARKUP);
  }
}

async function setup(profile: 'lexoffice' | 'lexoffice-partner'): Promise<{ idp: MockIdp; known: Known }> {
  const idp = await createMockIdp({ profile, seed: 42, baseUrl: BASE, clock: () => NOW });
  idp.registerClient({
    clientId: 'confidential',
    clientSecret: 's3cret',
    authMethod: 'client_secret_basic',
    redirectUris: [REDIRECT],
  });
  if (profile === 'lexoffice') {
    idp.registerClient({ clientId: 'public', authMethod: 'none', redirectUris: [REDIRECT] });
  }
  const verifier = 'v'.repeat(43);
  const code = profile === 'lexoffice' ? await realCode(idp, 'public', verifier) : undefined;
  // The hostile requests should sometimes carry a real code; without one the runs would test less.
  if (profile === 'lexoffice') expect(code).toBeTruthy();
  const endpointPaths = Object.values(idp.endpoints)
    .filter((u): u is string => typeof u === 'string')
    .map((u) => new URL(u).pathname);
  const apiPaths = ['/v1/profile', '/v1/contacts', '/v1/contacts/x', '/v1/invoices/x', '/v1/ping', '/v1/revoke'];
  return {
    idp,
    known: {
      paths: [...new Set([...endpointPaths, ...apiPaths, '/.well-known/openid-configuration'])],
      values: [
        'confidential',
        'public',
        's3cret',
        REDIRECT,
        REDIRECT + '/',
        'http://127.0.0.1:8080/callback?x=1',
        'https://evil.example/callback',
        'code',
        'token',
        'openid profile contact.read',
        'profile.read,contacts.read',
        verifier,
        s256(verifier),
        ...(code ? [code] : []),
      ],
    },
  };
}

describe.each(['lexoffice', 'lexoffice-partner'] as const)('hostile requests to the %s profile', (profile) => {
  let idp: MockIdp;
  let known: Known;
  beforeAll(async () => {
    ({ idp, known } = await setup(profile));
  });

  it('never answers 5xx or throws, and answers errors in their RFC shape', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraries(known), async (c) => {
        const req = toRequest(c);
        const res = await idp.handle(req);
        await assertShape(idp, c, req, res);
      }),
      { numRuns: RUNS, seed: 20260201 },
    );
  });

  it('answers token requests with random form bodies and client credentials with RFC 6749 5.2 JSON errors', async () => {
    const token = new URL(idp.endpoints.token).pathname;
    await fc.assert(
      fc.asyncProperty(arbitraries(known), async (c) => {
        const tc: Case = { ...c, method: 'POST', path: token, contentType: 'application/x-www-form-urlencoded' };
        const req = toRequest(tc);
        const res = await idp.handle(req);
        await assertShape(idp, tc, req, res);
      }),
      { numRuns: RUNS, seed: 7 },
    );
  });

  it('answers authorization requests with random parameters by an error page or a redirect to a registered URI', async () => {
    const authz = new URL(idp.endpoints.authorization).pathname;
    await fc.assert(
      fc.asyncProperty(arbitraries(known), async (c) => {
        const ac: Case = { ...c, method: 'GET', path: authz };
        const req = toRequest(ac);
        const res = await idp.handle(req);
        await assertShape(idp, ac, req, res);
      }),
      { numRuns: RUNS, seed: 11 },
    );
  });
});
