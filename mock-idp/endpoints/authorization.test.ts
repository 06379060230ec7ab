import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BASIC_CLIENT,
  PUBLIC_CLIENT,
  REDIRECT_URI,
  authorize,
  codeRequest,
  pkcePair,
  redeem,
  startTestIdp,
} from '../testing/login-flow.js';
import type { RunningMockIdp } from '../types.js';
import { AUTHORIZATION_STEPS, LOGIN_FORM_FIELD, authorizationStepTable } from './authorization.js';

let running: RunningMockIdp;
let partner: RunningMockIdp;
beforeAll(async () => {
  [running, partner] = await Promise.all([
    startTestIdp(),
    startTestIdp({ profile: 'lexoffice-partner' }, [{ ...BASIC_CLIENT, scopes: undefined }]),
  ]);
});
afterAll(async () => {
  await Promise.all([running.close(), partner.close()]);
});

describe('authorization endpoint: client and redirect_uri', () => {
  it('answers an unknown client with an HTML error page, never a redirect', async () => {
    const answer = await authorize(running.idp, codeRequest({ ...PUBLIC_CLIENT, clientId: 'nobody' }));
    expect(answer.status).toBe(400);
    expect(answer.location).toBeUndefined();
    expect(answer.headers.get('content-type')).toMatch(/text\/html/);
  });

  it.each([
    ['a suffix', `${REDIRECT_URI}/evil`],
    ['a different host', 'http://attacker.example/callback'],
    ['a subdomain', 'http://evil.127.0.0.1:8080/callback'],
    ['an added query', `${REDIRECT_URI}?next=x`],
    ['userinfo', 'http://user@127.0.0.1:8080/callback'],
    ['different case', REDIRECT_URI.toUpperCase()],
    ['a trailing slash', `${REDIRECT_URI}/`],
  ])('refuses a redirect_uri with %s with an error page, not a redirect', async (_label, uri) => {
    const answer = await authorize(running.idp, codeRequest(PUBLIC_CLIENT, { redirect_uri: uri }));
    expect(answer.status).toBe(400);
    expect(answer.location).toBeUndefined();
  });

  it('escapes markup reflected on the error page', async () => {
    const answer = await authorize(
      running.idp,
      codeRequest(PUBLIC_CLIENT, { redirect_uri: 'http://x/<script>alert(1)</script>' }),
    );
    expect(answer.body).not.toContain('<script>alert(1)</script>');
    expect(answer.body).toContain('&lt;script&gt;');
  });

  it('never answers a CORS request at the authorization endpoint', async () => {
    const url = new URL(running.idp.endpoints.authorization);
    url.search = new URLSearchParams(codeRequest(PUBLIC_CLIENT)).toString();
    const response = await fetch(url, { redirect: 'manual', headers: { origin: 'http://127.0.0.1:8080' } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(running.idp.endpoints.authorization, {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:8080', 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('authorization endpoint: native clients (RFC 8252 7.3)', () => {
  const NATIVE = {
    clientId: 'native-cli',
    authMethod: 'none' as const,
    redirectUris: ['http://127.0.0.1/callback', 'http://localhost/callback'],
    applicationType: 'native' as const,
  };

  it('redirects to the port the native client chose on its loopback IP redirect URI, and redeems with it', async () => {
    running.idp.registerClient(NATIVE);
    const pkce = pkcePair('native');
    const redirectUri = 'http://127.0.0.1:51004/callback';
    const answer = await authorize(running.idp, codeRequest(NATIVE, { redirect_uri: redirectUri }, pkce));
    expect(answer.location?.origin).toBe('http://127.0.0.1:51004');
    const code = answer.location!.searchParams.get('code')!;
    const token = await redeem(running.idp, NATIVE, code, pkce.verifier, { redirect_uri: redirectUri });
    expect(token.status).toBe(200);
  });

  it('keeps localhost, other paths and web clients to the exact registered URI', async () => {
    running.idp.registerClient(NATIVE);
    for (const [client, uri] of [
      [NATIVE, 'http://localhost:51004/callback'],
      [NATIVE, 'http://127.0.0.1:51004/other'],
      [{ ...NATIVE, clientId: 'native-as-web', applicationType: 'web' as const }, 'http://127.0.0.1:51004/callback'],
    ] as const) {
      running.idp.registerClient(client);
      const answer = await authorize(running.idp, codeRequest(client, { redirect_uri: uri }));
      expect(answer.status, uri).toBe(400);
      expect(answer.location, uri).toBeUndefined();
    }
  });
});

describe('authorization endpoint: redirected errors', () => {
  it('redirects other errors back with error, error_description and state', async () => {
    const answer = await authorize(running.idp, codeRequest(PUBLIC_CLIENT, { scope: 'openid admin.everything' }));
    expect(answer.status).toBe(302);
    expect(answer.location?.origin + answer.location!.pathname).toBe(REDIRECT_URI);
    expect(answer.location?.searchParams.get('error')).toBe('invalid_scope');
    expect(answer.location?.searchParams.get('error_description')).toBeTruthy();
    expect(answer.location?.searchParams.get('state')).toBe('state-0123456789abcdef');
  });

  it('refuses repeated parameters: by redirect, or by page when client_id or redirect_uri repeats', async () => {
    const url = new URL(running.idp.endpoints.authorization);
    url.search = new URLSearchParams(codeRequest(PUBLIC_CLIENT)).toString() + '&state=second';
    const redirected = await fetch(url, { redirect: 'manual' });
    expect(new URL(redirected.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
    url.search =
      new URLSearchParams(codeRequest(PUBLIC_CLIENT)).toString() + `&redirect_uri=${encodeURIComponent(REDIRECT_URI)}`;
    const page = await fetch(url, { redirect: 'manual' });
    expect(page.status).toBe(400);
    expect(page.headers.get('location')).toBeNull();
  });

  it('refuses response_type=token (implicit grant)', async () => {
    const answer = await authorize(running.idp, codeRequest(PUBLIC_CLIENT, { response_type: 'token' }));
    expect(answer.location?.searchParams.get('error')).toBe('unsupported_response_type');
    expect(answer.location?.hash).toBe('');
  });

  it('requires a code_challenge from a public client when S256 is advertised', async () => {
    const params = codeRequest(PUBLIC_CLIENT);
    delete params.code_challenge;
    delete params.code_challenge_method;
    const answer = await authorize(running.idp, params);
    expect(answer.location?.searchParams.get('error')).toBe('invalid_request');
    expect(answer.location?.searchParams.get('error_description')).toMatch(/code_challenge required/);
  });

  it('lets a confidential client go without PKCE', async () => {
    const params = codeRequest(BASIC_CLIENT);
    delete params.code_challenge;
    delete params.code_challenge_method;
    const answer = await authorize(running.idp, params);
    expect(answer.location?.searchParams.get('code')).toBeTruthy();
  });

  it('refuses plain when only S256 is advertised', async () => {
    const { verifier } = pkcePair('plain');
    const answer = await authorize(
      running.idp,
      codeRequest(PUBLIC_CLIENT, { code_challenge: verifier, code_challenge_method: 'plain' }),
    );
    expect(answer.location?.searchParams.get('error')).toBe('invalid_request');
  });

  it('treats a missing code_challenge_method as plain (RFC 7636 4.3) and refuses it', async () => {
    const params = codeRequest(PUBLIC_CLIENT);
    delete params.code_challenge_method;
    const answer = await authorize(running.idp, params);
    expect(answer.location?.searchParams.get('error')).toBe('invalid_request');
  });

  it('checks the format of the challenge', async () => {
    const answer = await authorize(running.idp, codeRequest(PUBLIC_CLIENT, { code_challenge: 'too-short' }));
    expect(answer.location?.searchParams.get('error_description')).toMatch(/malformed/);
  });

  it('does not send iss when RFC 9207 is not advertised', async () => {
    const answer = await authorize(running.idp, codeRequest(PUBLIC_CLIENT));
    expect(answer.location?.searchParams.has('iss')).toBe(false);
  });
});

describe('authorization endpoint: success', () => {
  it('redirects with code and the unchanged state, keeping the redirect URI query', async () => {
    const withQuery = { ...PUBLIC_CLIENT, clientId: 'with-query', redirectUris: ['http://127.0.0.1:8080/cb?tenant=a'] };
    running.idp.registerClient(withQuery);
    const answer = await authorize(running.idp, codeRequest(withQuery, { state: 'a b&c' }));
    expect(answer.location?.searchParams.get('tenant')).toBe('a');
    expect(answer.location?.searchParams.get('state')).toBe('a b&c');
    expect(answer.location?.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(answer.headers.get('cache-control')).toBe('no-store');
  });

  it('accepts the request as POST form too (OIDC Core 3.1.2.1)', async () => {
    const answer = await authorize(running.idp, codeRequest(PUBLIC_CLIENT), { method: 'POST' });
    expect(answer.location?.searchParams.get('code')).toBeTruthy();
  });

  it('records the challenge, method, nonce and redirect_uri with the code', async () => {
    const pkce = pkcePair('record');
    const answer = await authorize(running.idp, codeRequest(PUBLIC_CLIENT, {}, pkce), { tag: 'rec' });
    const code = answer.location?.searchParams.get('code');
    const [artifact] = running.idp.journal.issued({ tag: 'rec', kind: 'code' });
    expect(artifact).toMatchObject({
      value: code,
      codeChallenge: pkce.challenge,
      codeChallengeMethod: 'S256',
      nonce: 'nonce-0123456789abcdef',
      redirectUri: REDIRECT_URI,
      clientId: PUBLIC_CLIENT.clientId,
    });
  });

  it('binds the code to the login tag header', async () => {
    await authorize(running.idp, codeRequest(PUBLIC_CLIENT), { tag: 'bind-me' });
    const entry = running.idp.journal.entries({ tag: 'bind-me', endpoint: 'authorization' })[0];
    expect(entry.authorization?.outcome).toBe('redirect');
    expect(running.idp.journal.issued({ tag: 'bind-me', kind: 'code' })).toHaveLength(1);
  });
});

describe('login form', () => {
  it('shows a form with seeded users and approves on POST, escaping everything reflected', async () => {
    const formIdp = await startTestIdp({ settings: { loginForm: true } });
    try {
      const params = codeRequest(PUBLIC_CLIENT, { state: '"><script>x()</script>' });
      const page = await authorize(formIdp.idp, params, { tag: 'form' });
      expect(page.status).toBe(200);
      expect(page.body).toContain('<form method="post"');
      expect(page.body).not.toContain('<script>x()</script>');
      const fields = Object.fromEntries(
        [...page.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
          m[1],
          m[2]
            .replace(/&quot;/g, '"')
            .replace(/&lt;/g, '<')
            .replace(/&gt;/g, '>')
            .replace(/&#39;/g, "'")
            .replace(/&amp;/g, '&'),
        ]),
      );
      const submit = await authorize(formIdp.idp, { ...fields, login_harness_user: '1' }, { method: 'POST' });
      // RFC 9700 4.12: the redirect answering the form post is 303, so the browser does not post it again.
      expect(submit.status).toBe(303);
      expect(submit.location?.searchParams.get('state')).toBe('"><script>x()</script>');
      const entry = formIdp.idp.journal.entries({ endpoint: 'login-form' })[0];
      expect(entry.tag).toBe('form');
      expect(formIdp.idp.journal.issued({ tag: 'form', kind: 'code' })).toHaveLength(1);
    } finally {
      await formIdp.close();
    }
  });
});

describe('authorization steps', () => {
  it('checks a login-form submission again: an unregistered redirect_uri in it gets the error page', async () => {
    const answer = await authorize(
      running.idp,
      { ...codeRequest(PUBLIC_CLIENT, { redirect_uri: `${REDIRECT_URI}/evil` }), [LOGIN_FORM_FIELD]: '0' },
      { method: 'POST', tag: 'resubmitted' },
    );
    expect(answer.status).toBe(400);
    expect(answer.location).toBeUndefined();
    expect(running.idp.journal.entries({ tag: 'resubmitted', endpoint: 'login-form' })).toHaveLength(1);
  });

  it('the strict checks never ask for a permissive mode or a fault, only for allowances', async () => {
    const source = await readFile(new URL('./authorization/check-steps.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/\.permissive\b|\.faults\b/);
    expect(AUTHORIZATION_STEPS.filter((s) => s.name.startsWith('check_')).every((s) => s.when === undefined)).toBe(
      true,
    );
  });

  it('names every step verb_noun, once', () => {
    const names = AUTHORIZATION_STEPS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z]+_[a-z0-9_]+$/);
  });

  it('the README shows the step table as the endpoint runs it', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(authorizationStepTable());
  });
});

describe('partner profile authorization', () => {
  it('accepts a comma-separated scopes parameter and ignores a code_challenge', async () => {
    const params = codeRequest(BASIC_CLIENT, { scopes: 'profile.read,contacts.read' });
    delete params.scope;
    const answer = await authorize(partner.idp, params, { tag: 'partner' });
    expect(answer.location?.searchParams.get('code')).toBeTruthy();
    const [code] = partner.idp.journal.issued({ tag: 'partner', kind: 'code' });
    expect(code.scope).toBe('profile.read contacts.read');
    expect(code.codeChallenge).toBeUndefined();
  });

  it('redeems with Basic authentication, ignores any code_verifier and issues no ID token', async () => {
    const params = codeRequest(BASIC_CLIENT, { scopes: 'profile.read,invoices.read' });
    delete params.scope;
    const answer = await authorize(partner.idp, params);
    const code = answer.location!.searchParams.get('code')!;
    const tokens = await redeem(partner.idp, BASIC_CLIENT, code, pkcePair('unrelated').verifier);
    expect(tokens.status).toBe(200);
    expect(tokens.json.scope).toBe('profile.read invoices.read');
    expect(tokens.json.id_token).toBeUndefined();
    expect(tokens.json.refresh_token).toEqual(expect.any(String));
  });
});
