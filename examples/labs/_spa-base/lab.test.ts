/**
 * The shared server of the browser-application labs: patches apply exactly once or stop the lab, and
 * every SPA lab still applies to the current reference SPA (so none silently loses its flaw).
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExampleEnv } from '../../shared/env.js';
import { lab as leakReferer } from '../spa-leak-referer/server.js';
import { lab as leakSessionStorage } from '../spa-leak-session-storage/server.js';
import { lab as leakStorage } from '../spa-leak-storage/server.js';
import { lab as leakUrl } from '../spa-leak-url/server.js';
import { lab as logoutRpInitiated } from '../spa-logout-rp-initiated/server.js';
import { lab as publicClientSecret } from '../spa-public-client-secret/server.js';
import { applyPatches, createSpaLabServer, listenThirdParty, type SpaFile, type SpaLab } from './lab.js';

const ENV: ExampleEnv = {
  issuer: 'http://127.0.0.1:9/',
  clientId: 'lab-spa',
  redirectUri: 'http://127.0.0.1:9/callback',
  scopes: ['openid'],
  apiBaseUrl: 'http://127.0.0.1:9/api',
  port: 0,
  host: '127.0.0.1',
};

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

/** Starts a lab server on a free loopback port and fetches `path` from it. */
async function fetchFrom(lab: SpaLab, path: string, env: ExampleEnv = ENV, thirdParty?: string): Promise<Response> {
  const server = createSpaLabServer(env, lab, thirdParty);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return fetch(`http://127.0.0.1:${port}${path}`);
}

describe('applyPatches', () => {
  const files = new Map<SpaFile, string>([['app.js', 'a();\nb();\nb();\n']]);

  it('replaces text that occurs exactly once', () => {
    const out = applyPatches(files, [{ file: 'app.js', find: 'a();', replace: 'c();' }]);
    expect(out.get('app.js')).toBe('c();\nb();\nb();\n');
    expect(files.get('app.js')).toBe('a();\nb();\nb();\n');
  });

  it('refuses text that is missing or occurs more than once, naming the file', () => {
    expect(() => applyPatches(files, [{ file: 'app.js', find: 'z();', replace: '' }])).toThrow(
      /exactly once in app\.js/,
    );
    expect(() => applyPatches(files, [{ file: 'app.js', find: 'b();', replace: '' }])).toThrow(
      /exactly once in app\.js/,
    );
  });
});

describe('createSpaLabServer', () => {
  it('refuses a client secret unless the lab puts one into the configuration on purpose', () => {
    expect(() => createSpaLabServer({ ...ENV, clientSecret: 's' }, { name: 'lab' })).toThrow(/public client/);
  });

  it('serves the reference SPA with its configuration and no-referrer policy when nothing is replaced', async () => {
    const res = await fetchFrom({ name: 'lab' }, '/callback?code=x');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await res.text();
    expect(html).toContain('"clientId":"lab-spa"');
    expect(html).toContain('<meta name="referrer" content="no-referrer" />');
  });

  it('serves the app at the registered post-logout URI and names it in the configuration', async () => {
    const env = { ...ENV, postLogoutRedirectUri: 'http://127.0.0.1:9/signed-out' };
    const res = await fetchFrom({ name: 'lab' }, '/signed-out?state=x', env);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('"postLogoutRedirectUri":"http://127.0.0.1:9/signed-out"');
    expect((await fetchFrom({ name: 'lab' }, '/signed-out')).status).toBe(404);
  });

  it('leaves out a header the lab sets to null', async () => {
    const res = await fetchFrom({ name: 'lab', headers: { 'referrer-policy': null } }, '/');
    expect(res.headers.get('referrer-policy')).toBeNull();
  });
});

describe('the SPA labs against the current reference SPA', () => {
  it('spa-leak-storage writes the grant to localStorage', async () => {
    const js = await (await fetchFrom(leakStorage, '/app.js')).text();
    expect(js).toContain('localStorage.setItem(GRANT_KEY, JSON.stringify(grant));');
  });

  it('spa-leak-session-storage writes the grant to sessionStorage', async () => {
    const js = await (await fetchFrom(leakSessionStorage, '/app.js')).text();
    expect(js).toContain('sessionStorage.setItem(GRANT_KEY, JSON.stringify(grant));');
  });

  it('spa-leak-url no longer clears the callback from the address bar', async () => {
    const js = await (await fetchFrom(leakUrl, '/app.js')).text();
    expect(js).not.toMatch(/history\.replaceState\(null, '', '\/'\);\n {2}const raw/);
  });

  it('spa-logout-rp-initiated asks to come back to its unregistered home page after signing out', async () => {
    const js = await (await fetchFrom(logoutRpInitiated, '/oidc.js')).text();
    expect(js).toContain("url.searchParams.set('post_logout_redirect_uri', new URL('/', config.redirectUri).href);");
    expect(js).not.toContain('config.postLogoutRedirectUri);');
  });

  it('spa-public-client-secret serves its client secret and sends it with token requests', async () => {
    const env = { ...ENV, clientSecret: 'lab-secret' };
    expect(await (await fetchFrom(publicClientSecret, '/', env)).text()).toContain('"clientSecret":"lab-secret"');
    expect(await (await fetchFrom(publicClientSecret, '/oidc.js', env)).text()).toContain(
      'client_secret: config.clientSecret',
    );
  });

  it('spa-leak-referer loads a script from its third-party host under a policy that sends it the full URL', async () => {
    const origin = await listenThirdParty(leakReferer.thirdParty ?? {}, '127.0.0.1');
    const res = await fetchFrom(leakReferer, '/callback?code=x', ENV, origin);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer-when-downgrade');
    expect(res.headers.get('content-security-policy')).toContain(`script-src 'self' ${origin};`);
    const html = await res.text();
    expect(html).toContain('<meta name="referrer" content="no-referrer-when-downgrade" />');
    expect(html).toContain(`<script async src="${origin}/tag.js"></script>`);
    const tag = await fetch(`${origin}/tag.js`);
    expect(tag.status).toBe(200);
    expect(new URL(origin).origin).not.toBe(new URL(ENV.redirectUri).origin);
  });
});
