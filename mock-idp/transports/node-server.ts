import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { coreHandlerOf, createMockIdp } from '../create-mock-idp.js';
import { knownText, responseHeaderRecord } from '../http/response-text.js';
import type { Exchange, ProviderRequest } from '../provider-context.js';
import { exchangeOf } from '../route-request.js';
import { connectionActivity } from './connection-activity.js';
import type { ListenOptions, MockIdp, RunningMockIdp } from '../types.js';

export { connectionActivity, OTHERS_ACTIVE_MS } from './connection-activity.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '[::1]']);

/** True for loopback addresses (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host) || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Methods the Fetch standard forbids; a web Request cannot carry them, so they never reach the provider. */
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

/** UTF-8 as `Request.text()` decodes it (a leading BOM dropped, malformed bytes replaced). */
const utf8 = new TextDecoder();

/**
 * The provider's view of a node request, read once: no web Request, no body stream. Header values are
 * node's (repeated headers joined), exactly what a web Request built from `req.headers` would hold.
 */
function providerRequestOf(req: IncomingMessage, url: URL, othersActive: boolean): ProviderRequest {
  const raw = req.headers;
  const get = (name: string): string | null => {
    const value = raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  };
  return {
    method: req.method ?? 'GET',
    url: url.href,
    othersActive,
    headers: { get },
    headerRecord: () => {
      // Sorted like Headers iteration, so the journal looks the same whichever transport served it.
      const out: Record<string, string> = {};
      for (const name of Object.keys(raw).sort()) {
        const value = get(name);
        if (value !== null) out[name] = value;
      }
      return out;
    },
  };
}

/**
 * Reads the request body (not for GET and HEAD, which a web Request cannot carry one with). Plain
 * stream events: an async iterator over the request costs more than the rest of a small form's handling.
 * Rejects when the body breaks off.
 */
export function readBody(req: IncomingMessage, method: string): Promise<string> {
  if (method === 'GET' || method === 'HEAD') return Promise.resolve('');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () =>
      resolve(chunks.length === 0 ? '' : utf8.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks))),
    );
    req.once('error', reject);
    // Before 'end', the body broke off. After it (every request's 'close' comes then) there is nothing to
    // reject, and no Error is made: building one captures a stack trace, and that was the largest single
    // cost of the provider's own code in a CPU profile under load.
    req.once('close', () => {
      if (!req.complete) reject(new Error('the request body broke off'));
    });
  });
}

async function writeResponse(res: ServerResponse, response: Response, method: string): Promise<void> {
  const headers: Record<string, string | string[]> = { ...responseHeaderRecord(response) };
  // Each Set-Cookie on its own line (the record joins them).
  if ('set-cookie' in headers) headers['set-cookie'] = response.headers.getSetCookie();
  const text = knownText(response);
  if (method === 'HEAD' || (text === undefined && !response.body)) {
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  // A string body goes out in one write with the header block (node joins them); a buffer would be a
  // second chunk, written with writev after cork and uncork.
  const body = text !== undefined ? text : Buffer.from(await response.arrayBuffer());
  // With the length known, node sends Content-Length instead of chunked framing, which costs both ends.
  if (response.status !== 204 && response.status !== 304) {
    headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
  }
  res.writeHead(response.status, headers);
  res.end(body);
}

/**
 * Serves a mock provider with node:http on loopback (127.0.0.1, a free port by default). It listens
 * first, then creates the provider with `baseUrl` = the listening origin, so issuer and endpoints are
 * the real local URLs. A non-loopback host is refused unless `allowNonLoopback` is set: a mock
 * provider accepts anyone's login and must not be reachable from the network by accident.
 */
export async function startMockIdp(opts: ListenOptions = {}): Promise<RunningMockIdp> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopbackHost(host) && !opts.allowNonLoopback) {
    throw new Error(`refusing to listen on non-loopback host ${host}: set allowNonLoopback to allow it`);
  }
  let idp: MockIdp | undefined;
  let origin = '';
  const othersActive = connectionActivity();
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const core = idp && coreHandlerOf(idp);
        if (!core) {
          res.writeHead(503, { 'content-type': 'text/plain' }).end('starting');
          return;
        }
        let request: ProviderRequest;
        let exchange: Exchange;
        try {
          const method = req.method ?? 'GET';
          if (FORBIDDEN_METHODS.has(method.toUpperCase())) throw new Error(`forbidden method ${method}`);
          const url = new URL(req.url ?? '/', origin);
          // Fetch refuses URLs with credentials (an absolute-form target may carry them).
          if (url.username !== '' || url.password !== '') throw new Error('credentials in the request URL');
          request = providerRequestOf(req, url, othersActive(req.socket, performance.now()));
          exchange = exchangeOf(request, url, await readBody(req, method));
        } catch {
          // What a web Request cannot hold: methods the Fetch standard forbids (CONNECT, TRACE, TRACK),
          // unparseable targets or targets with credentials, a body that broke off.
          res.writeHead(405, { 'content-type': 'application/json' }).end('{"error":"invalid_request"}');
          return;
        }
        const response = await core(request, () => Promise.resolve(exchange));
        await writeResponse(res, response, request.method);
      } catch (error) {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`server error: ${(error as Error).message}`);
      }
    })();
  });
  // Node's default. Fetch (undici) stops reusing a connection 2 s before the server's advertised
  // keep-alive timeout; at 1 s it would open a new connection for every request.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  origin = `http://${hostPart}:${address.port}`;
  const close = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    });
  try {
    const { port: _port, host: _host, allowNonLoopback: _allow, ...idpOptions } = opts;
    idp = await createMockIdp({ ...idpOptions, baseUrl: origin });
  } catch (error) {
    await close();
    throw error;
  }
  return { idp, url: origin, close };
}
