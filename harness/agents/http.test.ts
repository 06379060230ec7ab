import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpAgent, HttpAgentError } from './http.js';

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

async function serve(routes: Record<string, Handler>, seen: Seen[]): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      seen.push({ method: req.method ?? '', path, headers: req.headers, body });
      const route = routes[path];
      if (route) route(req, res, body);
      else {
        res.writeHead(404);
        res.end('not found');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const redirect =
  (to: () => string, status = 302, headers: Record<string, string> = {}): Handler =>
  (_req, res) => {
    res.writeHead(status, { location: to(), ...headers });
    res.end();
  };
const html =
  (text: string, headers: Record<string, string> = {}): Handler =>
  (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html', ...headers });
    res.end(text);
  };

let client: { server: Server; origin: string };
let provider: { server: Server; origin: string };
const clientSeen: Seen[] = [];
const providerSeen: Seen[] = [];
const lastTo = (seen: Seen[], path: string): Seen | undefined => seen.filter((s) => s.path === path).at(-1);

beforeAll(async () => {
  client = await serve(
    {
      '/set': (_req, res) => {
        res.writeHead(200, {
          'content-type': 'text/plain',
          'set-cookie': [
            'strict=1; SameSite=Strict; HttpOnly; Path=/',
            'lax=2; SameSite=Lax; Path=/',
            'plain=3; Path=/',
            'none-insecure=4; SameSite=None; Path=/',
            'none-secure=5; SameSite=None; Secure; Path=/',
            'short=6; Max-Age=60; Path=/',
          ],
        });
        res.end('set');
      },
      '/login': redirect(() => `${provider.origin}/authorize?client_id=c&state=xyz`),
      '/callback': html('<p>signed in</p>'),
      '/me': html('me'),
      '/page': html('<a href="/x">x</a>'),
      '/quiet': html('quiet', { 'referrer-policy': 'unknown-token, no-referrer' }),
      '/loud': html('<head><meta name="referrer" content="unsafe-url"></head>'),
      '/form': (_req, res, body) => {
        res.writeHead(303, { location: `/done?got=${encodeURIComponent(body)}` });
        res.end();
      },
      '/done': html('done'),
      '/gzip': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
        res.end(gzipSync('<p>compressed</p>'));
      },
      '/keep': redirect(() => '/echo', 307),
      '/echo': (req, res, body) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`${req.method} ${body}`);
      },
      '/loop': redirect(() => '/loop'),
      '/app': redirect(() => 'com.example.app:/cb?code=1'),
    },
    clientSeen,
  );
  provider = await serve(
    {
      '/authorize': redirect(() => `${client.origin}/callback?code=abc&state=xyz`),
      '/consent': html('<form method="post" action="/approve"></form>'),
      '/approve': redirect(() => `${client.origin}/echo`, 302),
      '/policy-redirect': redirect(() => `${client.origin}/me`, 302, { 'referrer-policy': 'no-referrer' }),
      '/land': html('provider page'),
    },
    providerSeen,
  );
});

afterAll(async () => {
  await Promise.all([client, provider].map((s) => new Promise((r) => s.server.close(r))));
});

beforeEach(() => {
  clientSeen.length = 0;
  providerSeen.length = 0;
});

function cookieNames(seen: Seen | undefined): string[] {
  const header = seen?.headers.cookie;
  return (typeof header === 'string' ? header.split('; ') : []).map((c) => c.split('=')[0] ?? '').sort();
}

describe('HttpAgent cookies', () => {
  it('stores cookies and sends them back on later requests to the same host', async () => {
    const agent = new HttpAgent();
    await agent.request({ url: `${client.origin}/set` });
    await agent.request({ url: `${client.origin}/me` });
    // SameSite=None without Secure is rejected as Chrome does; Secure cookies work on loopback.
    expect(cookieNames(lastTo(clientSeen, '/me'))).toEqual(['lax', 'none-secure', 'plain', 'short', 'strict']);
    const dump = await agent.cookies(`${client.origin}/`);
    expect(dump.find((c) => c.name === 'strict')).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: false });
    expect(dump.find((c) => c.name === 'plain')?.sameSite).toBeUndefined();
  });

  it('sends Lax but not Strict cookies on the navigation from the provider back to the client', async () => {
    const agent = new HttpAgent();
    await agent.request({ url: `${client.origin}/set` });
    const start = await agent.request({
      url: `${client.origin}/login`,
      stopAt: (u) => u.origin === provider.origin && u.pathname === '/authorize',
    });
    expect(start.stoppedAt).toBe(`${provider.origin}/authorize?client_id=c&state=xyz`);
    expect(providerSeen).toHaveLength(0);
    const approved = await agent.request({ url: start.stoppedAt ?? '', follow: false });
    expect(approved.status).toBe(302);
    const callback = approved.headers.location ?? '';
    const delivered = await agent.request({ url: callback });
    expect(delivered.status).toBe(200);
    expect(cookieNames(lastTo(clientSeen, '/callback'))).toEqual(['lax', 'none-secure', 'plain', 'short']);
    expect(lastTo(clientSeen, '/callback')?.headers['sec-fetch-site']).toBe('cross-site');
    // The next navigation starts from the client's own page: same-site again, Strict cookies return.
    await agent.request({ url: `${client.origin}/me` });
    expect(cookieNames(lastTo(clientSeen, '/me'))).toContain('strict');
    expect(lastTo(clientSeen, '/me')?.headers['sec-fetch-site']).toBe('same-origin');
  });

  it('treats a redirect chain through the provider as cross-site even when followed in one request', async () => {
    const agent = new HttpAgent();
    await agent.request({ url: `${client.origin}/set` });
    const res = await agent.request({ url: `${client.origin}/login` });
    expect(res.url).toBe(`${client.origin}/callback?code=abc&state=xyz`);
    expect(res.redirects).toEqual([`${provider.origin}/authorize?client_id=c&state=xyz`, res.url]);
    expect(cookieNames(lastTo(clientSeen, '/callback'))).not.toContain('strict');
  });

  it('sends only SameSite=None and fresh default cookies on a cross-site POST', async () => {
    let now = 1_000_000;
    const agent = new HttpAgent({ clock: () => now });
    await agent.request({ url: `${client.origin}/set` });
    await agent.request({ url: `${provider.origin}/consent` });
    await agent.request({ url: `${provider.origin}/approve`, method: 'POST', body: 'ok=1' });
    // The redirect after POST became GET (RFC 9110 15.4.3), a safe cross-site navigation: Lax is sent.
    expect(lastTo(clientSeen, '/echo')?.method).toBe('GET');
    expect(cookieNames(lastTo(clientSeen, '/echo'))).toEqual(['lax', 'none-secure', 'plain', 'short']);
    now += 30_000;
    await agent.request({ url: `${provider.origin}/land` });
    await agent.request({ url: `${client.origin}/echo`, method: 'POST', body: 'x=1' });
    // Within two minutes of creation, cookies without SameSite still ride a cross-site POST (Chrome).
    expect(cookieNames(lastTo(clientSeen, '/echo'))).toEqual(['none-secure', 'plain', 'short']);
    now += 5 * 60_000;
    await agent.request({ url: `${provider.origin}/land` });
    await agent.request({ url: `${client.origin}/echo`, method: 'POST', body: 'x=1' });
    // ... and not after; the 60-second cookie has expired by the agent's clock.
    expect(cookieNames(lastTo(clientSeen, '/echo'))).toEqual(['none-secure']);
  });
});

describe('HttpAgent Referer', () => {
  it('sends the full URL same-origin and only the origin cross-origin by default', async () => {
    const agent = new HttpAgent();
    await agent.request({ url: `${client.origin}/page?code=secret-code` });
    await agent.request({ url: `${client.origin}/me` });
    expect(lastTo(clientSeen, '/me')?.headers.referer).toBe(`${client.origin}/page?code=secret-code`);
    await agent.request({ url: `${client.origin}/page?code=secret-code` });
    await agent.request({ url: `${provider.origin}/land` });
    expect(lastTo(providerSeen, '/land')?.headers.referer).toBe(`${client.origin}/`);
  });

  it('sends no Referer for the first, typed navigation', async () => {
    const agent = new HttpAgent();
    await agent.request({ url: `${client.origin}/me` });
    expect(lastTo(clientSeen, '/me')?.headers.referer).toBeUndefined();
    expect(lastTo(clientSeen, '/me')?.headers['sec-fetch-site']).toBe('none');
  });

  it('honours the Referrer-Policy header of the page being left (last known token wins)', async () => {
    const agent = new HttpAgent();
    await agent.request({ url: `${client.origin}/quiet?code=c` });
    await agent.request({ url: `${client.origin}/me` });
    expect(lastTo(clientSeen, '/me')?.headers.referer).toBeUndefined();
  });

  it('honours a meta referrer policy of the page being left', async () => {
    const agent = new HttpAgent();
    await agent.request({ url: `${client.origin}/loud?code=c` });
    await agent.request({ url: `${provider.origin}/land` });
    expect(lastTo(providerSeen, '/land')?.headers.referer).toBe(`${client.origin}/loud?code=c`);
  });

  it('applies a Referrer-Policy set on a redirect to the hops after it', async () => {
    const agent = new HttpAgent();
    await agent.request({ url: `${client.origin}/page` });
    await agent.request({ url: `${provider.origin}/policy-redirect` });
    expect(lastTo(providerSeen, '/policy-redirect')?.headers.referer).toBe(`${client.origin}/`);
    expect(lastTo(clientSeen, '/me')?.headers.referer).toBeUndefined();
  });
});

describe('HttpAgent redirects and transcript', () => {
  it('turns a POST answered with 303 into a GET without body', async () => {
    const agent = new HttpAgent();
    const res = await agent.request({ url: `${client.origin}/form`, method: 'POST', body: 'a=1' });
    expect(res.url).toBe(`${client.origin}/done?got=a%3D1`);
    expect(lastTo(clientSeen, '/form')?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(lastTo(clientSeen, '/form')?.headers.origin).toBe('null');
    expect(lastTo(clientSeen, '/done')?.method).toBe('GET');
  });

  it('decodes a compressed body as a browser would', async () => {
    const agent = new HttpAgent();
    const res = await agent.request({ url: `${client.origin}/gzip` });
    expect(res.body).toBe('<p>compressed</p>');
    expect(lastTo(clientSeen, '/gzip')?.headers['accept-encoding']).toContain('gzip');
  });

  it('keeps method and body across a 307', async () => {
    const agent = new HttpAgent();
    const res = await agent.request({ url: `${client.origin}/keep`, method: 'POST', body: 'b=2' });
    expect(res.body).toBe('POST b=2');
  });

  it('returns the redirect itself when follow is false, and requesting its target continues', async () => {
    const agent = new HttpAgent();
    const res = await agent.request({ url: `${client.origin}/login`, follow: false });
    expect(res.status).toBe(302);
    expect(res.redirects).toEqual([]);
    expect(res.headers.location).toContain('/authorize');
    expect(providerSeen).toHaveLength(0);
    const next = await agent.request({ url: res.headers.location ?? '' });
    expect(next.url).toBe(`${client.origin}/callback?code=abc&state=xyz`);
    // Still the navigation that started at the client and crossed the provider.
    expect(lastTo(clientSeen, '/callback')?.headers['sec-fetch-site']).toBe('cross-site');
  });

  it('gives up after 20 redirects', async () => {
    const agent = new HttpAgent();
    const err = await agent.request({ url: `${client.origin}/loop` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpAgentError);
    expect((err as HttpAgentError).code).toBe('too-many-redirects');
    expect(clientSeen).toHaveLength(21);
  });

  it('does not follow a redirect to a custom scheme', async () => {
    const agent = new HttpAgent();
    const res = await agent.request({ url: `${client.origin}/app` });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('com.example.app:/cb?code=1');
  });

  it('reports a refused connection as a network error and records it', async () => {
    const agent = new HttpAgent();
    const err = await agent.request({ url: 'http://127.0.0.1:1/' }).catch((e: unknown) => e);
    expect((err as HttpAgentError).code).toBe('network');
    expect(agent.transcript()[0]?.note).toMatch(/network error/);
  });

  it("ends an exchange a target trickles when the agent's signal aborts, and starts none after", async () => {
    // A target that sends its head and then one byte a while, never ending the body.
    let closed!: () => void;
    const socketClosed = new Promise<void>((r) => (closed = r));
    let requests = 0;
    const trickle = createServer((req, res) => {
      requests++;
      req.socket.once('close', () => closed());
      res.writeHead(200, { 'content-type': 'text/html' });
      const timer = setInterval(() => res.write('.'), 20);
      res.once('close', () => clearInterval(timer));
    });
    await new Promise<void>((r) => trickle.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(trickle.address() as AddressInfo).port}/`;
    try {
      const check = new AbortController();
      const agent = new HttpAgent({ signal: check.signal });
      const pending = agent.request({ url }).catch((e: unknown) => e);
      while (requests === 0) await new Promise((r) => setTimeout(r, 5));
      const reason = new Error('the check ended');
      check.abort(reason);
      // The reason itself, not a network error of the target's; and the connection is gone.
      expect(await pending).toBe(reason);
      await socketClosed;
      expect(await agent.request({ url }).catch((e: unknown) => e)).toBe(reason);
      expect(requests).toBe(1);
    } finally {
      trickle.closeAllConnections();
      await new Promise((r) => trickle.close(r));
    }
  });

  it('adds per-origin extra headers and records every hop in the transcript', async () => {
    let t = 5;
    const agent = new HttpAgent({
      clock: () => t++,
      extraHeaders: (u): Record<string, string> =>
        u.origin === provider.origin ? { 'X-Login-Harness-Tag': 'check-1' } : {},
    });
    await agent.request({ url: `${client.origin}/login` });
    expect(lastTo(providerSeen, '/authorize')?.headers['x-login-harness-tag']).toBe('check-1');
    expect(lastTo(clientSeen, '/login')?.headers['x-login-harness-tag']).toBeUndefined();
    expect(lastTo(clientSeen, '/login')?.headers['user-agent']).toMatch(/Chrome/);
    expect(lastTo(clientSeen, '/login')?.headers['sec-fetch-mode']).toBe('navigate');
    expect(lastTo(clientSeen, '/login')?.headers.accept).toMatch(/^text\/html/);
    const tr = agent.transcript();
    expect(tr.map((e) => [e.seq, e.agent, e.method, new URL(e.url).pathname, e.status])).toEqual([
      [1, 'http', 'GET', '/login', 302],
      [2, 'http', 'GET', '/authorize', 302],
      [3, 'http', 'GET', '/callback', 200],
    ]);
    expect(tr[2]?.responseBody).toBe('<p>signed in</p>');
    expect(tr[1]?.requestHeaders['x-login-harness-tag']).toBe('check-1');
    expect(tr[0]?.responseHeaders?.location).toContain('/authorize');
    expect(tr.every((e, i) => i === 0 || e.at > (tr[i - 1]?.at ?? 0))).toBe(true);
  });

  it('can stop before the very first request', async () => {
    const agent = new HttpAgent();
    const res = await agent.request({ url: `${provider.origin}/authorize`, stopAt: () => true });
    expect(res.stoppedAt).toBe(`${provider.origin}/authorize`);
    expect(providerSeen).toHaveLength(0);
  });
});

describe('HttpAgent connections', () => {
  it('sends a request again on a fresh connection when a reused one was closed under it', async () => {
    let requests = 0;
    // Answers the first request of each connection with keep-alive, and drops the connection when a
    // second request arrives on it, as a server whose idle timeout fires at that moment does.
    const server = createNetServer((socket) => {
      let seen = 0;
      let buffer = '';
      socket.on('data', (chunk) => {
        buffer += chunk.toString();
        while (buffer.includes('\r\n\r\n')) {
          buffer = buffer.slice(buffer.indexOf('\r\n\r\n') + 4);
          requests++;
          if (++seen > 1) {
            socket.destroy();
            return;
          }
          socket.write(
            'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok',
          );
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const agent = new HttpAgent();
      expect((await agent.request({ url: `${origin}/a` })).body).toBe('ok');
      expect((await agent.request({ url: `${origin}/b` })).body).toBe('ok');
      expect(requests).toBe(3);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
