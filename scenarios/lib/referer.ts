/**
 * Referer headers as leak.referer judges them: every Referer a user agent sent (or, for pages the HTTP
 * agent fetched but does not render, would send), with where it went, so a Referer that stays on the
 * origin it came from can be told apart from one that leaves it.
 *
 * RFC 9700 §4.2.1 describes the leak from the client: its page "contains links to other pages under the
 * attacker's control (ads, faq, ...) and a user clicks on such a link, or includes a third-party resource
 * (iframe, image, etc.) [...] As soon as the browser navigates to the attacker's page or loads the
 * third-party content, the attacker receives the authorization response URL and can extract code or
 * state." The receiver is another origin; the client's own server already holds the code it redeems.
 */
import { startTags } from '../../core/html-tags.js';
import type { JournalEntry } from '../../mock-idp/types.js';
import type { TranscriptEntry } from '../../harness/types.js';
import {
  computeReferrer,
  DEFAULT_REFERRER_POLICY,
  metaReferrerPolicy,
  parseReferrerPolicy,
  REFERRER_POLICIES,
  type ReferrerPolicy,
} from '../../harness/agents/referrer.js';
import { originOf, stripQuery, type Place } from './evidence.js';

/** A Referer header and the origin it was sent to. */
export interface RefererPlace extends Place {
  /** Origin of the request that carried (or would carry) the Referer. */
  to: string;
}

/** Whether a Referer leaves the origin it names: another scheme, host or port (or a value that is no URL). */
export function leavesOrigin(place: RefererPlace): boolean {
  const from = originOf(place.text);
  return from === '' || from === 'null' || from !== place.to;
}

function header(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

/** Every Referer header a user agent sent, with the origin it went to. */
export function sentReferers(transcript: TranscriptEntry[]): RefererPlace[] {
  const out: RefererPlace[] = [];
  for (const e of transcript) {
    const referer = header(e.requestHeaders, 'referer');
    if (referer)
      out.push({ where: `Referer sent to ${stripQuery(e.url)} (#${e.seq})`, text: referer, to: originOf(e.url) });
  }
  return out;
}

/** Every Referer header the provider received (its endpoints are another origin than the client's). */
export function providerReferers(entries: JournalEntry[], providerOrigin: string): RefererPlace[] {
  return entries
    .filter((e) => header(e.request.headers, 'referer'))
    .map((e) => ({
      where: `Referer sent to the provider's ${e.endpoint} endpoint (#${e.seq})`,
      text: header(e.request.headers, 'referer') ?? '',
      to: originOf(e.request.url) || providerOrigin,
    }));
}

/** Elements whose URL a browser fetches while it renders the page, without anybody clicking. */
const SUBRESOURCES: Array<{ tag: string; attr: string; directive: string; rel?: RegExp }> = [
  { tag: 'script', attr: 'src', directive: 'script-src' },
  { tag: 'img', attr: 'src', directive: 'img-src' },
  { tag: 'iframe', attr: 'src', directive: 'frame-src' },
  { tag: 'audio', attr: 'src', directive: 'media-src' },
  { tag: 'video', attr: 'src', directive: 'media-src' },
  { tag: 'source', attr: 'src', directive: 'media-src' },
  { tag: 'embed', attr: 'src', directive: 'object-src' },
  { tag: 'link', attr: 'href', directive: 'style-src', rel: /(^|\s)stylesheet(\s|$)/i },
  { tag: 'link', attr: 'href', directive: 'img-src', rel: /(^|\s)icon(\s|$)/i },
  { tag: 'link', attr: 'href', directive: 'default-src', rel: /(^|\s)(preload|modulepreload|prefetch)(\s|$)/i },
];

function attribute(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+))`, 'i').exec(tag);
  if (!m) return undefined;
  return (m[1] ?? m[2] ?? m[3] ?? '').replace(/&amp;/g, '&');
}

/** The URLs of the resources an HTML page loads as it renders, with the CSP directive that governs each. */
export function subresourcesOf(
  html: string,
  base: URL,
): Array<{ url: URL; element: string; directive: string; policy?: ReferrerPolicy }> {
  const out: Array<{ url: URL; element: string; directive: string; policy?: ReferrerPolicy }> = [];
  for (const kind of SUBRESOURCES) {
    for (const tag of startTags(html, kind.tag)) {
      if (kind.rel && !kind.rel.test(attribute(tag, 'rel') ?? '')) continue;
      const raw = attribute(tag, kind.attr);
      if (!raw) continue;
      let url: URL;
      try {
        url = new URL(raw, base);
      } catch {
        continue;
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
      // An element's own referrerpolicy attribute overrides the document's (HTML, "referrer policy attributes").
      const own = attribute(tag, 'referrerpolicy')?.trim().toLowerCase();
      const policy = (REFERRER_POLICIES as readonly string[]).includes(own ?? '') ? (own as ReferrerPolicy) : undefined;
      out.push({ url, element: `<${kind.tag}>`, directive: kind.directive, ...(policy ? { policy } : {}) });
    }
  }
  return out;
}

/**
 * Whether a Content-Security-Policy lets the page load `target` under `directive` (falling back to
 * `default-src`). Source expressions understood: 'none', 'self', *, scheme sources and host sources
 * (with `*.` subdomain wildcards and ports); anything else (nonces, hashes) does not allow a URL.
 */
export function cspAllows(csp: string | undefined, directive: string, target: URL, page: URL): boolean {
  if (!csp) return true;
  const directives = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name && !directives.has(name.toLowerCase())) directives.set(name.toLowerCase(), sources);
  }
  const sources = directives.get(directive) ?? directives.get('default-src');
  if (!sources) return true;
  return sources.some((s) => sourceMatches(s, target, page));
}

function sourceMatches(source: string, target: URL, page: URL): boolean {
  const s = source.toLowerCase();
  if (s === "'self'") return target.origin === page.origin;
  if (s === '*') return target.protocol === 'http:' || target.protocol === 'https:';
  if (/^[a-z][a-z0-9+.-]*:$/.test(s)) return target.protocol === s;
  const m = /^(?:([a-z][a-z0-9+.-]*):\/\/)?(\*\.)?([a-z0-9.-]+|\*)(?::(\d+|\*))?(\/.*)?$/.exec(s);
  if (!m) return false;
  const [, scheme, wildcard, host, port] = m;
  if (scheme && `${scheme}:` !== target.protocol) return false;
  const hostOk = host === '*' || (wildcard ? target.hostname.endsWith(`.${host}`) : target.hostname === host);
  if (!hostOk) return false;
  const defaultPort = target.protocol === 'https:' ? '443' : '80';
  const targetPort = target.port || defaultPort;
  return port === '*' || (port ?? defaultPort) === targetPort;
}

/**
 * The Referer headers a browser sends while it renders the HTML pages of `transcript` (W3C Referrer
 * Policy, the same computation the HTTP agent makes for its navigations): each page's policy (its
 * `<meta name="referrer">`, else its `Referrer-Policy` header, else the browsers' default), each
 * resource's own `referrerpolicy`, and the page's Content-Security-Policy, which keeps a browser from
 * requesting what it forbids. For user agents that fetch pages without rendering them (the HTTP agent);
 * a browser's own requests are in its transcript.
 */
export function renderedPageReferers(transcript: TranscriptEntry[]): RefererPlace[] {
  const out: RefererPlace[] = [];
  for (const e of transcript) {
    const type = header(e.responseHeaders, 'content-type') ?? '';
    // Every answer that is not a redirect becomes a page the browser renders, error pages included.
    const status = e.status ?? 0;
    if (!e.responseBody || !/html/i.test(type) || status < 200 || (status >= 300 && status < 400)) continue;
    let page: URL;
    try {
      page = new URL(e.url);
    } catch {
      continue;
    }
    const pagePolicy =
      metaReferrerPolicy(e.responseBody) ??
      parseReferrerPolicy(header(e.responseHeaders, 'referrer-policy')) ??
      DEFAULT_REFERRER_POLICY;
    const csp = header(e.responseHeaders, 'content-security-policy');
    for (const r of subresourcesOf(e.responseBody, page)) {
      if (!cspAllows(csp, r.directive, r.url, page)) continue;
      const referer = computeReferrer(page, r.url, r.policy ?? pagePolicy);
      if (!referer) continue;
      out.push({
        where: `Referer a browser sends to ${stripQuery(r.url.href)} loading the ${r.element} of the page at ${stripQuery(page.href)} (#${e.seq})`,
        text: referer,
        to: r.url.origin,
      });
    }
  }
  return out;
}
