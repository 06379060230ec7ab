/**
 * A target driven in Chromium (TARGETS.md §3: always for spa, for web when a check needs a browser).
 * A browser context per session, as isolated as a fresh one; requests to the real lexoffice hosts are answered by the mock
 * (mock-idp's Playwright transport), so a browser app hard-wired to them is audited unchanged.
 *
 * The client's reaction to a callback ends with the first of two events: the app shows its signed-in
 * element (spa `signedIn.selector`, looked for each time the page comes to rest, then its requests in
 * flight), or the network has gone quiet (an app that refuses a callback shows no particular element).
 */
import { mockIdpRouter } from '../../mock-idp/transports/playwright.js';
import { BrowserPool, type BrowserAgent } from '../agents/browser.js';
import { HttpAgent } from '../agents/http.js';
import { pageScript, selectorShown, type Shown } from '../agents/page-scripts.js';
import { CheckRunError } from '../runner/errors.js';
import type {
  AuthorizationRequest,
  AuthorizationResponse,
  CallbackResult,
  Session,
  SessionRequest,
  SessionResponse,
  StorageDump,
  TranscriptEntry,
} from '../types.js';
import { approveAuthorization, isAuthorizationEndpoint, parseAuthorizationRequest } from './authorization.js';
import { addQuery, byTime, loginThrough, signedInByResponse, type SessionContext } from './common.js';

/** How long a browser app may take to send the person to the provider after the login page loaded. */
export const LOGIN_NAVIGATION_TIMEOUT_MS = 10_000;

/**
 * How long a browser app that has not sent the person to the provider must have been at rest (no
 * request, no work of its own pending, nothing scheduled on a clock of at most 10 s) before the harness
 * concludes that it will not: an app that refuses to start a login (metadata it rejects) shows so in
 * a moment, and waiting out {@link LOGIN_NAVIGATION_TIMEOUT_MS} tells nothing more. Long next to the
 * gap between an app's own steps, which its init-script reports cover (each reports after the step
 * that follows it has started), and next to how late the event of a navigation the app started can
 * reach the harness on a loaded machine (its last report may come first).
 */
export const LOGIN_REST_MS = 2_000;

/** How much of the text a page shows a login-start error quotes (an app's error message fits). */
const SHOWN_TEXT_MAX = 160;

/**
 * Quiet period that counts as "the app is done" after a callback: longer than the agent's default,
 * because concurrent checks share two cores and an app's next request can lag its previous one.
 */
export const SETTLE_QUIET_MS = 300;

/** Upper bound of one wait for an app to settle (its requests keep it busy at most this long). */
export const SETTLE_TIMEOUT_MS = 10_000;

/** Launches the run's Chromium (`browserPath`, else Playwright's, else the system's). */
export async function launchPool(browserPath?: string): Promise<BrowserPool> {
  return BrowserPool.launch(browserPath ? { executablePath: browserPath } : {});
}

/** A session in its own browser context. */
export class BrowserSession implements Session {
  readonly id: string;
  readonly agent = 'browser' as const;
  readonly #ctx: SessionContext;
  readonly #browser: BrowserAgent;
  /** The person's visit at the provider (approval), kept apart from the app's own browser context. */
  readonly #person: HttpAgent;
  /** Raw requests made through the context's request API, which the page's network log does not see. */
  readonly #extra: TranscriptEntry[] = [];
  /** Whether the page reads `signedIn.selector` as CSS (undefined until first asked). */
  #cssSelector: boolean | undefined;

  private constructor(ctx: SessionContext, browser: BrowserAgent) {
    this.id = ctx.id;
    this.#ctx = ctx;
    this.#browser = browser;
    this.#person = new HttpAgent({ extraHeaders: ctx.tagHeaders, signal: ctx.signal });
  }

  /** Opens a session's context in `pool`, tagged and routed. */
  static async open(ctx: SessionContext, pool: BrowserPool): Promise<BrowserSession> {
    const browser = await pool.newSession({
      extraHeaders: ctx.tagHeaders,
      router: mockIdpRouter(ctx.idp),
    });
    return new BrowserSession(ctx, browser);
  }

  async startLogin(opts?: { loginQuery?: Record<string, string> }): Promise<AuthorizationRequest> {
    const login = this.#ctx.target.login;
    if (!login)
      throw new CheckRunError('the manifest has no `login.url`, so a login cannot be started', 'configuration');
    this.#ctx.signal.throwIfAborted();
    // A browser app navigates to the provider from script, possibly after the network has been quiet
    // for a moment (discovery fetched, PKCE computed). The session holds that navigation at the door
    // (before anything else sees it) for as long as it takes, instead of guessing a pause.
    const page = this.#browser.page;
    // Ends the wait for the app at rest (below) when the login ends otherwise.
    const restWait = new AbortController();
    let held: string | undefined;
    let reached: ((url: string) => void) | undefined;
    const atDoor = new Promise<string>((resolve) => (reached = resolve));
    const unhold = this.#browser.holdNavigations(this.#isAuthorization, (url) => {
      held ??= url;
      reached?.(held);
    });
    try {
      let status = 0;
      try {
        const res = await this.#browser.goto(addQuery(login.url, opts?.loginQuery), { stopAt: this.#isAuthorization });
        if (res.stoppedAt) return parseAuthorizationRequest(res.stoppedAt, (uri) => this.#ctx.idp.pushedRequest(uri));
        status = res.status;
      } catch (err) {
        // A server-side redirect to the provider is held at the door during `goto`, which then reports
        // the aborted navigation as an error.
        if (held === undefined) throw err;
      }
      // The navigation, or the app at rest without one (it will not start the login), whichever comes first.
      let rested = false;
      const atRest = this.#browser
        .waitForNetworkIdle({
          quietMs: LOGIN_REST_MS,
          timeoutMs: LOGIN_NAVIGATION_TIMEOUT_MS,
          timers: true,
          signal: restWait.signal,
        })
        .then((idle) => {
          rested = idle;
          return idle ? undefined : new Promise<never>(() => undefined);
        });
      const url = held ?? (await this.#within(Promise.race([atDoor, atRest]), LOGIN_NAVIGATION_TIMEOUT_MS)) ?? held;
      if (url) return parseAuthorizationRequest(url, (uri) => this.#ctx.idp.pushedRequest(uri));
      // What the app shows instead (its error message, if any) tells the reader why.
      const shown = await this.#browser.visibleText(SHOWN_TEXT_MAX).catch(() => '');
      const showing = shown ? `, showing ${JSON.stringify(shown)}` : '';
      throw new CheckRunError(
        rested
          ? `the login URL did not send the person to the provider's authorization endpoint: the page came to rest at ${page.url()} (status ${status}${showing}) with no request, script work or timer pending for ${LOGIN_REST_MS} ms`
          : `the login URL did not send the person to the provider's authorization endpoint within ${LOGIN_NAVIGATION_TIMEOUT_MS} ms (the page stayed at ${page.url()}, status ${status}${showing})`,
        'target',
      );
    } finally {
      restWait.abort();
      unhold();
    }
  }

  /** `promise`'s value, or undefined when it does not settle within `ms` or the check ends first. */
  async #within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const signal = this.#ctx.signal;
    let onAbort: (() => void) | undefined;
    const bounded = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
      onAbort = () => resolve(undefined);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([promise, bounded]);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Waits until the app is done reacting: its signed-in element is visible and no request is in flight
   * (ends as soon as that happens), or the network has been quiet for {@link SETTLE_QUIET_MS} (the
   * only sign of an app that stays signed out). Bounded by {@link SETTLE_TIMEOUT_MS}.
   */
  async #settle(): Promise<void> {
    const signedIn = this.#ctx.target.signedIn;
    const ended = new AbortController();
    const waits: Array<Promise<unknown>> = [
      this.#browser.waitForNetworkIdle({ quietMs: SETTLE_QUIET_MS, timeoutMs: SETTLE_TIMEOUT_MS }),
    ];
    if (signedIn && 'selector' in signedIn) {
      // Not shown (or the page went away): the network wait decides.
      const never = (): Promise<never> => new Promise<never>(() => undefined);
      const shown =
        this.#cssSelector === false
          ? this.#browser.page
              .locator(signedIn.selector)
              .first()
              .waitFor({ state: 'visible', timeout: SETTLE_TIMEOUT_MS })
              .then(() => true, never)
          : // An app shows its signed-in element in a continuation of its own work (a response read, a
            // signature checked), so the element is there when the page next comes to rest: look then.
            this.#browser.waitAtRestFor(async () => (await this.#shown(signedIn.selector)) === true, ended.signal);
      waits.push(
        shown.then(async (found) => {
          if (!found || ended.signal.aborted) return never();
          await this.#browser.waitForRequestsDone({ timeoutMs: SETTLE_TIMEOUT_MS });
        }),
      );
    }
    try {
      await Promise.race(waits);
    } finally {
      ended.abort();
    }
  }

  /**
   * Whether the first element matching `selector` is visible, read with a small page script; for a
   * selector that is not CSS (a Playwright selector such as `text=...`) Playwright's locator answers,
   * for this and every later look. A page that goes away while looked at shows nothing.
   */
  async #shown(selector: string): Promise<boolean> {
    if (this.#cssSelector !== false) {
      const shown = await this.#browser
        .evaluate<Shown>(pageScript(selectorShown, selector))
        .catch((): Shown => 'hidden');
      if (shown !== 'invalid') {
        this.#cssSelector = true;
        return shown === 'visible';
      }
      this.#cssSelector = false;
    }
    return this.#browser.page
      .locator(selector)
      .first()
      .isVisible()
      .catch(() => false);
  }

  async approve(request: AuthorizationRequest): Promise<AuthorizationResponse> {
    this.#ctx.signal.throwIfAborted();
    return approveAuthorization(this.#person, request);
  }

  async deliver(callbackUrl: string): Promise<CallbackResult> {
    this.#ctx.signal.throwIfAborted();
    const res = await this.#browser.goto(callbackUrl, { stopAt: this.#isAuthorization, settle: () => this.#settle() });
    const body = await this.#browser.content().catch(() => res.body);
    return { status: res.status, finalUrl: res.stoppedAt ?? this.#browser.page.url(), body };
  }

  async login(opts?: { loginQuery?: Record<string, string> }): ReturnType<Session['login']> {
    return loginThrough(this, opts);
  }

  /** spa: the `signedIn.selector` is visible once the network is quiet; web: the signed-in request in this context. */
  async isSignedIn(): Promise<boolean> {
    const signedIn = this.#ctx.target.signedIn;
    if (!signedIn) throw new CheckRunError('the manifest has no `signedIn`', 'configuration');
    if ('selector' in signedIn) {
      await this.#settle();
      return this.#shown(signedIn.selector);
    }
    const res = await this.request({ url: signedIn.url });
    return signedInByResponse(signedIn, res);
  }

  async refresh(): Promise<'ok' | 'failed' | 'unsupported'> {
    return (await this.isSignedIn()) ? 'ok' : 'failed';
  }

  async api(): Promise<'ok' | 'failed' | 'unsupported'> {
    return (await this.isSignedIn()) ? 'ok' : 'failed';
  }

  async logout(): Promise<'ok' | 'failed' | 'unsupported'> {
    const logout = this.#ctx.target.logout;
    if (!logout) return 'unsupported';
    const res = await this.#browser.goto(logout.url);
    await this.#browser.waitForNetworkIdle({ quietMs: SETTLE_QUIET_MS });
    return res.status === 0 || res.status < 400 ? 'ok' : 'failed';
  }

  /** A request with this context's cookies (Playwright's context request API). */
  async request(req: SessionRequest): Promise<SessionResponse> {
    this.#ctx.signal.throwIfAborted();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url);
    const headers = { ...this.#ctx.tagHeaders(url), ...(req.headers ?? {}) };
    const at = Date.now();
    const res = await this.#browser.context.request.fetch(req.url, {
      method,
      headers,
      ...(req.body !== undefined ? { data: req.body } : {}),
      maxRedirects: req.follow === false ? 0 : 20,
      failOnStatusCode: false,
    });
    const body = await res.text();
    const responseHeaders = res.headers();
    this.#extra.push({
      seq: this.#extra.length + 1,
      at,
      agent: 'browser',
      method,
      url: req.url,
      requestHeaders: headers,
      ...(req.body !== undefined ? { requestBody: req.body } : {}),
      status: res.status(),
      responseHeaders,
      responseBody: body,
      note: 'request in the browser context (not a page navigation)',
    });
    return { status: res.status(), url: res.url(), headers: responseHeaders, body, redirects: [] };
  }

  async storage(): Promise<StorageDump> {
    return this.#browser.storage();
  }

  scriptEvents(): Array<{ type: 'dialog' | 'marker' | 'console'; text: string; url: string }> {
    return this.#browser.scriptEvents();
  }

  transcript(): TranscriptEntry[] {
    return byTime(this.#person.transcript(), this.#browser.transcript(), this.#extra);
  }

  async close(): Promise<void> {
    this.#person.close();
    await this.#browser.close();
  }

  readonly #isAuthorization = (url: URL): boolean =>
    isAuthorizationEndpoint(url.href, this.#ctx.idp.endpoints.authorization);
}
