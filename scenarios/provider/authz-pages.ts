/**
 * The pages of the authorization endpoint (RFC 9700 4.12, 4.16): they cannot be framed, and a POST to the
 * endpoint (a login form, or the request itself) is never answered with a 307 redirect.
 */
import type { PendingAuthorization } from '../../harness/provider/client.js';
import { httpFetch } from '../../harness/agents/http-fetch.js';
import { parseFirstForm } from '../../harness/session/authorization.js';
import { defineProviderCheck } from '../define.js';
import type { ProviderCheckContext } from './types.js';
import type { Outcome, Requirement } from '../types.js';
import { fail, notApplicable, pass } from './verdicts.js';

/** Provider-origin redirects followed while looking for the pages a person would see. */
const MAX_HOPS = 5;

const NO_FRAMING: Requirement = {
  text: 'Authorization servers MUST prevent clickjacking attacks. Multiple countermeasures are described in [RFC6819], including the use of the X-Frame-Options HTTP response header field and frame-busting JavaScript.',
  level: 'MUST',
  ref: 'RFC9700-4.16',
};

const CSP_FRAMING: Requirement = {
  text: 'In addition to those, authorization servers SHOULD also use Content Security Policy (CSP) level 2 [W3C.CSP-2] or greater.',
  level: 'SHOULD',
  ref: 'RFC9700-4.16',
};

const NO_307: Requirement = {
  text: "Authorization servers that redirect a request that potentially contains the user's credentials therefore MUST NOT use the HTTP 307 status code for redirection.",
  level: 'MUST',
  ref: 'RFC9700-4.12',
};

const SEE_OTHER: Requirement = {
  text: 'If an HTTP redirection (and not, for example, JavaScript) is used for such a request, the authorization server SHOULD use HTTP status code 303 (See Other).',
  level: 'SHOULD',
  ref: 'RFC9700-4.12',
};

interface Page {
  url: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** How a page stands on framing: refused by CSP, by X-Frame-Options only, or not at all. */
export function framingProtection(headers: Record<string, string>): 'csp' | 'x-frame-options' | 'none' {
  const csp = (headers['content-security-policy'] ?? '').toLowerCase();
  const ancestors = /(?:^|;)\s*frame-ancestors\s+([^;]*)/.exec(csp)?.[1]?.trim();
  if (ancestors !== undefined && ancestors !== '' && !ancestors.split(/\s+/).includes('*')) return 'csp';
  const xfo = (headers['x-frame-options'] ?? '').trim().toUpperCase();
  if (xfo === 'DENY' || xfo === 'SAMEORIGIN') return 'x-frame-options';
  return 'none';
}

/** A page a browser renders: HTML with a body, and not a redirect (a 3xx body is never shown). */
function isHtml(page: Page): boolean {
  if (page.status >= 300 && page.status < 400) return false;
  return (page.headers['content-type'] ?? '').toLowerCase().includes('text/html') && page.body.trim() !== '';
}

/** GETs `url`, following redirects that stay on the provider's origins, and returns every response. */
async function visit(ctx: ProviderCheckContext, url: string, note: string): Promise<Page[]> {
  const browser = new Browser(ctx);
  const origin = new URL(ctx.provider.metadata.authorization_endpoint).origin;
  const pages: Page[] = [];
  let next: string | undefined = url;
  for (let hop = 0; next && hop < MAX_HOPS; hop++) {
    const res = await browser.send(next, `${note}${hop ? ` (hop ${hop + 1})` : ''}`);
    pages.push(res);
    const location = res.headers.location;
    next = res.status >= 300 && res.status < 400 && location ? new URL(location, next).href : undefined;
    if (next && new URL(next).origin !== origin) break;
  }
  return pages;
}

export const authzClickjacking = defineProviderCheck({
  id: 'provider.authz.clickjacking',
  title: 'Authorization pages cannot be framed',
  severity: 'medium',
  refs: ['RFC9700-4.16'],
  must: 'authorization endpoint pages forbid framing (CSP `frame-ancestors` or `X-Frame-Options`)',
  rationale:
    'A page that can be put in an invisible frame can be clicked through by a person who believes they are clicking something else: an attacker site overlays the provider\'s consent or login page and collects an approval, or a password typed into the wrong field (RFC 9700 4.16, "clickjacking").',
  remediation:
    "Send `Content-Security-Policy: frame-ancestors 'none'` (or the few origins allowed to frame you) and `X-Frame-Options: DENY` on every page of the authorization endpoint: login, consent and error pages alike.",
  catches: ['framing-allowed'],
  requirement: NO_FRAMING,
  async run(ctx) {
    const client = ctx.client();
    const valid = client.authorizationRequest();
    // An unregistered redirect URI gets an error page from a correct provider (RFC 6749 4.1.2.1).
    const invalid = client.authorizationRequest({
      // Another path on the same origin: neither registered nor an extension of a registered URI.
      redirectUri: new URL('/login-harness-unregistered', valid.redirectUri).href,
    });
    const pages = [
      ...(await visit(ctx, valid.url, 'authorization request (the pages a person sees)')),
      ...(await visit(ctx, invalid.url, 'authorization request with an unregistered redirect_uri (error page)')),
    ].filter(isHtml);
    if (pages.length === 0) {
      return notApplicable(
        'The authorization endpoint showed no HTML page (it approved at once and sent no error page), so there was nothing to frame.',
      );
    }
    const judged = pages.map((p) => ({ page: p, protection: framingProtection(p.headers) }));
    for (const { page, protection } of judged) {
      ctx.observe(
        `Page ${page.url.split('?')[0]} (status ${page.status}): framing ${protection === 'none' ? 'allowed' : `refused by ${protection}`}.`,
        {
          'x-frame-options': page.headers['x-frame-options'],
          'content-security-policy': page.headers['content-security-policy'],
        },
      );
    }
    const open = judged.filter((j) => j.protection === 'none');
    if (open.length) {
      return fail(
        `${open.length} of ${judged.length} authorization page(s) can be framed: neither CSP frame-ancestors nor X-Frame-Options.`,
      );
    }
    const xfoOnly = judged.filter((j) => j.protection === 'x-frame-options');
    if (xfoOnly.length) {
      return {
        verdict: 'fail',
        summary: `${xfoOnly.length} of ${judged.length} authorization page(s) refuse framing by X-Frame-Options only, without CSP frame-ancestors.`,
        requirement: CSP_FRAMING,
      };
    }
    return pass(`All ${judged.length} authorization page(s) refuse framing with CSP frame-ancestors.`);
  },
});

/**
 * The person's browser reduced to what these checks need: one request at a time, redirects not followed,
 * and the provider's cookies kept (login and consent pages of real providers are bound to a cookie).
 * Every exchange is recorded as evidence.
 */
class Browser {
  readonly #cookies = new Map<string, string>();
  constructor(readonly ctx: ProviderCheckContext) {}

  async send(url: string, note: string, form?: Array<[string, string]>): Promise<Page> {
    const headers: Record<string, string> = { accept: 'text/html' };
    const cookie = [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (cookie) headers.cookie = cookie;
    const body = form ? new URLSearchParams(form).toString() : undefined;
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await httpFetch(url, {
      method: form ? 'POST' : 'GET',
      headers,
      ...(body !== undefined ? { body } : {}),
      redirect: 'manual',
      signal: this.ctx.signal,
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      if (eq > 0) this.#cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    const text = res.body;
    const page: Page = { url, status: res.status, headers: res.headers.record, body: text };
    this.ctx.client().deps.recorder.record({
      method: form ? 'POST' : 'GET',
      url,
      requestHeaders: { ...headers, ...(cookie ? { cookie: '[cookies of the provider]' } : {}) },
      ...(body !== undefined ? { requestBody: body } : {}),
      status: res.status,
      responseHeaders: page.headers,
      responseBody: text,
      note,
    });
    return page;
  }
}

function judgeRedirect(page: Page, what: string): Outcome {
  if (page.status === 307)
    return fail(
      `The provider answered ${what} with a 307 redirect: the browser posts the form again to where it redirects.`,
    );
  if (page.status === 303) return pass(`The provider answered ${what} with 303 (See Other).`);
  return {
    verdict: 'fail',
    summary: `The provider answered ${what} with ${page.status}, not 303 (See Other): a browser may post the form again.`,
    requirement: SEE_OTHER,
  };
}

export const authzNo307 = defineProviderCheck({
  id: 'provider.authz.no-307',
  title: 'A form post to the authorization endpoint is never answered with 307',
  severity: 'low',
  refs: ['RFC9700-4.12'],
  must: 'the authorization endpoint never answers a form post with a 307 redirect',
  rationale:
    "After the person submits the login form, the provider redirects the browser to the client. With status 307 the browser repeats the POST, form body included, at the client's redirect URI: the person's user name and password end up at the client (RFC 9700 4.12).",
  remediation:
    'Answer every POST at the authorization endpoint (login form, consent, a POSTed authorization request) with 303 See Other, which makes the browser follow with a GET and drop the form.',
  catches: ['redirect-307-after-post'],
  requirement: NO_307,
  async run(ctx) {
    const client = ctx.client();
    const endpoint = ctx.provider.metadata.authorization_endpoint;
    const origin = new URL(endpoint).origin;

    /**
     * Follows the provider from `page` as a person would: GETs its redirects on its own origin, submits
     * its POST forms. Returns the judgement of the first redirect answering a POST that carried the
     * person's input (`form`), or of a POSTed request sent straight back to the client; undefined when
     * neither happened.
     */
    const walk = async (browser: Browser, start: Page, first: 'request' | 'get'): Promise<Outcome | undefined> => {
      let page = start;
      let last: 'form' | 'request' | 'get' = first;
      for (let step = 0; step < MAX_HOPS; step++) {
        const location = page.headers.location;
        if (page.status >= 300 && page.status < 400 && location) {
          const target = new URL(location, page.url);
          // A submitted form may carry the person's password: however it is redirected, 307 re-posts it.
          if (last === 'form') return judgeRedirect(page, "the submission of the provider's form");
          if (last === 'request' && target.origin !== origin)
            return judgeRedirect(page, 'a POSTed authorization request');
          if (target.origin !== origin) return undefined;
          page = await browser.send(target.href, 'follow the provider to its next page');
          last = 'get';
          continue;
        }
        const form = page.status === 200 && isHtml(page) ? parseFirstForm(page.body, page.url) : undefined;
        if (!form || form.method !== 'POST') return undefined;
        page = await browser.send(form.action, "submit the provider's form", form.fields);
        last = 'form';
        ctx.observe(`Submitting the provider's form: ${page.status}.`, { location: page.headers.location });
      }
      return undefined;
    };

    // The ordinary navigation: the login and consent forms a person submits, if the provider shows any.
    const navigation = new Browser(ctx);
    const viaGet = await navigation.send(client.authorizationRequest().url, 'the authorization request (GET)');
    const fromForms = await walk(navigation, viaGet, 'get');
    if (fromForms) return fromForms;
    // No form: OIDC Core 3.1.2.1 lets the request itself be POSTed; a provider that approves at once
    // answers that POST with its redirect to the client.
    const posting = new Browser(ctx);
    const pending: PendingAuthorization = client.authorizationRequest();
    const viaPost = await posting.send(
      endpoint,
      'the authorization request POSTed as a form',
      Object.entries(pending.params),
    );
    ctx.observe(`POSTing the authorization request as a form: ${viaPost.status}.`, {
      location: viaPost.headers.location,
    });
    const fromPost = await walk(posting, viaPost, 'request');
    if (fromPost) return fromPost;
    return notApplicable(
      `The provider showed no form to submit and answered a POSTed authorization request with ${viaPost.status}, not with a redirect to the client, so how it redirects after a form post could not be observed.`,
    );
  },
});
