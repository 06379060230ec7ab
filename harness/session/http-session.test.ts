import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_TAG_HEADER } from '../../mock-idp/index.js';
import { stageTinyWebClient, type TinyStage } from './fixtures/tiny-web-client.js';
import { HttpSession } from './http-session.js';

interface Stage extends TinyStage {
  session(id: string, tag?: string): HttpSession;
}

async function stage(loginForm = false): Promise<Stage> {
  const staged = await stageTinyWebClient({ seed: 7, loginForm });
  return { ...staged, session: (id, tag = 'check-a') => new HttpSession(staged.context(id, tag)) };
}

describe('HttpSession against a web client and the mock provider', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('stops at the authorization endpoint without fetching it and parses the request', async () => {
    const session = s.session('stop', 'tag-stop');
    const request = await session.startLogin({ loginQuery: { returnTo: '/x' } });
    expect(request.url.startsWith(s.provider.idp.endpoints.authorization)).toBe(true);
    expect(request.params).toMatchObject({ response_type: 'code', client_id: 'tiny', code_challenge_method: 'S256' });
    expect(request.params.state).toMatch(/^[\w-]{20,}$/);
    expect(s.provider.idp.journal.entries({ tag: 'tag-stop' })).toEqual([]);
    expect(session.transcript()[0].url).toBe(`${s.client.origin}/login?returnTo=%2Fx`);
  });

  it('signs in through approve and deliver, tagging every request to the provider', async () => {
    const session = s.session('login', 'tag-login');
    const { request, response, callback } = await session.login();
    expect(response.callbackUrl?.startsWith(s.client.redirectUri)).toBe(true);
    expect(new URL(response.callbackUrl ?? '').searchParams.get('state')).toBe(request.params.state);
    expect(callback).toMatchObject({ status: 200, finalUrl: `${s.client.origin}/me` });
    expect(await session.isSignedIn()).toBe(true);

    const providerVisits = session
      .transcript()
      .filter((e) => e.url.startsWith(s.provider.url) && e.status !== undefined);
    expect(providerVisits.length).toBeGreaterThan(0);
    for (const e of providerVisits) expect(e.requestHeaders[LOGIN_TAG_HEADER]).toBe('tag-login');
    const clientVisits = session.transcript().filter((e) => e.url.startsWith(s.client.origin));
    for (const e of clientVisits) expect(e.requestHeaders[LOGIN_TAG_HEADER]).toBeUndefined();

    const endpoints = s.provider.idp.journal.entries({ tag: 'tag-login' }).map((e) => e.endpoint);
    expect(endpoints).toEqual(expect.arrayContaining(['authorization', 'token']));
  });

  it('keeps sessions apart: another session is not signed in', async () => {
    const a = s.session('a');
    await a.login();
    const b = s.session('b');
    expect(await a.isSignedIn()).toBe(true);
    expect(await b.isSignedIn()).toBe(false);
  });

  it('is not signed in after a callback with an altered state, and signs out on logout', async () => {
    const session = s.session('altered');
    const request = await session.startLogin();
    const response = await session.approve(request);
    const altered = new URL(response.callbackUrl ?? '');
    altered.searchParams.set('state', 'not-the-state');
    const callback = await session.deliver(altered.href);
    expect(callback.status).toBe(400);
    expect(await session.isSignedIn()).toBe(false);

    const good = s.session('logout');
    await good.login();
    expect(await good.logout()).toBe('ok');
    expect(await good.isSignedIn()).toBe(false);
  });

  it('refuses to start a login when the manifest has no login URL', async () => {
    const { login: _login, ...noLogin } = s.target;
    const ctx = { ...s.context('x', 't'), target: noLogin };
    await expect(new HttpSession(ctx).startLogin()).rejects.toMatchObject({ errorKind: 'configuration' });
  });
});

describe('HttpSession with the provider login form', () => {
  it('approves the login form and returns the redirect back to the client', async () => {
    const s = await stage(true);
    try {
      const session = s.session('form', 'tag-form');
      const request = await session.startLogin();
      const response = await session.approve(request);
      expect(response.callbackUrl?.startsWith(s.client.redirectUri)).toBe(true);
      const kinds = s.provider.idp.journal.entries({ tag: 'tag-form' }).map((e) => e.endpoint);
      expect(kinds).toContain('login-form');
      await session.deliver(response.callbackUrl ?? '');
      expect(await session.isSignedIn()).toBe(true);
    } finally {
      await s.close();
    }
  });
});
