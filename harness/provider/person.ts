/**
 * The person's step at the provider: visiting the authorization URL, signing in and consenting, until
 * the provider sends the person back to the client (or shows a page instead).
 *
 * - `auto`: the provider approves without a person (the embedded mock; a test provider with an
 *   auto-approving interaction): the harness fetches the authorization URL, follows the provider's own
 *   redirects with a cookie jar, and reads the Location that leaves the provider.
 * - `playwright`: a real browser (Chromium through Playwright) runs a login script whose selectors and
 *   credentials come from the client file and environment variables.
 * - `manual`: the URL is printed and the harness waits for the redirect at its own loopback listener.
 */
import type { CookieJar } from 'tough-cookie';
import type { Browser, BrowserContext } from 'playwright-core';
import { isLoopbackHost } from '../../mock-idp/transports/node-server.js';
import { httpFetch } from '../agents/http-fetch.js';
import type { Recorder } from './evidence.js';
import type { CallbackListener } from './listener.js';

/** Where the person ended up after visiting an authorization URL. */
export type AuthorizeResult =
  | {
      /** The provider sent the person away from itself: to the client (redirect URI) or elsewhere. */
      kind: 'redirect';
      location: string;
      /** Query parameters of the Location. */
      query: Record<string, string>;
      /** Fragment parameters of the Location (implicit flow, `response_mode=fragment`). */
      fragment: Record<string, string>;
    }
  | {
      /** The provider answered with a page (an error page, or a form the script could not complete). */
      kind: 'page';
      status: number;
      contentType: string;
      body: string;
      url: string;
    }
  | {
      /** Nothing observable came back (manual mode: no redirect within the wait). */
      kind: 'none';
      reason: string;
    };

/** What the person step knows about the flow it is part of. */
export interface VisitExpectation {
  /** The redirect URI of the authorization request (may be a deliberately wrong variant). */
  redirectUri: string;
  /** The `state` sent, to find the callback at the listener (manual mode). */
  state?: string;
}

/** One way of playing the person. */
export interface PersonStep {
  readonly method: 'auto' | 'playwright' | 'manual';
  visit(url: string, expect: VisitExpectation, rec: Recorder, signal: AbortSignal): Promise<AuthorizeResult>;
  close(): Promise<void>;
}

/** Splits a URL's query and fragment into parameter records. */
export function parseLocation(location: string): { query: Record<string, string>; fragment: Record<string, string> } {
  const u = new URL(location);
  return {
    query: Object.fromEntries(u.searchParams),
    fragment: Object.fromEntries(new URLSearchParams(u.hash.startsWith('#') ? u.hash.slice(1) : u.hash)),
  };
}

function redirectResult(location: string): AuthorizeResult {
  return { kind: 'redirect', location, ...parseLocation(location) };
}

/** True when `location` is the redirect URI of the request (same origin and path), whatever its query. */
function isRedirectUri(location: URL, redirectUri: string): boolean {
  try {
    const r = new URL(redirectUri);
    return location.origin === r.origin && location.pathname === r.pathname;
  } catch {
    return false;
  }
}

/**
 * Plays the person with plain HTTP for providers that approve on their own. Each visit is a fresh
 * person (a fresh cookie jar), so flows never share a provider session.
 */
export class AutoPerson implements PersonStep {
  readonly method = 'auto';
  constructor(
    private readonly providerOrigins: string[],
    private readonly maxHops = 12,
  ) {}

  async visit(url: string, expect: VisitExpectation, rec: Recorder, signal: AbortSignal): Promise<AuthorizeResult> {
    // Made at the provider's first cookie: tough-cookie (with its public suffix list) is loaded only for
    // providers that set cookies on the way, which the embedded mock does not.
    let jar: CookieJar | undefined;
    let current = url;
    for (let hop = 0; hop < this.maxHops; hop++) {
      const cookie = jar ? await jar.getCookieString(current) : '';
      const requestHeaders: Record<string, string> = { accept: 'text/html,application/xhtml+xml' };
      if (cookie) requestHeaders.cookie = cookie;
      const res = await httpFetch(current, { redirect: 'manual', headers: requestHeaders, signal });
      const setCookies = res.headers.getSetCookie();
      if (setCookies.length > 0) {
        jar ??= new (await import('tough-cookie')).CookieJar();
        for (const c of setCookies) await jar.setCookie(c, current, { ignoreError: true });
      }
      const body = res.body;
      const location = res.headers.get('location');
      rec.record({
        method: 'GET',
        url: current,
        requestHeaders,
        status: res.status,
        responseHeaders: res.headers.record,
        responseBody: body,
        note: hop === 0 ? 'person visits the authorization URL' : 'person follows the provider',
      });
      if (res.status >= 300 && res.status < 400 && location) {
        const next = new URL(location, current);
        if (!this.providerOrigins.includes(next.origin) || isRedirectUri(next, expect.redirectUri))
          return redirectResult(next.href);
        current = next.href;
        continue;
      }
      return {
        kind: 'page',
        status: res.status,
        contentType: res.headers.get('content-type') ?? '',
        body,
        url: current,
      };
    }
    return { kind: 'none', reason: `the provider redirected more than ${this.maxHops} times without leaving itself` };
  }

  async close(): Promise<void> {}
}

/** One step of a browser login script. Values come from environment variables, never from the file. */
export interface LoginStep {
  /** CSS selector to fill. */
  fill?: string;
  /** Environment variable holding the value to fill. */
  env?: string;
  /** CSS selector to click. */
  click?: string;
  /** Run only when the selector is on the page (consent screens that appear only once). */
  optional?: boolean;
}

/**
 * Plays the person in Chromium with a login script. One browser context for the whole audit, so the
 * person signs in once and later flows ride the provider's session (as a real person's browser does).
 * Every navigation that leaves the provider's origins is captured and not loaded.
 */
export class PlaywrightPerson implements PersonStep {
  readonly method = 'playwright';
  #browser: Browser | undefined;
  #context: BrowserContext | undefined;
  readonly #loopbackOnly: boolean;

  constructor(
    private readonly opts: {
      providerOrigins: string[];
      script: LoginStep[];
      timeoutMs: number;
      executablePath?: string;
      env?: NodeJS.ProcessEnv;
    },
  ) {
    this.#loopbackOnly = opts.providerOrigins.every((o) => isLoopbackHost(new URL(o).hostname));
  }

  async #ensure(): Promise<BrowserContext> {
    if (this.#context) return this.#context;
    const { chromium } = await import('../../harness/browser/playwright-core.js');
    const { findChromium, CHROMIUM_ARGS } = await import('../../harness/browser/find-chromium.js');
    const executablePath = this.opts.executablePath ?? findChromium();
    if (!executablePath) throw new Error('no Chromium found (set LOGIN_HARNESS_BROWSER or install chromium)');
    this.#browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
    this.#context = await this.#browser.newContext();
    return this.#context;
  }

  async visit(url: string, _expect: VisitExpectation, rec: Recorder, signal: AbortSignal): Promise<AuthorizeResult> {
    const context = await this.#ensure();
    const page = await context.newPage();
    const env = this.opts.env ?? process.env;
    let resolveCaptured: (href: string) => void = () => {};
    const captured = new Promise<string>((resolve) => (resolveCaptured = resolve));
    let capturedHref: string | undefined;
    await page.route('**/*', async (route) => {
      const req = route.request();
      const target = new URL(req.url());
      if (
        req.isNavigationRequest() &&
        req.frame() === page.mainFrame() &&
        !this.opts.providerOrigins.includes(target.origin)
      ) {
        if (!capturedHref) {
          capturedHref = target.href;
          resolveCaptured(target.href);
        }
        rec.record({
          method: req.method(),
          url: target.href,
          requestHeaders: {},
          note: 'the browser was sent back to the client (not loaded)',
        });
        await route.fulfill({ status: 200, contentType: 'text/plain', body: 'login-harness: callback received' });
        return;
      }
      // A provider on loopback is a test set-up: its pages' requests elsewhere (web fonts, say) are not
      // made, so the run stays on the machine and no page waits on an unreachable host.
      if (this.#loopbackOnly && !isLoopbackHost(target.hostname)) {
        rec.record({
          method: req.method(),
          url: target.href,
          requestHeaders: {},
          note: 'not loaded: the provider is on loopback, the browser stays there',
        });
        await route.abort('blockedbyclient');
        return;
      }
      await route.continue();
    });
    // Redirect hops are not always offered to the route handler; the request event sees every hop.
    page.on('request', (req) => {
      if (capturedHref || !req.isNavigationRequest() || req.frame() !== page.mainFrame()) return;
      const target = new URL(req.url());
      if (this.opts.providerOrigins.includes(target.origin)) return;
      capturedHref = target.href;
      rec.record({
        method: req.method(),
        url: target.href,
        requestHeaders: {},
        note: 'the browser was sent back to the client',
      });
      resolveCaptured(target.href);
    });
    const onAbort = (): void => void page.close().catch(() => {});
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      let last = await page.goto(url, { timeout: this.opts.timeoutMs }).catch(() => null);
      rec.record({
        method: 'GET',
        url,
        requestHeaders: {},
        status: last?.status(),
        note: 'browser visits the authorization URL',
      });
      const selectors = this.opts.script.map((s) => s.fill ?? s.click).filter((s): s is string => Boolean(s));
      const required = this.opts.script.find((s) => !s.optional);
      const requiredSelector = required ? (required.fill ?? required.click) : undefined;
      // A query on a page that is navigating away throws; it counts as "not there".
      const present = (selector: string): Promise<boolean> =>
        page.$(selector).then(
          (el) => el !== null,
          () => false,
        );
      for (let round = 0; round < 6 && !capturedHref; round++) {
        // Each round waits for one of the script's elements to be on the page, or for the provider to send
        // the browser back: whichever comes first; nothing else is waited for.
        const ready = await Promise.race([
          captured.then(() => 'captured' as const),
          selectors.length
            ? page.waitForSelector(selectors.join(', '), { state: 'attached', timeout: this.opts.timeoutMs }).then(
                () => 'form' as const,
                () => 'timeout' as const,
              )
            : Promise.resolve('timeout' as const),
        ]);
        if (ready !== 'form' || capturedHref) break;
        const requiredPresent = requiredSelector ? await present(requiredSelector) : false;
        // Listen before acting: a form submit can navigate before a listener added after the click exists.
        const navigated = page
          .waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: this.opts.timeoutMs })
          .then(
            () => 'navigated' as const,
            () => 'timeout' as const,
          );
        let acted = false;
        for (const step of this.opts.script) {
          const selector = step.fill ?? step.click;
          if (!selector || (!step.optional && !requiredPresent) || !(await present(selector))) continue;
          acted = true;
          if (step.fill) {
            await page.fill(selector, step.env ? (env[step.env] ?? '') : '');
            continue;
          }
          // A click submits the page: the next page (consent, say) gets its own round. Clicking on
          // while the old page is still shown would submit it twice.
          await page.click(selector);
          break;
        }
        if (!acted) break;
        const nav = await Promise.race([captured.then(() => 'captured' as const), navigated]);
        if (nav === 'timeout') break;
        last = null;
      }
      if (capturedHref) return redirectResult(capturedHref);
      const body = await page.content().catch(() => '');
      return { kind: 'page', status: last?.status() ?? 0, contentType: 'text/html', body, url: page.url() };
    } finally {
      signal.removeEventListener('abort', onAbort);
      // Route handlers still running (a request the page made just before leaving) must not hold the close.
      await page.unrouteAll({ behavior: 'ignoreErrors' }).catch(() => {});
      await page.close().catch(() => {});
    }
  }

  async close(): Promise<void> {
    await this.#context?.close().catch(() => {});
    await this.#browser?.close().catch(() => {});
    this.#context = undefined;
    this.#browser = undefined;
  }
}

/** Prints the URL and waits for the person's browser to reach the harness's loopback listener. */
export class ManualPerson implements PersonStep {
  readonly method = 'manual';
  constructor(
    private readonly listener: CallbackListener,
    private readonly timeoutMs: number,
    private readonly print: (line: string) => void,
  ) {}

  async visit(url: string, expect: VisitExpectation, rec: Recorder, signal: AbortSignal): Promise<AuthorizeResult> {
    this.print(`Open this URL in a browser and sign in (waiting ${Math.round(this.timeoutMs / 1000)} s):\n  ${url}`);
    rec.record({ method: 'GET', url, requestHeaders: {}, note: 'printed for the person (manual login)' });
    const cb = await this.listener.wait(expect.state ?? '', this.timeoutMs, signal);
    if (!cb)
      return {
        kind: 'none',
        reason: `no redirect reached ${this.listener.origin} within ${this.timeoutMs} ms (manual login)`,
      };
    rec.record({ method: 'GET', url: cb.url, requestHeaders: {}, note: 'the browser reached the harness listener' });
    return redirectResult(cb.url);
  }

  async close(): Promise<void> {}
}
