/**
 * The part of `fetch` the provider audit uses (one request, its status, headers and text, redirects
 * followed or not), on node:http through {@link sendRaw}. With Node's `fetch` (undici: its streams, a
 * `Response` per exchange) the provider audit of the embedded mock took about 0.08 s longer (1.08 s
 * against 1.00 s, paired runs), on the main thread that the embedded mock shares.
 *
 * What differs from `fetch`, on purpose: no headers are added but `User-Agent` (fetch adds
 * `Accept-Language: *` and `Sec-Fetch-Mode: cors`, which no real client of a provider's token endpoint
 * sends), the answer's body is its text, read whole, and a network error keeps Node's own
 * message (`connect ECONNREFUSED 127.0.0.1:4000`, not `fetch failed`).
 */
import { sendRaw, type RawResponse } from './http-send.js';

export interface HttpFetchInit {
  method?: string;
  /** Sent as given (names as written); `User-Agent`, and `Content-Length` with a body, are added when absent. */
  headers?: Record<string, string>;
  body?: string;
  /** `follow` (the default, as fetch's) or `manual`: a 3xx is then the answer. */
  redirect?: 'follow' | 'manual';
  signal?: AbortSignal;
}

/** Fetch's limit on redirects followed (Fetch Standard 4.4, HTTP-redirect fetch, step 5). */
export const MAX_REDIRECTS = 20;

/** How the harness names itself to a provider. */
export const USER_AGENT = 'lexoffice-login-harness';

/** An answer's headers: names case-insensitive, each `Set-Cookie` kept apart. */
export class ResponseHeaders {
  readonly #values: Record<string, string>;
  readonly #setCookies: readonly string[];
  #record: Record<string, string> | undefined;

  constructor(raw: Pick<RawResponse, 'headers' | 'setCookies'>) {
    this.#values = raw.headers;
    this.#setCookies = raw.setCookies;
  }

  /** The value of a header (repeated headers joined with ", "), or null. */
  get(name: string): string | null {
    const key = name.toLowerCase();
    if (key === 'set-cookie') return this.#setCookies.length ? this.#setCookies.join(', ') : null;
    return Object.hasOwn(this.#values, key) ? this.#values[key] : null;
  }

  /** Each `Set-Cookie` header on its own (RFC 6265 forbids folding them). */
  getSetCookie(): string[] {
    return [...this.#setCookies];
  }

  /**
   * Every header by lower-case name, in sorted order, Set-Cookie values joined with ", " (what `fetch`'s
   * `Object.fromEntries(headers.entries())` gave): the form evidence records. Made once per answer.
   */
  get record(): Record<string, string> {
    if (!this.#record) {
      const names = Object.keys(this.#values).filter((k) => k !== 'set-cookie');
      if (this.#setCookies.length) names.push('set-cookie');
      this.#record = Object.fromEntries(names.sort().map((name) => [name, this.get(name) as string]));
    }
    return this.#record;
  }
}

/** An answer, read whole. */
export interface HttpResponse {
  status: number;
  /** A 2xx status. */
  ok: boolean;
  headers: ResponseHeaders;
  body: string;
}

/** Request headers that carry credentials: dropped when a redirect leaves the origin, as fetch does. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);
/** Request headers that describe a body: dropped when a redirect turns the request into a GET. */
const BODY_HEADERS = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'content-language',
  'content-location',
]);

/** Whether `headers` has `name`, whatever the case it is written in. */
function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

/** One exchange, and with `redirect: 'follow'` the redirects after it, per the Fetch Standard's rules. */
export async function httpFetch(input: string | URL, init: HttpFetchInit = {}): Promise<HttpResponse> {
  let url = new URL(input);
  let method = (init.method ?? 'GET').toUpperCase();
  let body = init.body;
  let headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (!hasHeader(headers, 'user-agent')) headers['user-agent'] = USER_AGENT;
  for (let redirects = 0; ; redirects++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new TypeError(`cannot fetch ${url.href}: only http and https URLs are supported`);
    // A length, as fetch sends for a text body (node:http would send the body chunked).
    const sent =
      body !== undefined && !hasHeader(headers, 'content-length')
        ? { ...headers, 'content-length': String(Buffer.byteLength(body)) }
        : headers;
    const raw = await sendRaw(url, method, sent, body, undefined, undefined, init.signal);
    const location = raw.headers.location;
    const isRedirect = [301, 302, 303, 307, 308].includes(raw.status) && location !== undefined;
    if (!isRedirect || init.redirect === 'manual')
      return {
        status: raw.status,
        ok: raw.status >= 200 && raw.status < 300,
        headers: new ResponseHeaders(raw),
        body: raw.body,
      };
    if (redirects >= MAX_REDIRECTS)
      throw new TypeError(`more than ${MAX_REDIRECTS} redirects from ${input.toString()}`);
    const next = new URL(location, url);
    // Fetch Standard 4.4 step 12: 301/302 turn a POST into a GET, 303 anything but HEAD.
    if (
      ((raw.status === 301 || raw.status === 302) && method === 'POST') ||
      (raw.status === 303 && method !== 'HEAD')
    ) {
      method = 'GET';
      body = undefined;
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !BODY_HEADERS.has(k.toLowerCase())));
    }
    // Step 13: credentials are not sent to another origin.
    if (next.origin !== url.origin)
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !CREDENTIAL_HEADERS.has(k.toLowerCase())));
    url = next;
  }
}
