import http from 'node:http';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpFetch, MAX_REDIRECTS, USER_AGENT } from './http-fetch.js';
import { MAX_RESPONSE_BYTES } from './http-send.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Two loopback origins: `a` answers per path, `b` only records what reached it. */
let a: http.Server;
let b: http.Server;
let originA = '';
let originB = '';
const seen: Seen[] = [];
/** A small gzip body that inflates past the response limit. */
const bomb = zlib.gzipSync(Buffer.alloc(MAX_RESPONSE_BYTES + 1024 * 1024));

function record(req: http.IncomingMessage, body: string): void {
  seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
}

async function start(handler: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void) {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      record(req, body);
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

beforeAll(async () => {
  ({ server: b, origin: originB } = await start((_req, res) => res.end('b')));
  ({ server: a, origin: originA } = await start((req, res) => {
    const url = new URL(req.url ?? '/', originA);
    const to = url.searchParams.get('to');
    if (url.pathname.startsWith('/redirect/')) {
      res.writeHead(Number(url.pathname.slice('/redirect/'.length)), { location: to ?? '/echo' }).end();
    } else if (url.pathname === '/loop') {
      res.writeHead(302, { location: '/loop' }).end();
    } else if (url.pathname === '/cookies') {
      res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; HttpOnly']);
      res.setHeader('X-Two', ['x', 'y']);
      res.end('{"ok":true}');
    } else if (url.pathname === '/endless') {
      // Streams until the client goes away.
      const block = Buffer.alloc(1024 * 1024, 'x');
      const pump = (): void => {
        while (res.write(block));
        if (!res.destroyed) res.once('drain', pump);
      };
      res.writeHead(200, { 'content-type': 'text/html' });
      pump();
    } else if (url.pathname === '/bomb') {
      res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(bomb);
    } else if (url.pathname === '/slow') {
      // Never answers: the caller's signal has to end the exchange.
    } else {
      res.writeHead(201, { 'content-type': 'text/plain' }).end('echo');
    }
  }));
});

afterAll(() => {
  a.closeAllConnections();
  b.closeAllConnections();
  a.close();
  b.close();
});

function last(): Seen {
  return seen[seen.length - 1];
}

describe('httpFetch', () => {
  it('sends the body with its length and a user agent, and reads status, headers and text', async () => {
    const res = await httpFetch(`${originA}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=ü',
    });
    expect(res.status).toBe(201);
    expect(res.ok).toBe(true);
    expect(res.body).toBe('echo');
    expect(res.headers.get('Content-Type')).toBe('text/plain');
    expect(last()).toMatchObject({ method: 'POST', body: 'a=ü' });
    expect(last().headers['content-length']).toBe('4');
    expect(last().headers['transfer-encoding']).toBeUndefined();
    expect(last().headers['user-agent']).toBe(USER_AGENT);
  });

  it("keeps the caller's user agent", async () => {
    await httpFetch(`${originA}/echo`, { headers: { 'User-Agent': 'mine' } });
    expect(last().headers['user-agent']).toBe('mine');
  });

  it('gives each Set-Cookie on its own, and the record sorted by lower-case name as Headers did', async () => {
    const res = await httpFetch(`${originA}/cookies`);
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
    expect(res.headers.get('x-two')).toBe('x, y');
    expect(res.headers.get('missing')).toBeNull();
    const names = Object.keys(res.headers.record);
    expect(names).toEqual([...names].sort());
    expect(res.headers.record).toMatchObject({ 'set-cookie': 'a=1; Path=/, b=2; HttpOnly', 'x-two': 'x, y' });
    expect(res.body).toBe('{"ok":true}');
  });

  it('turns a POST into a GET without its body on 303, and on 302, as fetch does', async () => {
    for (const status of [303, 302, 301]) {
      const res = await httpFetch(`${originA}/redirect/${status}?to=/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic x' },
        body: 'code=c',
      });
      expect(res.status).toBe(201);
      expect(last()).toMatchObject({ method: 'GET', url: '/echo', body: '' });
      expect(last().headers['content-type']).toBeUndefined();
      expect(last().headers.authorization).toBe('Basic x');
    }
  });

  it('repeats method and body on 307 and 308', async () => {
    for (const status of [307, 308]) {
      await httpFetch(`${originA}/redirect/${status}?to=/echo`, { method: 'POST', body: 'code=c' });
      expect(last()).toMatchObject({ method: 'POST', url: '/echo', body: 'code=c' });
    }
  });

  it('drops credentials when a redirect leaves the origin', async () => {
    const res = await httpFetch(`${originA}/redirect/302?to=${encodeURIComponent(`${originB}/x`)}`, {
      headers: { authorization: 'Bearer t', cookie: 'sid=1', accept: 'text/html' },
    });
    expect(res.body).toBe('b');
    expect(last().headers.authorization).toBeUndefined();
    expect(last().headers.cookie).toBeUndefined();
    expect(last().headers.accept).toBe('text/html');
  });

  it('answers the redirect itself with redirect: manual', async () => {
    const before = seen.length;
    const res = await httpFetch(`${originA}/redirect/302?to=/echo`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/echo');
    expect(seen.length).toBe(before + 1);
  });

  it(`stops after ${MAX_REDIRECTS} redirects`, async () => {
    const before = seen.length;
    await expect(httpFetch(`${originA}/loop`)).rejects.toThrow(/more than 20 redirects/);
    expect(seen.length - before).toBe(MAX_REDIRECTS + 1);
  });

  it('ends with the reason of an aborted signal, before and during the exchange', async () => {
    const reason = new Error('check ended');
    await expect(httpFetch(`${originA}/echo`, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    const controller = new AbortController();
    const pending = httpFetch(`${originA}/slow`, { signal: controller.signal });
    await new Promise<void>((resolve) => {
      const poll = (): void => (last()?.url === '/slow' ? resolve() : void setImmediate(poll));
      poll();
    });
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('ends an exchange whose body passes the limit, as sent or once inflated', async () => {
    await expect(httpFetch(`${originA}/endless`)).rejects.toThrow('the response body passed 64 MiB');
    expect(bomb.length).toBeLessThan(1024 * 1024);
    await expect(httpFetch(`${originA}/bomb`)).rejects.toThrow('the response body passed 64 MiB');
    // The server still answers: the connection that was cut is not reused.
    expect((await httpFetch(`${originA}/echo`)).status).toBe(201);
  });

  it('refuses URLs that are not http or https', async () => {
    await expect(httpFetch('file:///etc/passwd')).rejects.toThrow(/only http and https/);
  });
});
