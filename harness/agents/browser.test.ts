import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BrowserPool, type BrowserAgent } from './browser.js';
import { pageScript, selectorShown, type Shown } from './page-scripts.js';

interface Seen {
  path: string;
  headers: IncomingMessage['headers'];
}

async function serve(
  pages: Record<
    string,
    (url: URL) => { status?: number; headers?: Record<string, string | string[]>; body?: string; delayMs?: number }
  >,
  seen: Seen[],
): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/api/endless') {
      // A body that never ends: the reader waits until the page goes away (which closes the request).
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('more to come');
      return;
    }
    seen.push({ path: url.pathname, headers: req.headers });
    const page = pages[url.pathname]?.(url) ?? { status: 404, body: 'not found' };
    const send = (): void => {
      res.writeHead(page.status ?? 200, { 'content-type': 'text/html', ...page.headers });
      res.end(page.body ?? '');
    };
    // Server-side latency of a slow API; the test waits on the browser's events, not on this timer.
    if (page.delayMs) setTimeout(send, page.delayMs);
    else send();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

let pool: BrowserPool;
let app: { server: Server; origin: string };
let idp: { server: Server; origin: string };
const appSeen: Seen[] = [];
const idpSeen: Seen[] = [];
const sessions: BrowserAgent[] = [];
let slowDoneAt = 0;

beforeAll(async () => {
  app = await serve(
    {
      '/': () => ({
        headers: { 'set-cookie': ['sid=abc; HttpOnly; SameSite=Lax; Path=/', 'pref=dark; Path=/'] },
        body: `<html><body><p id="x">home</p><script>localStorage.setItem('token','t-1');sessionStorage.setItem('s','2')</script></body></html>`,
      }),
      '/login': () => ({
        status: 302,
        headers: {
          location: `${idp.origin}/authorize?state=s1`,
          'set-cookie': 'state=s1; HttpOnly; SameSite=Lax; Path=/',
        },
      }),
      '/start': () => ({ status: 303, headers: { location: '/login' } }),
      '/spa-login': () => ({
        body: `<script>fetch('/config').then(() => location.assign('${idp.origin}/authorize?state=s2'))</script>`,
      }),
      '/config': () => ({ headers: { 'content-type': 'application/json' }, body: '{}' }),
      '/callback': (u) => ({
        body: `<img src="/pixel.gif"><a id="out" href="${idp.origin}/land">x</a> code ${u.searchParams.get('code') ?? ''}`,
      }),
      '/pixel.gif': () => ({ headers: { 'content-type': 'image/gif' }, body: '' }),
      '/alert': () => ({ body: `<script>alert('hello from script')</script>` }),
      '/xss': () => ({
        body: `<img src="/nope.png" onerror="window.__lhXss='img-onerror'"><script>__lhXss('inline'); console.log('logged')</script>`,
      }),
      '/nope.png': () => ({ status: 404 }),
      // Leaves state of every kind a browser keeps for an origin, and keeps making requests.
      '/leave-state': () => ({
        headers: {
          'set-cookie': 'left=1; Path=/',
          'cache-control': 'max-age=600',
        },
        body: `<p id="x">state</p><script>
          localStorage.setItem('left', '1'); sessionStorage.setItem('left', '1'); window.name = 'left';
          indexedDB.open('left-db').onsuccess = () => { window.__dbReady = true; };
          setInterval(() => fetch('/config?ping'), 50);
        </script>`,
      }),
      '/read-state': () => ({
        body: `<p id="x">read</p><script>window.__found = [localStorage.getItem('left'), sessionStorage.getItem('left'),
          document.cookie, window.name];</script>`,
      }),
      '/slow': () => ({ body: `<script>fetch('/api/slow')</script>` }),
      // Shows its element in the continuation of its last request, as a SPA shows its signed-in view.
      '/shows-after-request': () => ({
        body: `<p id="account" hidden>me</p><script>
          fetch('/api/slow').then((r) => r.text()).then(() => { document.getElementById('account').hidden = false; });
        </script>`,
      }),
      // Like '/crypto-gap', but the app rewrites its address (a same-document navigation, as a SPA
      // removes code and state from the URL) while its first request is still running.
      '/replace-gap': () => ({
        body: `<script>(async () => {
          const pending = fetch('/config');
          history.replaceState(null, '', '/replaced');
          await (await pending).json();
          for (let i = 0; i < 4; i++) await crypto.subtle.digest('SHA-256', new Uint8Array(32 * 1024 * 1024));
          await fetch('/after-replace');
        })()</script>`,
      }),
      '/busy-forever': () => ({ body: `<script>fetch('/api/endless').then((r) => r.text())</script>` }),
      '/visibility': () => ({
        body: `<p id="shown">a</p><p id="none" style="display:none">b</p><p id="invisible" style="visibility:hidden">c</p>
          <p id="empty"></p><div style="display:contents"><span id="inner">d</span></div>
          <div id="host"></div><script>
          document.getElementById('host').attachShadow({ mode: 'open' }).innerHTML = '<b id="shadowed">e</b>';
        </script>`,
      }),
      // Between its two requests the app waits for WebCrypto (off the main thread, no network).
      '/crypto-gap': () => ({
        body: `<script>(async () => {
          await (await fetch('/config')).json();
          for (let i = 0; i < 4; i++) await crypto.subtle.digest('SHA-256', new Uint8Array(32 * 1024 * 1024));
          await fetch('/after-crypto');
        })()</script>`,
      }),
      '/after-crypto': () => ({ headers: { 'content-type': 'application/json' }, body: '{}' }),
      '/after-replace': () => ({ headers: { 'content-type': 'application/json' }, body: '{}' }),
      '/api/slow': () => ({
        headers: { 'content-type': 'application/json' },
        body: '{"ok":true}',
        delayMs: 300,
      }),
    },
    appSeen,
  );
  idp = await serve(
    {
      '/authorize': () => ({ body: 'provider' }),
      '/land': () => ({ body: 'landed' }),
      '/session': () => ({
        headers: { 'set-cookie': 'idp_sid=p1; HttpOnly; SameSite=Lax; Path=/' },
        body: 'signed in at provider',
      }),
    },
    idpSeen,
  );
  // Wrap the slow API's completion time for the idle test.
  app.server.on('request', (req: IncomingMessage, res) => {
    if (req.url === '/api/slow') res.on('finish', () => (slowDoneAt = Date.now()));
  });
  pool = await BrowserPool.launch();
});

afterAll(async () => {
  await pool?.close();
  await Promise.all([app, idp].map((s) => new Promise((r) => s.server.close(r))));
});

beforeEach(() => {
  appSeen.length = 0;
  idpSeen.length = 0;
});

async function session(opts: Parameters<BrowserPool['newSession']>[0] = {}): Promise<BrowserAgent> {
  const s = await pool.newSession(opts);
  sessions.push(s);
  return s;
}

afterAll(async () => {
  await Promise.all(sessions.map((s) => s.close()));
});

describe('BrowserAgent', () => {
  it('navigates, returns the served document and dumps storage and cookies', async () => {
    const s = await session();
    const res = await s.goto(`${app.origin}/`);
    expect(res.status).toBe(200);
    expect(res.body).toContain('<p id="x">home</p>');
    const dump = await s.storage();
    expect(dump.localStorage).toEqual({ token: 't-1' });
    expect(dump.sessionStorage).toEqual({ s: '2' });
    expect(dump.cookies.find((c) => c.name === 'sid')).toMatchObject({ value: 'abc', httpOnly: true, sameSite: 'Lax' });
    expect(dump.cookies.find((c) => c.name === 'pref')?.httpOnly).toBe(false);
  });

  it("reads the tab's document as Playwright's content() does, after the page's scripts changed it", async () => {
    const s = await session();
    await s.goto(`${app.origin}/`);
    await s.page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<p id="late">added &amp; "quoted"</p>'));
    const content = await s.content();
    expect(content).toContain('<p id="late">added &amp; "quoted"</p>');
    expect(content).toBe(await s.page.content());
    await s.page.setContent('<!DOCTYPE html><title>t</title><p>doctype</p>');
    expect(await s.content()).toBe(await s.page.content());
    expect(await s.content()).toMatch(/^<!DOCTYPE html><html>/);
    // The page's own scripts cannot change what is read: it is read in a world of their own.
    await s.page.evaluate(() => {
      Object.defineProperty(Element.prototype, 'outerHTML', { get: () => '<html>hidden</html>' });
      XMLSerializer.prototype.serializeToString = () => '';
    });
    expect(await s.content()).toBe(
      '<!DOCTYPE html><html><head><title>t</title></head><body><p>doctype</p></body></html>',
    );
  });

  it('still reports localStorage of an origin the page has since left', async () => {
    const s = await session();
    await s.goto(`${app.origin}/`);
    await s.goto(`${idp.origin}/elsewhere`);
    const dump = await s.storage();
    expect(dump.localStorage).toEqual({ [`${app.origin} token`]: 't-1' });
  });

  it('stops a redirect at the provider without fetching it', async () => {
    const s = await session();
    const res = await s.goto(`${app.origin}/login`, {
      stopAt: (u) => u.origin === idp.origin && u.pathname === '/authorize',
    });
    expect(res.stoppedAt).toBe(`${idp.origin}/authorize?state=s1`);
    expect(res.status).toBe(302);
    expect(idpSeen).toHaveLength(0);
    const tr = s.transcript();
    expect(tr.at(-1)?.note).toContain('not fetched');
    expect(tr.at(-1)?.url).toBe(`${idp.origin}/authorize?state=s1`);
    // The transcript shows what the client really answered.
    await s.waitForNetworkIdle();
    const login = s.transcript().find((e) => e.url === `${app.origin}/login`);
    expect(login?.status).toBe(302);
    expect(login?.responseHeaders?.location).toBe(`${idp.origin}/authorize?state=s1`);
    // The cookie the client set with its redirect is kept, as a browser following it would keep it.
    expect((await s.storage()).cookies.map((c) => c.name)).toContain('state');
  });

  it('stops at the provider at the end of a chain of redirects', async () => {
    const s = await session();
    const res = await s.goto(`${app.origin}/start`, { stopAt: (u) => u.origin === idp.origin });
    expect(res.stoppedAt).toBe(`${idp.origin}/authorize?state=s1`);
    expect(appSeen.map((r) => r.path)).toEqual(['/start', '/login']);
    expect(idpSeen).toHaveLength(0);
    // Without stopAt the same navigation reaches the provider.
    const through = await s.goto(`${app.origin}/start`);
    expect(through.url).toBe(`${idp.origin}/authorize?state=s1`);
    expect(through.body).toBe('provider');
  });

  it('stops a navigation the page starts from script after its own requests', async () => {
    const s = await session();
    const res = await s.goto(`${app.origin}/spa-login`, { stopAt: (u) => u.origin === idp.origin });
    expect(res.stoppedAt).toBe(`${idp.origin}/authorize?state=s2`);
    expect(idpSeen).toHaveLength(0);
    expect(appSeen.map((r) => r.path)).toEqual(['/spa-login', '/config']);
  });

  it('records requests with the Referer and cookies as sent, and document bodies', async () => {
    const s = await session({
      extraHeaders: (u): Record<string, string> => (u.origin === idp.origin ? { 'x-login-harness-tag': 'tag-7' } : {}),
    });
    await s.goto(`${app.origin}/`);
    await s.goto(`${app.origin}/callback?code=c-123`);
    await s.page.click('#out');
    await s.page.waitForURL(`${idp.origin}/land`);
    expect(await s.waitForNetworkIdle()).toBe(true);
    const tr = s.transcript();
    const pixel = tr.find((e) => e.url.endsWith('/pixel.gif'));
    expect(pixel?.agent).toBe('browser');
    expect(pixel?.requestHeaders.referer).toBe(`${app.origin}/callback?code=c-123`);
    expect(pixel?.requestHeaders.cookie).toContain('sid=abc');
    const land = tr.find((e) => e.url === `${idp.origin}/land`);
    // Default policy strict-origin-when-cross-origin: only the origin crosses.
    expect(land?.requestHeaders.referer).toBe(`${app.origin}/`);
    expect(land?.requestHeaders['x-login-harness-tag']).toBe('tag-7');
    expect(idpSeen.find((r) => r.path === '/land')?.headers['x-login-harness-tag']).toBe('tag-7');
    expect(appSeen.every((r) => r.headers['x-login-harness-tag'] === undefined)).toBe(true);
    // Adding headers must not cost the request its cookies.
    await s.goto(`${idp.origin}/session`);
    await s.goto(`${idp.origin}/land`);
    expect(idpSeen.filter((r) => r.path === '/land').at(-1)?.headers.cookie).toContain('idp_sid=p1');
    expect(idpSeen.filter((r) => r.path === '/land').at(-1)?.headers['x-login-harness-tag']).toBe('tag-7');
    const cb = tr.find((e) => e.url.includes('/callback'));
    expect(cb?.status).toBe(200);
    expect(cb?.responseBody).toContain('code c-123');
    expect(tr.map((e) => e.seq)).toEqual(tr.map((_e, i) => i + 1));
  });

  it('records and dismisses dialogs', async () => {
    const s = await session();
    await s.goto(`${app.origin}/alert`);
    expect(s.scriptEvents()).toContainEqual({
      type: 'dialog',
      text: 'alert: hello from script',
      url: `${app.origin}/alert`,
    });
  });

  it('records __lhXss markers set or called by injected script, and console messages', async () => {
    const s = await session();
    await s.goto(`${app.origin}/xss`);
    await s.waitForNetworkIdle();
    await expect
      .poll(() =>
        s
          .scriptEvents()
          .filter((e) => e.type === 'marker')
          .map((e) => e.text)
          .sort(),
      )
      .toEqual(['img-onerror', 'inline']);
    expect(
      s
        .scriptEvents()
        .filter((e) => e.type === 'marker')
        .map((e) => e.url),
    ).toEqual([`${app.origin}/xss`, `${app.origin}/xss`]);
    expect(s.scriptEvents()).toContainEqual({ type: 'console', text: 'log: logged', url: `${app.origin}/xss` });
  });

  it("keeps the agent's report bindings out of the page's reach", async () => {
    const s = await session();
    await s.goto(`${app.origin}/xss`);
    // The init scripts took them off the global object before the page's scripts ran.
    expect(
      await s.page.evaluate(() => ['__lhXssReport', '__lhBusyReport'].map((n) => typeof Reflect.get(window, n))),
    ).toEqual(['undefined', 'undefined']);
  });

  it('waits for the network to go quiet after the last request ended', async () => {
    const s = await session();
    slowDoneAt = 0;
    await s.goto(`${app.origin}/slow`);
    expect(await s.waitForNetworkIdle()).toBe(true);
    expect(slowDoneAt).toBeGreaterThan(0);
    expect(Date.now() - slowDoneAt).toBeGreaterThanOrEqual(90);
    expect(s.transcript().find((e) => e.url.endsWith('/api/slow'))?.status).toBe(200);
  });

  it('ends the wait for requests as soon as the last one has finished, without a quiet period', async () => {
    const s = await session();
    slowDoneAt = 0;
    // The wait is for a caller that knows the page has started its requests: here, once it has.
    const started = s.page.waitForRequest((r) => r.url().endsWith('/api/slow'));
    await s.goto(`${app.origin}/slow`);
    await started;
    let quietReached = false;
    const quiet = s.waitForNetworkIdle({ quietMs: 2_000, timeoutMs: 20_000 }).then((v) => (quietReached = v));
    expect(await s.waitForRequestsDone()).toBe(true);
    expect(slowDoneAt).toBeGreaterThan(0);
    expect(s.transcript().find((e) => e.url.endsWith('/api/slow'))?.status).toBe(200);
    // The network-idle wait is still in its quiet window: the requests-done wait did not need one.
    expect(quietReached).toBe(false);
    await quiet;
  });

  it('stops a script navigation to the stop URL while the caller settles on its own event', async () => {
    const s = await session();
    let settled = false;
    const res = await s.goto(`${app.origin}/spa-login`, {
      stopAt: (u) => u.origin === idp.origin,
      // An event that never comes: only the stop can end the navigation.
      settle: () => new Promise<void>(() => undefined).finally(() => (settled = true)),
    });
    expect(res.stoppedAt).toBe(`${idp.origin}/authorize?state=s2`);
    expect(settled).toBe(false);
    expect(idpSeen).toHaveLength(0);
  });

  it('does not count the network as quiet while the page waits for work of its own between requests', async () => {
    const s = await session();
    await s.goto(`${app.origin}/crypto-gap`);
    expect(await s.waitForNetworkIdle({ quietMs: 50, timeoutMs: 30_000 })).toBe(true);
    expect(appSeen.map((x) => x.path)).toContain('/after-crypto');
    expect(s.transcript().find((e) => e.url.endsWith('/after-crypto'))?.status).toBe(200);
  });

  it('looks for an element each time the page comes to rest, and finds one shown after the last request', async () => {
    const s = await session();
    slowDoneAt = 0;
    await s.goto(`${app.origin}/shows-after-request`);
    const looks: boolean[] = [];
    const found = await s.waitAtRestFor(async () => {
      const v = await s.page.evaluate(() => !document.getElementById('account')?.hidden);
      looks.push(v);
      return v;
    }, new AbortController().signal);
    expect(found).toBe(true);
    // The slow request had ended when it was found; the looks before it (if any) found nothing.
    expect(slowDoneAt).toBeGreaterThan(0);
    expect(looks.at(-1)).toBe(true);
    expect(looks.slice(0, -1).every((v) => !v)).toBe(true);
  });

  it('ends a wait at rest for an element that never shows only when told to, with false', async () => {
    const s = await session();
    await s.goto(`${app.origin}/visibility`);
    const stop = new AbortController();
    let looks = 0;
    const wait = s.waitAtRestFor(async () => {
      looks++;
      return false;
    }, stop.signal);
    expect(await s.waitForNetworkIdle()).toBe(true);
    stop.abort();
    expect(await wait).toBe(false);
    expect(looks).toBeGreaterThanOrEqual(1);
  });

  it('tells visible, hidden and missing elements apart as Playwright does, and names a selector that is no CSS', async () => {
    const s = await session();
    await s.goto(`${app.origin}/visibility`);
    const shown = (sel: string): Promise<Shown> => s.evaluate<Shown>(pageScript(selectorShown, sel));
    for (const sel of ['#shown', '#inner', '#shadowed', 'p']) {
      expect(await shown(sel)).toBe('visible');
      expect(await s.page.locator(sel).first().isVisible()).toBe(true);
    }
    for (const sel of ['#none', '#invisible', '#empty', '#missing']) {
      expect(await shown(sel)).toBe('hidden');
      expect(await s.page.locator(sel).first().isVisible()).toBe(false);
    }
    expect(await shown('text=a')).toBe('invalid');
  });

  it('lets a session wait for a context being reset instead of opening another', async () => {
    const own = await BrowserPool.launch();
    try {
      const a = await own.newSession();
      await a.goto(`${app.origin}/leave-state`);
      // The session ends at once; its context is reset in the background.
      await a.close();
      const b = await own.newSession();
      expect(b.context).toBe(a.context);
      expect(own.created).toBe(1);
      expect(await b.context.cookies()).toEqual([]);
      await b.close();
    } finally {
      await own.close();
    }
  });

  it('stops redirects for each session of a reused context, and a session ended while armed stops nothing after', async () => {
    const own = await BrowserPool.launch();
    try {
      const toProvider = (u: URL): boolean => u.origin === idp.origin && u.pathname === '/authorize';
      const a = await own.newSession();
      expect((await a.goto(`${app.origin}/login`, { stopAt: toProvider })).stoppedAt).toBe(
        `${idp.origin}/authorize?state=s1`,
      );
      // A navigation of A still armed when A ends (a check that timed out mid-login).
      const late = a.goto(`${app.origin}/slow`, { stopAt: toProvider }).catch(() => undefined);
      await a.close();
      const b = await own.newSession();
      expect(b.context).toBe(a.context);
      expect(own.created).toBe(1);
      // Unarmed, B's redirect is followed to the provider.
      const through = await b.goto(`${app.origin}/login`);
      expect(through.url).toBe(`${idp.origin}/authorize?state=s1`);
      expect(through.body).toBe('provider');
      await late;
      const stopped = await b.goto(`${app.origin}/login`, { stopAt: toProvider });
      expect(stopped.stoppedAt).toBe(`${idp.origin}/authorize?state=s1`);
      expect(b.transcript().at(-1)?.note).toContain('not fetched');
      expect(a.transcript().some((e) => e.url.startsWith(idp.origin) && !e.note)).toBe(false);
      await b.close();
    } finally {
      await own.close();
    }
  });

  it('keeps counting the page busy across a same-document navigation (history.replaceState) its scripts make', async () => {
    const s = await session();
    await s.goto(`${app.origin}/replace-gap`);
    expect(await s.waitForNetworkIdle({ quietMs: 50, timeoutMs: 30_000 })).toBe(true);
    expect(appSeen.map((x) => x.path)).toContain('/after-replace');
    expect(s.transcript().find((e) => e.url.endsWith('/after-replace'))?.status).toBe(200);
  });

  it('ends the work of a document the page has left, though that document never reported it done', async () => {
    const s = await session();
    // Busy reading a response body that never ends, for as long as the document lives.
    await s.goto(`${app.origin}/busy-forever`);
    await s.goto(`${app.origin}/read-state`);
    expect(await s.waitForNetworkIdle({ quietMs: 50, timeoutMs: 5_000 })).toBe(true);
  });

  it('reports a network that does not go quiet in time', async () => {
    const s = await session();
    await s.goto(`${app.origin}/slow`);
    expect(await s.waitForNetworkIdle({ timeoutMs: 60 })).toBe(false);
  });

  it('keeps sessions apart and lets a router answer for a real host, with the extra headers', async () => {
    const seenByRoute: Array<Record<string, string>> = [];
    const s = await session({
      extraHeaders: (u): Record<string, string> =>
        u.hostname === 'login.example.test' ? { 'x-login-harness-tag': 'tag-9' } : {},
      router: {
        handles: (u) => u.hostname === 'login.example.test',
        fulfil: async (route, headers) => {
          seenByRoute.push(headers);
          await route.fulfill({
            status: 200,
            contentType: 'text/html',
            headers: { 'x-answered-by': 'router' },
            body: '<p>mock provider</p>',
          });
        },
      },
    });
    const res = await s.goto('https://login.example.test/authorize');
    expect(res.body).toBe('<p>mock provider</p>');
    expect(seenByRoute[0]?.['x-login-harness-tag']).toBe('tag-9');
    // The transcript has the answer as the browser got it, and the request as the browser sent it
    // (without the extra headers, which only the router saw).
    await s.waitForNetworkIdle({ timeoutMs: 5000 });
    const routed = s.transcript().find((e) => e.url === 'https://login.example.test/authorize');
    expect(routed?.status).toBe(200);
    expect(routed?.responseHeaders).toMatchObject({ 'content-type': 'text/html', 'x-answered-by': 'router' });
    expect(routed?.responseBody).toBe('<p>mock provider</p>');
    expect(routed?.requestHeaders?.['user-agent']).toMatch(/Chrome/);
    expect(routed?.requestHeaders).not.toHaveProperty('x-login-harness-tag');
    const other = await session();
    expect((await other.storage()).cookies).toEqual([]);
  });

  it("answers nothing from an ended session's router in the next session of the same context", async () => {
    const own = await BrowserPool.launch();
    try {
      const answered: string[] = [];
      const a = await own.newSession({
        router: {
          handles: (u) => u.origin === app.origin && u.pathname === '/routed',
          fulfil: async (route) => {
            answered.push('a');
            await route.fulfill({ status: 200, contentType: 'text/html', body: '<p>from a</p>' });
          },
        },
      });
      expect((await a.goto(`${app.origin}/routed`)).body).toBe('<p>from a</p>');
      await a.close();
      const b = await own.newSession();
      expect(b.context).toBe(a.context);
      appSeen.length = 0;
      // B has no router: the same request reaches the server, and A's router is not asked.
      await b.goto(`${app.origin}/routed`);
      expect(answered).toEqual(['a']);
      expect(appSeen.map((x) => x.path)).toContain('/routed');
      await b.close();
    } finally {
      await own.close();
    }
  });

  it('gives the next session a used context only after resetting it to the state of a fresh one', async () => {
    const own = await BrowserPool.launch();
    try {
      const a = await own.newSession({ extraHeaders: () => ({ 'x-session': 'a' }) });
      await a.goto(`${app.origin}/leave-state`);
      await a.page.waitForFunction(() => (window as unknown as { __dbReady?: boolean }).__dbReady === true);
      expect(await a.page.evaluate(() => indexedDB.databases().then((d) => d.map((x) => x.name)))).toContain('left-db');
      const context = a.context;
      const aEntries = a.transcript().length;
      await a.close();
      // What a session recorded stays readable after it ended.
      expect(a.transcript().length).toBeGreaterThanOrEqual(aEntries);

      appSeen.length = 0;
      const b = await own.newSession({ extraHeaders: () => ({ 'x-session': 'b' }) });
      expect(b.context).toBe(context);
      expect(await b.context.cookies()).toEqual([]);
      const res = await b.goto(`${app.origin}/read-state`);
      expect(res.status).toBe(200);
      expect(await b.page.evaluate(() => (window as unknown as { __found: unknown[] }).__found)).toEqual([
        null,
        null,
        '',
        '',
      ]);
      expect(await b.page.evaluate(() => indexedDB.databases().then((d) => d.map((x) => x.name)))).toEqual([]);
      // A's page is gone: none of its timers reach the server or B's transcript, and B's headers are B's.
      expect(b.transcript().every((e) => !e.url.includes('ping'))).toBe(true);
      expect(appSeen.filter((x) => x.path === '/read-state').map((x) => x.headers['x-session'])).toEqual(['b']);
      // The cached page is not served from A's cache.
      await b.goto(`${app.origin}/leave-state`);
      expect(appSeen.filter((x) => x.path === '/leave-state')).toHaveLength(1);
      await b.close();
    } finally {
      await own.close();
    }
  });
});
