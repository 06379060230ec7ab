import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_TAG_HEADER, type RunningMockIdp } from '../../mock-idp/index.js';
import type { BrowserPool } from '../agents/browser.js';
import type { ResolvedTarget } from '../types.js';
import { BrowserSession, launchPool, LOGIN_NAVIGATION_TIMEOUT_MS, LOGIN_REST_MS } from './browser-session.js';
import { stageTinyWebClient, type TinyStage, type TinyWebClient } from './fixtures/tiny-web-client.js';

describe('BrowserSession against a web client and the mock provider', () => {
  let staged: TinyStage;
  let provider: RunningMockIdp;
  let client: TinyWebClient;
  let pool: BrowserPool;
  let target: ResolvedTarget;

  beforeAll(async () => {
    staged = await stageTinyWebClient({ seed: 11 });
    ({ provider, client, target } = staged);
    pool = await launchPool();
  }, 60_000);
  afterAll(async () => {
    await pool?.close();
    await staged?.close();
  });

  const open = (id: string, tag: string, t: ResolvedTarget = target): Promise<BrowserSession> =>
    BrowserSession.open({ ...staged.context(id, tag), target: t }, pool);

  it('signs in in Chromium, stopping at the provider and tagging what reaches it', async () => {
    const s = await open('b1', 'tag-browser');
    try {
      const { request, response, callback } = await s.login();
      expect(request.params.client_id).toBe('tiny');
      expect(response.callbackUrl?.startsWith(client.redirectUri)).toBe(true);
      expect(callback.finalUrl).toBe(`${client.origin}/me`);
      expect(callback.body).toContain('Signed in');
      expect(await s.isSignedIn()).toBe(true);
      const cookies = (await s.storage()).cookies.map((c) => [c.name, c.httpOnly]);
      expect(cookies).toContainEqual(['sid', true]);
      const atProvider = provider.idp.journal.entries({ tag: 'tag-browser' }).map((e) => e.endpoint);
      expect(atProvider).toEqual(expect.arrayContaining(['authorization', 'token']));
      const toClient = s.transcript().filter((e) => e.url.startsWith(client.origin) && e.agent === 'browser');
      expect(toClient.length).toBeGreaterThan(0);
      for (const e of toClient) expect(e.requestHeaders[LOGIN_TAG_HEADER]).toBeUndefined();
    } finally {
      await s.close();
    }
  }, 60_000);

  it('holds a navigation to the provider that a page script starts after the network went quiet', async () => {
    const s = await open('b2', 'tag-script', { ...target, login: { url: `${client.origin}/login-js` } });
    try {
      const request = await s.startLogin();
      expect(request.url.startsWith(provider.idp.endpoints.authorization)).toBe(true);
      // Held at the door: the provider never saw the request.
      expect(provider.idp.journal.entries({ tag: 'tag-script', endpoint: 'authorization' })).toEqual([]);
    } finally {
      await s.close();
    }
  }, 60_000);

  it('ends the wait for a login an app does not start once the app is at rest, and waits for one on a timer', async () => {
    // Pages of browser apps: one that checks something and then shows an error instead of starting the
    // login (as an app that refuses the provider's metadata does), one that starts the login after a
    // pause longer than LOGIN_REST_MS without any request meanwhile (to a page of the tiny client that
    // sends the person on from script), and one that never starts it but keeps a clock running.
    const apps = createServer((req, res) => {
      const scripts: Record<string, string> = {
        '/refuses':
          "fetch('/ping').then((r) => r.text()).then(() => { document.body.textContent = 'metadata refused'; })",
        '/pauses': `setTimeout(() => location.assign(${JSON.stringify(`${client.origin}/login-js`)}), ${LOGIN_REST_MS + 600})`,
        '/ticks': 'setInterval(() => { document.title = String(Date.now()); }, 250)',
      };
      const script = scripts[new URL(req.url ?? '/', 'http://x').pathname];
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(script === undefined ? 'pong' : `<p>app</p><script>${script}</script>`);
    });
    await new Promise<void>((r) => apps.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(apps.address() as AddressInfo).port}`;
    const outcome = async (path: string): Promise<string> => {
      const s = await open(`rest${path}`, `tag-rest${path}`, {
        ...target,
        kind: 'spa',
        login: { url: `${origin}${path}` },
      });
      try {
        const request = await s.startLogin();
        return request.url.startsWith(provider.idp.endpoints.authorization) ? 'started' : request.url;
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      } finally {
        await s.close();
      }
    };
    try {
      expect(await outcome('/refuses')).toMatch(
        new RegExp(
          `came to rest at ${origin}/refuses \\(status 200, showing "metadata refused"\\) .*for ${LOGIN_REST_MS} ms`,
        ),
      );
      expect(await outcome('/pauses')).toBe('started');
      expect(await outcome('/ticks')).toMatch(new RegExp(`within ${LOGIN_NAVIGATION_TIMEOUT_MS} ms`));
    } finally {
      apps.close();
    }
  }, 60_000);

  it('sees a signed-in view a browser app shows late (on a timer, after a timed request) and none it never shows', async () => {
    // Pages of a browser app that shows `#account` only after a pause of its own, without any request
    // during the pause: the harness must not conclude "not signed in" while the app is merely waiting.
    const late = createServer((req, res) => {
      const show = "document.getElementById('account').hidden = false";
      const scripts: Record<string, string> = {
        '/timer': `setTimeout(() => { ${show} }, 150)`,
        '/timer-then-fetch': `setTimeout(() => fetch('/ping').then((r) => r.text()).then(() => { ${show} }), 150)`,
        '/never': '',
      };
      const script = scripts[new URL(req.url ?? '/', 'http://x').pathname];
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(script === undefined ? 'pong' : `<p id="account" hidden>me</p><script>${script}</script>`);
    });
    await new Promise<void>((r) => late.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(late.address() as AddressInfo).port}`;
    const spa: ResolvedTarget = { ...target, kind: 'spa', signedIn: { selector: '#account' } };
    try {
      for (const [path, expected] of [
        ['/timer', true],
        ['/timer-then-fetch', true],
        ['/never', false],
      ] as const) {
        const s = await open(`late${path}`, `tag-late${path}`, spa);
        try {
          await s.deliver(`${origin}${path}`);
          expect({ path, signedIn: await s.isSignedIn() }).toEqual({ path, signedIn: expected });
        } finally {
          await s.close();
        }
      }
    } finally {
      late.close();
    }
  }, 60_000);

  it('keeps browser sessions apart', async () => {
    const a = await open('b3', 'tag-a');
    const b = await open('b4', 'tag-b');
    try {
      await a.login();
      expect(await a.isSignedIn()).toBe(true);
      expect(await b.isSignedIn()).toBe(false);
    } finally {
      await a.close();
      await b.close();
    }
  }, 60_000);
});
