/**
 * A plain HTTP user agent that behaves like a browser where a login depends on it: a cookie jar with
 * SameSite rules, redirects followed one hop at a time, a browser's Referer, and a full transcript of
 * every exchange as evidence.
 */
import { Cookie, CookieJar } from 'tough-cookie';
import { LoginHarnessError } from '../../core/errors.js';
import type { SessionRequest, SessionResponse, StorageDump, TranscriptEntry } from '../types.js';
import {
  computeReferrer,
  DEFAULT_REFERRER_POLICY,
  metaReferrerPolicy,
  parseReferrerPolicy,
  type ReferrerPolicy,
} from './referrer.js';
import { ConnectionPool, sendRaw, type RawResponse } from './http-send.js';
import { siteOf, type SiteMode } from './site.js';

/** A current desktop Chrome; some clients vary their pages by browser. */
export const BROWSER_USER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';

const NAVIGATION_ACCEPT =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8';

/** Browsers give up after 20 redirects (Fetch, "HTTP-redirect fetch" step 5). */
export const MAX_REDIRECTS = 20;

/** Cookies without SameSite are Lax, but Chrome still sends them on a cross-site POST for 2 minutes. */
const LAX_ALLOWING_UNSAFE_MS = 120_000;

export interface HttpAgentOptions {
  /** Headers added to every request to `url` (the login tag for the provider's origin). */
  extraHeaders?: (url: URL) => Record<string, string>;
  /** Time source for the transcript and cookie expiry. */
  clock?: () => number;
  /** How sites are compared for SameSite cookies; see `site.ts`. Default `origin`. */
  siteMode?: SiteMode;
  userAgent?: string;
  /**
   * Ends the exchange under way, with the signal's reason, and every later one before it starts: the
   * check's signal, so that a target still answering (or trickling an answer) when its check timed
   * out or ended does not keep a connection for the rest of the run.
   */
  signal?: AbortSignal;
}

export type HttpAgentErrorCode = 'too-many-redirects' | 'network';

/** The user agent could not complete a navigation (as a browser would show an error page). */
export class HttpAgentError extends LoginHarnessError<HttpAgentErrorCode> {
  readonly url: string;
  constructor(code: HttpAgentErrorCode, url: string, message: string, cause?: unknown) {
    super(code, message, { cause });
    this.url = url;
  }
}

/** A navigation in progress: who started it and whether it has crossed sites (RFC 6265bis 5.2.1). */
interface Chain {
  /** Document that started the navigation; null for a typed address. */
  initiator: URL | null;
  /** Site the navigation is compared against (the initiator's, or the first URL's). */
  site: string;
  crossSite: boolean;
  policy: ReferrerPolicy;
}

export type HttpRequest = SessionRequest & {
  /** Stop before fetching a hop for which this returns true (e.g. the provider's authorization endpoint). */
  stopAt?: (url: URL) => boolean;
};

export type HttpResponse = SessionResponse & {
  /** The hop that `stopAt` matched; it was not fetched. */
  stoppedAt?: string;
};

type SameSiteContext = 'strict' | 'lax' | 'none';

function capitalSameSite(value: string | undefined): StorageDump['cookies'][number]['sameSite'] {
  switch (value) {
    case 'strict':
      return 'Strict';
    case 'lax':
      return 'Lax';
    case 'none':
      return 'None';
    default:
      return undefined;
  }
}

function dumpCookie(c: Cookie): StorageDump['cookies'][number] {
  return {
    name: c.key,
    value: c.value,
    domain: c.domain ?? '',
    path: c.path ?? '/',
    httpOnly: c.httpOnly,
    secure: c.secure,
    sameSite: capitalSameSite(c.sameSite),
  };
}

/**
 * One person's browser, reduced to HTTP. Every `request` is a top-level navigation from the current
 * page (the last document shown), with the cookies, Referer and Sec-Fetch headers a browser would send.
 */
export class HttpAgent {
  private readonly jar = new CookieJar();
  /** This person's own connections, so no request rides on a connection another session left idle. */
  private readonly connections = new ConnectionPool();
  private readonly entries: TranscriptEntry[] = [];
  private readonly clock: () => number;
  private readonly extraHeaders: (url: URL) => Record<string, string>;
  private readonly siteMode: SiteMode;
  private readonly userAgent: string;
  private readonly signal: AbortSignal | undefined;
  private seq = 0;
  /** The document currently shown and the referrer policy it set. */
  private page: { url: URL; policy: ReferrerPolicy } | undefined;
  /** A navigation that stopped before `next` (follow=false or stopAt): requesting `next` continues it. */
  private pending: { next: string; chain: Chain } | undefined;

  constructor(opts: HttpAgentOptions = {}) {
    this.clock = opts.clock ?? Date.now;
    this.extraHeaders = opts.extraHeaders ?? (() => ({}));
    this.siteMode = opts.siteMode ?? 'origin';
    this.userAgent = opts.userAgent ?? BROWSER_USER_AGENT;
    this.signal = opts.signal;
  }

  /** Closes this agent's connections (the person closed the browser); later requests open new ones. */
  close(): void {
    this.connections.destroy();
  }

  /** Everything sent and received so far, oldest first. */
  transcript(): TranscriptEntry[] {
    return [...this.entries];
  }

  /** The address bar: URL of the document currently shown. */
  currentUrl(): string | undefined {
    return this.page?.url.href;
  }

  /** Cookies the jar holds for `url` (including HttpOnly ones, which a browser's devtools show too). */
  async cookies(url: string | URL): Promise<StorageDump['cookies']> {
    const now = this.clock();
    const list = await this.jar.getCookies(String(url), { http: true, expire: false });
    return list.filter((c) => c.TTL(now) > 0).map(dumpCookie);
  }

  /** Every cookie in the jar, for any domain. */
  async allCookies(): Promise<StorageDump['cookies']> {
    const list = await this.jar.store.getAllCookies();
    return list.map(dumpCookie);
  }

  /**
   * Navigates to `req.url` and follows redirects (at most 20) unless `follow` is false. Stops before a
   * hop for which `stopAt` is true and reports it as `stoppedAt`. Requesting the URL at which the last
   * navigation stopped continues that navigation (same initiator, same cross-site state), which is
   * how the redirect from the provider back to the client is delivered.
   */
  async request(req: HttpRequest): Promise<HttpResponse> {
    let url = new URL(req.url);
    let method = (req.method ?? 'GET').toUpperCase();
    let body = req.body;
    let callerHeaders = lowerKeys(req.headers ?? {});
    if (body !== undefined && !('content-type' in callerHeaders)) {
      // What an HTML form posts.
      callerHeaders['content-type'] = 'application/x-www-form-urlencoded';
    }

    const chain: Chain =
      this.pending && this.pending.next === url.href && method === 'GET'
        ? this.pending.chain
        : {
            initiator: this.page?.url ?? null,
            site: siteOf(this.page?.url ?? url, this.siteMode),
            crossSite: false,
            policy: this.page?.policy ?? DEFAULT_REFERRER_POLICY,
          };
    this.pending = undefined;

    const redirects: string[] = [];
    let last: { status: number; headers: Record<string, string>; body: string; url: string } | undefined;

    for (let hop = 0; ; hop++) {
      if (req.stopAt?.(url)) {
        this.pending = { next: url.href, chain };
        this.record({
          method,
          url: url.href,
          requestHeaders: {},
          note: 'navigation stopped before this request (not fetched)',
        });
        return { ...(last ?? { status: 0, headers: {}, body: '', url: url.href }), redirects, stoppedAt: url.href };
      }

      const site = siteOf(url, this.siteMode);
      if (site !== chain.site) chain.crossSite = true;
      const safe = method === 'GET' || method === 'HEAD';
      const context: SameSiteContext = chain.crossSite ? (safe ? 'lax' : 'none') : 'strict';

      const headers: Record<string, string> = {
        'user-agent': this.userAgent,
        accept: NAVIGATION_ACCEPT,
        'accept-language': 'en-US,en;q=0.9',
        'accept-encoding': 'gzip, deflate, br',
        'upgrade-insecure-requests': '1',
        'sec-fetch-site': this.fetchSite(chain, url),
        'sec-fetch-mode': 'navigate',
        'sec-fetch-dest': 'document',
      };
      const referer = computeReferrer(chain.initiator, url, chain.policy);
      if (referer) headers.referer = referer;
      if (!safe) {
        // Fetch section 3.1 "append a request Origin header": navigations other than GET/HEAD carry it;
        // "null" when the referrer policy hides the origin or there is no initiating document.
        headers.origin = chain.initiator && chain.policy !== 'no-referrer' ? chain.initiator.origin : 'null';
      }
      const cookie = await this.cookieHeader(url, context, method);
      if (cookie) headers.cookie = cookie;
      Object.assign(headers, lowerKeys(this.extraHeaders(url)), callerHeaders);

      if (!safe) headers['content-length'] = String(body === undefined ? 0 : Buffer.byteLength(body));
      const at = this.clock();
      let res: RawResponse;
      try {
        res = await sendRaw(url, method, headers, safe ? undefined : body, undefined, this.connections, this.signal);
      } catch (err) {
        // Stopped from outside (the check ended): not something the target did.
        if (this.signal?.aborted && err === this.signal.reason) throw err;
        const e = err as NodeJS.ErrnoException;
        const reason = e.code ?? e.message;
        this.record({
          at,
          method,
          url: url.href,
          requestHeaders: headers,
          requestBody: body,
          note: `network error: ${reason}`,
        });
        throw new HttpAgentError('network', url.href, `${method} ${url.href} failed: ${reason}`, err);
      }
      const text = res.body;
      const resHeaders = res.headers;
      await this.storeCookies(url, res.setCookies);
      this.record({
        at,
        method,
        url: url.href,
        requestHeaders: headers,
        ...(body !== undefined && !safe ? { requestBody: body } : {}),
        status: res.status,
        responseHeaders: resHeaders,
        responseBody: text,
      });
      last = { status: res.status, headers: resHeaders, body: text, url: url.href };

      const location = resHeaders.location ?? null;
      const isRedirect = [301, 302, 303, 307, 308].includes(res.status) && location !== null;
      if (!isRedirect) {
        // The response becomes the document; its policy governs the next navigation's Referer.
        const policy =
          metaReferrerPolicy(/html/i.test(resHeaders['content-type'] ?? '') ? text : '') ??
          parseReferrerPolicy(resHeaders['referrer-policy']) ??
          DEFAULT_REFERRER_POLICY;
        this.page = { url, policy };
        return { ...last, redirects };
      }

      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        return { ...last, redirects };
      }
      // Fetch "HTTP-redirect fetch" step 14: a redirect response may change the policy for what follows.
      chain.policy = parseReferrerPolicy(resHeaders['referrer-policy']) ?? chain.policy;
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        // A custom scheme (a native app's redirect URI): a browser hands it off; nothing to fetch.
        return { ...last, redirects };
      }
      if (req.follow === false) {
        this.pending = { next: next.href, chain };
        return { ...last, redirects };
      }
      if (redirects.length >= MAX_REDIRECTS) {
        throw new HttpAgentError(
          'too-many-redirects',
          next.href,
          `more than ${MAX_REDIRECTS} redirects, last to ${next.href}`,
        );
      }
      // Fetch "HTTP-redirect fetch" step 12: 301/302 after POST and every 303 (except HEAD) become GET.
      if (
        ((res.status === 301 || res.status === 302) && method === 'POST') ||
        (res.status === 303 && method !== 'HEAD')
      ) {
        method = 'GET';
        body = undefined;
        callerHeaders = Object.fromEntries(
          Object.entries(callerHeaders).filter(
            ([k]) =>
              !['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location'].includes(
                k,
              ),
          ),
        );
      }
      if (next.origin !== url.origin) {
        // Fetch step 13: credentials the caller set do not travel to another origin.
        delete callerHeaders.authorization;
        delete callerHeaders.cookie;
      }
      redirects.push(next.href);
      url = next;
    }
  }

  /** Sec-Fetch-Site as Fetch Metadata defines it for this hop of the navigation. */
  private fetchSite(chain: Chain, url: URL): string {
    if (!chain.initiator) return chain.crossSite ? 'cross-site' : 'none';
    if (chain.crossSite) return 'cross-site';
    return chain.initiator.origin === url.origin ? 'same-origin' : 'same-site';
  }

  /** The Cookie header, with SameSite enforced as Chrome does (RFC 6265bis section 5.8.3). */
  private async cookieHeader(url: URL, context: SameSiteContext, method: string): Promise<string> {
    const now = this.clock();
    // Expiry is checked against the agent's clock, not the wall clock, so tests can move time.
    const list = (await this.jar.getCookies(url.href, { http: true, expire: false })).filter((c) => c.TTL(now) > 0);
    const sent = list.filter((c) => {
      switch (c.sameSite) {
        case 'strict':
          return context === 'strict';
        case 'lax':
          return context !== 'none';
        case 'none':
          return true;
        default: {
          // No SameSite attribute: Lax by default, but "Lax-allowing-unsafe" for recent cookies on a
          // top-level cross-site POST (RFC 6265bis section 5.8.3, note on the two-minute window).
          if (context !== 'none') return true;
          const created = c.creation instanceof Date ? c.creation.getTime() : now;
          return method === 'POST' && now - created < LAX_ALLOWING_UNSAFE_MS;
        }
      }
    });
    return sent.map((c) => c.cookieString()).join('; ');
  }

  private async storeCookies(url: URL, setCookies: string[]): Promise<void> {
    const now = new Date(this.clock());
    for (const raw of setCookies) {
      const parsed = Cookie.parse(raw);
      if (!parsed) continue;
      // Chrome rejects SameSite=None without Secure (RFC 6265bis section 5.7, step 18).
      if (parsed.sameSite === 'none' && !parsed.secure) continue;
      await this.jar.setCookie(raw, url.href, { http: true, now, ignoreError: true });
    }
  }

  private record(e: Omit<TranscriptEntry, 'seq' | 'agent' | 'at'> & { at?: number }): void {
    this.entries.push({ seq: ++this.seq, agent: 'http', ...e, at: e.at ?? this.clock() });
  }
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}
