import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMockIdp } from '../create-mock-idp.js';
import { knownText } from '../http/response-text.js';
import type { ListenOptions, MockIdp, RunningMockIdp } from '../types.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '[::1]']);

/** True for loopback addresses (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host) || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Converts a node request to a web-standard Request against `origin`. */
async function toRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const method = req.method ?? 'GET';
  let body: ArrayBuffer | undefined;
  if (method !== 'GET' && method !== 'HEAD') {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const buffer = Buffer.concat(chunks);
    body = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
  }
  return new Request(new URL(req.url ?? '/', origin), {
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
  });
}

async function writeResponse(res: ServerResponse, response: Response, method: string): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, key) => {
    headers[key] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  res.writeHead(response.status, headers);
  if (method === 'HEAD' || !response.body) {
    res.end();
    return;
  }
  const text = knownText(response);
  res.end(text !== undefined ? text : Buffer.from(await response.arrayBuffer()));
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
  const server = createServer((req, res) => {
    void (async () => {
      try {
        if (!idp) {
          res.writeHead(503, { 'content-type': 'text/plain' }).end('starting');
          return;
        }
        let request: Request;
        try {
          request = await toRequest(req, origin);
        } catch {
          // Methods the Fetch standard forbids (CONNECT, TRACE, TRACK) or unparseable targets.
          res.writeHead(405, { 'content-type': 'application/json' }).end('{"error":"invalid_request"}');
          return;
        }
        const response = await idp.handle(request);
        await writeResponse(res, response, request.method);
      } catch (error) {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`server error: ${(error as Error).message}`);
      }
    })();
  });
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
