/**
 * The reference SPA in Chromium against the mock provider: sign-in, what the browser keeps, refresh,
 * logout, and the callbacks it must refuse.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, findChromium } from '../../harness/browser/find-chromium.js';
import { startMockIdp } from '../../mock-idp/index.js';
import { LOGIN_TAG_HEADER, type Fault, type RunningMockIdp } from '../../mock-idp/types.js';
import { startExample, type RunningExample } from '../shared/test-support.js';

let mock: RunningMockIdp;
let app: RunningExample;
let browser: Browser;
let tagSeq = 0;

beforeAll(async () => {
  mock = await startMockIdp({ profile: 'lexoffice', seed: 5 });
  app = await startExample('reference-spa', mock.idp);
  const executablePath = findChromium();
  if (!executablePath) throw new Error('no Chromium found (install Debian chromium or set LOGIN_HARNESS_BROWSER)');
  browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await mock?.close();
});

interface Visit {
  ctx: BrowserContext;
  page: Page;
  tag: string;
  /** Every request the page made, with its Referer. */
  requests: Array<{ url: string; referer?: string }>;
}

/** A fresh browser context whose visits to the authorization endpoint carry a login tag. */
async function open(fault?: Fault): Promise<Visit> {
  const tag = `spa-b${++tagSeq}`;
  if (fault) mock.idp.faults.arm(tag, fault);
  const ctx = await browser.newContext();
  await ctx.route(`${mock.idp.endpoints.authorization}**`, (route) =>
    route.continue({ headers: { ...route.request().headers(), [LOGIN_TAG_HEADER]: tag } }),
  );
  const page = await ctx.newPage();
  const requests: Visit['requests'] = [];
  page.on('request', (r) => requests.push({ url: r.url(), referer: r.headers()['referer'] }));
  return { ctx, page, tag, requests };
}

/** Resolves when the login's callback has been handled: signed in (#account) or an error shown. */
async function settled(page: Page): Promise<void> {
  await page.locator('#account:visible, #error:visible').first().waitFor({ timeout: 10_000 });
}

describe('reference-spa in Chromium', () => {
  it('signs in with tokens in memory only, a clean address bar and no Referer', async () => {
    const v = await open();
    try {
      await v.page.goto(`${app.origin}/login`);
      await v.page.locator('#account').waitFor({ state: 'visible', timeout: 10_000 });
      expect(v.page.url()).toBe(`${app.origin}/`);
      const stored = await v.page.evaluate(() => ({
        local: Object.keys(localStorage).length,
        session: Object.keys(sessionStorage).length,
        cookie: document.cookie,
      }));
      expect(stored).toEqual({ local: 0, session: 0, cookie: '' });
      expect(v.requests.filter((r) => r.referer !== undefined)).toEqual([]);
      const token = mock.idp.journal.entries({ tag: v.tag, endpoint: 'token' })[0];
      expect(token.token?.clientAuth).toBe('none');
      expect(token.token?.codeVerifier).toBeTruthy();
      const api = await mock.idp.journal.waitFor(
        (e) => e.tag === v.tag && e.endpoint === 'api' && e.request.method === 'GET',
        {
          timeoutMs: 5_000,
        },
      );
      expect(api.bearer?.location).toBe('header');
      const html = await v.page.content();
      for (const a of mock.idp.journal.issued({ tag: v.tag })) expect(html).not.toContain(a.value);
    } finally {
      await v.ctx.close();
    }
  });

  it('signs out through #logout, revokes the refresh token and signs out at the provider, checking the returned state', async () => {
    const v = await open();
    try {
      await v.page.goto(`${app.origin}/login`);
      await v.page.locator('#account').waitFor({ state: 'visible', timeout: 10_000 });
      const refreshToken = mock.idp.journal.issued({ tag: v.tag, kind: 'refresh_token' })[0]?.value;
      const idToken = mock.idp.journal.issued({ tag: v.tag, kind: 'id_token' })[0]?.value;
      await v.page.goto(`${app.origin}/#logout`);
      await v.page.locator('#account').waitFor({ state: 'hidden', timeout: 5_000 });
      const revoked = await mock.idp.journal.waitFor(
        (e) => e.endpoint === 'revocation' && e.revocation?.token === refreshToken,
        {
          timeoutMs: 5_000,
        },
      );
      expect(revoked.response.status).toBe(200);
      // RP-initiated logout: back at the registered post-logout URI with the state this tab sent.
      await v.page.getByText('You have been signed out at lexoffice too.').waitFor({ timeout: 10_000 });
      const endSession = mock.idp.journal.entries({ endpoint: 'end-session' }).find((e) => {
        const q = new URL(e.request.url).searchParams;
        return q.get('id_token_hint') === idToken;
      });
      const q = new URL(endSession?.request.url ?? 'http://x.invalid').searchParams;
      expect(q.get('post_logout_redirect_uri')).toBe(`${app.origin}/signed-out`);
      expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(endSession?.response.status).toBe(302);
      expect(v.page.url()).toBe(`${app.origin}/`);
      expect(await v.page.evaluate(() => Object.keys(sessionStorage).length)).toBe(0);
      expect(await v.page.locator('#error').isVisible()).toBe(false);

      // A return to the post-logout URI that this tab did not start is not taken as a confirmation.
      await v.page.goto(`${app.origin}/signed-out?state=forged`);
      await v.page.locator('#error').waitFor({ state: 'visible', timeout: 5_000 });
      expect(await v.page.locator('#error').textContent()).toMatch(/does not belong to a sign-out started in this tab/);
    } finally {
      await v.ctx.close();
    }
  });

  it('refreshes a short-lived access token with the newest refresh token', async () => {
    const v = await open({ name: 'token.short-lived', expiresIn: 2 });
    try {
      await v.page.goto(`${app.origin}/login`);
      await v.page.locator('#account').waitFor({ state: 'visible', timeout: 10_000 });
      const refreshesOf = () =>
        mock.idp.journal
          .entries({ tag: v.tag, endpoint: 'token' })
          .filter((e) => e.token?.grantType === 'refresh_token');
      // The app refreshes by itself once the 2-second token has expired; wait for its second rotation.
      await mock.idp.journal.waitFor(() => refreshesOf().length >= 2, { timeoutMs: 15_000 });
      const refreshes = refreshesOf();
      const issued = mock.idp.journal.issued({ tag: v.tag, kind: 'refresh_token' }).map((a) => a.value);
      expect(refreshes[0].token?.refreshToken).toBe(issued[0]);
      expect(refreshes[1].token?.refreshToken).toBe(issued[1]);
      expect(refreshes.every((r) => r.token?.outcome === 'issued' && r.token.scope === undefined)).toBe(true);
      expect(await v.page.locator('#account').isVisible()).toBe(true);
    } finally {
      await v.ctx.close();
    }
  });

  it('rejects an altered state without a token request', async () => {
    const v = await open({ name: 'callback.state-altered' });
    try {
      await v.page.goto(`${app.origin}/login`);
      await settled(v.page);
      expect(await v.page.locator('#account').isVisible()).toBe(false);
      expect(await v.page.locator('#error').innerText()).toMatch(/state/);
      expect(mock.idp.journal.entries({ tag: v.tag, endpoint: 'token' })).toHaveLength(0);
    } finally {
      await v.ctx.close();
    }
  });

  it('shows markup in an error response as text, never as HTML', async () => {
    const v = await open({
      name: 'callback.error',
      error: 'access_denied',
      errorDescription: '<img src=x onerror="window.__lhXss=1">',
    });
    try {
      await v.page.goto(`${app.origin}/login`);
      await settled(v.page);
      expect(await v.page.locator('#error').innerText()).toContain('<img src=x');
      expect(await v.page.evaluate(() => (window as unknown as { __lhXss?: number }).__lhXss)).toBeUndefined();
      expect(mock.idp.journal.entries({ tag: v.tag, endpoint: 'token' })).toHaveLength(0);
    } finally {
      await v.ctx.close();
    }
  });
});
