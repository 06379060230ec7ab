/**
 * A browser context whose requests to the real lexoffice hosts are fulfilled by the mock through
 * Playwright's route interception: discovery is read at the real URL, and a browser-side sign-in
 * runs the redirect and a CORS token request against `https://login.lexoffice.io`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { watch } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, findChromium } from '../../harness/browser/find-chromium.js';
import { createMockIdp } from '../index.js';
import { LOGIN_TAG_HEADER, type MockIdp } from '../types.js';
import { mockIdpRouter, routeMockIdp } from './playwright.js';

/** Chromium may still be being installed: wait for /usr/bin to gain it rather than skipping. */
function waitForChromium(): Promise<string> {
  const found = findChromium();
  if (found) return Promise.resolve(found);
  return new Promise((resolve) => {
    const watcher = watch('/usr/bin', () => {
      const exe = findChromium();
      if (exe) {
        watcher.close();
        resolve(exe);
      }
    });
  });
}

describe('Playwright route transport', () => {
  let idp: MockIdp;
  let browser: Browser;
  /** The browser app, served for real on loopback: Playwright does not route a redirect's target again. */
  let app: Server;
  let appOrigin: string;
  let redirect: string;

  beforeAll(async () => {
    app = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>app</title>');
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    appOrigin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    redirect = `${appOrigin}/callback`;
    idp = await createMockIdp({ profile: 'lexoffice', keepOriginalUrls: true, seed: 8 });
    idp.registerClient({ clientId: 'browser-app', authMethod: 'none', redirectUris: [redirect] });
    browser = await chromium.launch({ executablePath: await waitForChromium(), args: CHROMIUM_ARGS });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    app?.closeAllConnections();
    await new Promise<void>((resolve) => (app ? app.close(() => resolve()) : resolve()));
  });

  it('serves the discovery document at the real login host to the browser', async () => {
    const context = await browser.newContext();
    try {
      await routeMockIdp(context, idp);
      const page = await context.newPage();
      const res = await page.goto('https://login.lexoffice.io/.well-known/openid-configuration');
      expect(res?.status()).toBe(200);
      const doc = JSON.parse((await res?.text()) ?? '{}') as Record<string, unknown>;
      expect(doc.issuer).toBe('https://login.lexoffice.io');
      expect(idp.journal.entries({ endpoint: 'discovery' }).length).toBeGreaterThan(0);
    } finally {
      await context.close();
    }
  });

  it('signs in from a page: redirect through the real authorization URL, then a CORS token request', async () => {
    const context = await browser.newContext();
    try {
      await routeMockIdp(context, idp);
      const page = await context.newPage();
      const verifier = randomBytes(32).toString('base64url');
      const authz = new URL(idp.endpoints.authorization);
      authz.search = new URLSearchParams({
        response_type: 'code',
        client_id: 'browser-app',
        redirect_uri: redirect,
        scope: 'openid profile',
        state: 'pw-state',
        nonce: 'pw-nonce',
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      }).toString();
      await page.goto(authz.href);
      const landed = new URL(page.url());
      expect(landed.origin + landed.pathname).toBe(redirect);
      expect(landed.searchParams.get('state')).toBe('pw-state');
      const code = landed.searchParams.get('code');
      expect(code).toBeTruthy();

      const tokens = await page.evaluate(
        async ({ tokenEndpoint, code, verifier, redirect }) => {
          const res = await fetch(tokenEndpoint, {
            method: 'POST',
            body: new URLSearchParams({
              grant_type: 'authorization_code',
              code,
              code_verifier: verifier,
              redirect_uri: redirect,
              client_id: 'browser-app',
            }),
          });
          return { status: res.status, body: (await res.json()) as Record<string, unknown> };
        },
        { tokenEndpoint: idp.endpoints.token, code: code!, verifier, redirect },
      );
      expect(tokens.status).toBe(200);
      expect(typeof tokens.body.access_token).toBe('string');
      const redeemed = idp.journal.entries({ endpoint: 'token' }).at(-1);
      expect(redeemed?.token?.codeVerifier).toBe(verifier);
      expect(redeemed?.request.headers.origin).toBe(appOrigin);
    } finally {
      await context.close();
    }
  });

  it("answers through the router of a route of one's own, with the headers it is given", async () => {
    const context = await browser.newContext();
    try {
      const router = mockIdpRouter(idp);
      const passed: string[] = [];
      await context.route('**/*', async (route) => {
        if (!router.handles(new URL(route.request().url()))) {
          passed.push(route.request().url());
          await route.continue();
          return;
        }
        await router.fulfil(route, { ...route.request().headers(), [LOGIN_TAG_HEADER]: 'router-tag' });
      });
      const page = await context.newPage();
      const res = await page.goto('https://login.lexoffice.io/.well-known/openid-configuration');
      expect(res?.status()).toBe(200);
      expect(idp.journal.entries({ tag: 'router-tag', endpoint: 'discovery' })).toHaveLength(1);
      // The app's own origin is not the mock's.
      expect(router.handles(new URL(`${appOrigin}/callback`))).toBe(false);
      await page.goto(`${appOrigin}/`);
      expect(passed).toEqual([`${appOrigin}/`]);
    } finally {
      await context.close();
    }
  });
});
