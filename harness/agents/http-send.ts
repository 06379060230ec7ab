/**
 * One HTTP exchange without any of fetch's own policies. Global fetch overwrites `Sec-Fetch-Mode`
 * with its request mode (`cors`) and cannot be put in `navigate` mode, so a client that checks
 * Fetch Metadata (https://www.w3.org/TR/fetch-metadata/) would see something no browser sends.
 * node:http is used through its default export, which msw intercepts in in-process mode.
 */
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import { LoginHarnessError } from '../../core/errors.js';

export interface RawResponse {
  status: number;
  /** Header names lower-cased; repeated headers joined with ", " except Set-Cookie. */
  headers: Record<string, string>;
  setCookies: string[];
  body: string;
}

/** Per-exchange limit; a target that never answers is a target error, not a hang. */
export const EXCHANGE_TIMEOUT_MS = 30_000;

/**
 * How long an idle keep-alive connection is kept for reuse. Well below the 5 s Node servers (and the
 * mock provider) close idle connections after: a connection the server is closing at the moment it
 * is reused fails or, worse, swallows the request, so the client must give it up first.
 */
export const IDLE_CONNECTION_MS = 2_000;

/** One person's connections (a browser profile's pool): kept alive between requests, closed with the person. */
export class ConnectionPool {
  readonly http = new http.Agent({ keepAlive: true, timeout: IDLE_CONNECTION_MS });
  readonly https = new https.Agent({ keepAlive: true, timeout: IDLE_CONNECTION_MS });

  /** Closes every connection, idle or not. */
  destroy(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

/**
 * The most a response body may hold, as sent and once decoded: a login page, a token response or an
 * API answer is a few kilobytes, and a target that streams without end (or a small gzip body that
 * inflates to gigabytes) fails its exchange instead of filling the harness's memory.
 */
export const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

function tooLarge(): Error {
  return new Error(`the response body passed ${MAX_RESPONSE_BYTES / (1024 * 1024)} MiB`);
}

function decode(body: Buffer, encoding: string | undefined): Buffer {
  const limit = { maxOutputLength: MAX_RESPONSE_BYTES };
  try {
    switch ((encoding ?? '').trim().toLowerCase()) {
      case 'gzip':
      case 'x-gzip':
        return zlib.gunzipSync(body, limit);
      case 'deflate':
        try {
          return zlib.inflateSync(body, limit);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw err;
          return zlib.inflateRawSync(body, limit);
        }
      case 'br':
        return zlib.brotliDecompressSync(body, limit);
      default:
        return body;
    }
  } catch (err) {
    throw (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' ? tooLarge() : err;
  }
}

/**
 * Sends one request exactly as given (no redirects followed, no headers added but Host). A request
 * that fails on a reused keep-alive connection before any answer arrived (the server closed it at the
 * same moment) is sent once more on a fresh one, as browsers do: the server never processed it.
 */
export async function sendRaw(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  timeoutMs = EXCHANGE_TIMEOUT_MS,
  pool?: ConnectionPool,
  signal?: AbortSignal,
): Promise<RawResponse> {
  try {
    return await sendOnce(url, method, headers, body, timeoutMs, pool, false, signal);
  } catch (err) {
    if (!(err instanceof StaleConnectionError)) throw err;
    return sendOnce(url, method, headers, body, timeoutMs, pool, true, signal);
  }
}

/** A kept-alive connection the server had already closed: the exchange is retried once on a fresh one. */
class StaleConnectionError extends LoginHarnessError<'stale-connection'> {
  constructor(message: string) {
    super('stale-connection', message);
  }
}

function sendOnce(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  timeoutMs: number,
  pool: ConnectionPool | undefined,
  fresh: boolean,
  signal: AbortSignal | undefined,
): Promise<RawResponse> {
  const secure = url.protocol === 'https:';
  const transport = secure ? https : http;
  const agent = fresh ? false : pool ? (secure ? pool.https : pool.http) : undefined;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<RawResponse>((resolveOnce, rejectOnce) => {
    let answered = false;
    // An abort ends the exchange with the signal's reason, as fetch does; the socket is destroyed.
    const onAbort = (): void => {
      reject(signal?.reason);
      req.destroy(signal?.reason as Error);
    };
    const resolve = (r: RawResponse): void => {
      signal?.removeEventListener('abort', onAbort);
      resolveOnce(r);
    };
    const reject = (err: unknown): void => {
      signal?.removeEventListener('abort', onAbort);
      rejectOnce(err);
    };
    const req = transport.request(url, { method, headers, ...(agent !== undefined ? { agent } : {}) }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      let received = 0;
      res.on('data', (c: Buffer) => {
        received += c.length;
        if (received > MAX_RESPONSE_BYTES) {
          reject(tooLarge());
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      res.on('error', reject);
      res.on('end', () => {
        const out: Record<string, string> = {};
        let setCookies: string[] = [];
        for (const [k, v] of Object.entries(res.headers)) {
          if (v === undefined) continue;
          if (k === 'set-cookie') setCookies = Array.isArray(v) ? v : [v];
          else out[k] = Array.isArray(v) ? v.join(', ') : v;
        }
        if (setCookies.length) out['set-cookie'] = setCookies.join('\n');
        let text: string;
        try {
          text = decode(Buffer.concat(chunks), out['content-encoding']).toString('utf8');
        } catch (err) {
          reject(err);
          return;
        }
        resolve({ status: res.statusCode ?? 0, headers: out, setCookies, body: method === 'HEAD' ? '' : text });
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      const stale = !fresh && !answered && req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
      reject(stale ? new StaleConnectionError(err.message) : err);
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    if (body !== undefined) req.write(body);
    req.end();
  });
}
