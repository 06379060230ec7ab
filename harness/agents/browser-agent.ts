/**
 * One person's browser session in a real Chromium (Playwright), on a context the pool lends it
 * (browser-pool.ts). Records the network (with Referer and cookies as sent), storage, and what scripts
 * did (dialogs, `window.__lhXss` markers, console), so XSS and leak checks see what a browser would;
 * navigates, stopping where the caller asks (stop-at.ts), and waits for the page to settle.
 */
import type { BrowserContext, Page, Request, Response, Route } from 'playwright-core';
import type { StorageDump, TranscriptEntry } from '../types.js';
import type { PooledContext } from './browser-pool.js';
import { documentContent, pageScript, readTabStorage, visibleText, type TabStorage } from './page-scripts.js';
import { NavigationStop, type PageChannel, type PausedResponse } from './stop-at.js';

/** The isolated world the document is read in (see BrowserAgent.content). */
const READER_WORLD = 'login-harness-reader';

/** Something a script did in the page, recorded for XSS checks. */
export interface ScriptEvent {
  type: 'dialog' | 'marker' | 'console';
  text: string;
  url: string;
}

/**
 * Answers a session's requests to some URLs instead of the network, e.g. the mock provider's Playwright
 * transport (mock-idp/transports/playwright.ts `mockIdpRouter`) that answers for the real lexoffice hosts.
 */
export interface SessionRouter {
  /** Whether a request to `url` is answered here. */
  handles(url: URL): boolean;
  /** Answers `route`, with `headers` (the request's own plus the session's extra headers) as the request's headers. */
  fulfil(route: Route, headers: Record<string, string>): Promise<void>;
}

export interface BrowserSessionOptions {
  /** Headers added to every request to `url` (the login tag for the provider's origin). */
  extraHeaders?: (url: URL) => Record<string, string>;
  /**
   * Answers requests of the session's context instead of the network (after the navigation stops of
   * {@link BrowserAgent.goto} and {@link BrowserAgent.holdNavigations}). Requests it handles still get
   * `extraHeaders`.
   */
  router?: SessionRouter;
  /** Time source for the transcript. */
  clock?: () => number;
}

export interface GotoResult {
  status: number;
  /** The address bar after the navigation. */
  url: string;
  /** The final document as served. */
  body: string;
  /** The navigation `stopAt` matched; it was aborted before reaching the network. */
  stoppedAt?: string;
}

/** Quiet period after the last request ended before the network counts as idle. */
export const NETWORK_QUIET_MS = 100;

/**
 * How long one navigation may take. Generous: on a loaded machine a page load can take many seconds, and the
 * check's own timeout (which is larger) is what bounds a check.
 */
const NAVIGATION_TIMEOUT_MS = 30_000;

/** One person's browser session. `page` and `context` are exposed for anything not wrapped here. */
export class BrowserAgent {
  private readonly entries: TranscriptEntry[] = [];
  private readonly events: ScriptEvent[] = [];
  private readonly byRequest = new Map<Request, TranscriptEntry>();
  /** Requests the router answered (see onResponse). */
  private readonly routed = new WeakSet<Request>();
  private readonly work = new Set<Promise<unknown>>();
  private readonly idleListeners = new Set<() => void>();
  private readonly clock: () => number;
  private readonly extraHeaders: (url: URL) => Record<string, string>;
  private readonly router: SessionRouter | undefined;
  /** Main-frame navigations held at the door (see holdNavigations). */
  private hold: { match: (url: URL) => boolean; onHeld: (url: string) => void } | undefined;
  private seq = 0;
  private inflight = 0;
  /** The main frame's own async work (fetch, body reads, WebCrypto) is pending: see busyInitScript. */
  private pageBusy = false;
  /** The main frame's document has work scheduled on a clock (busyInitScript's `timers`). */
  private pageTimers = false;
  /** The document whose reports `pageBusy` follows (see onBusy). */
  private busyDoc: string | undefined;
  /** Earlier documents of the tab, whose late reports are ignored. */
  private readonly retiredDocs = new Set<string>();
  private lastActivity: number;
  private readonly stop: NavigationStop;
  private ended: Promise<void> | undefined;

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    private readonly channel: PageChannel,
    opts: BrowserSessionOptions,
    private readonly release: () => Promise<void>,
  ) {
    this.clock = opts.clock ?? Date.now;
    this.extraHeaders = opts.extraHeaders ?? (() => ({}));
    this.router = opts.router;
    this.lastActivity = Date.now();
    this.stop = new NavigationStop(channel, {
      entries: this.entries,
      nextSeq: () => ++this.seq,
      clock: this.clock,
    });
  }

  /**
   * Takes over a pooled context: from now on its route (installed once for the context's life, see
   * PooledContext) and every event of the context reach this session, until it ends.
   */
  static attach(slot: PooledContext, opts: BrowserSessionOptions, release: () => Promise<void>): BrowserAgent {
    const agent = new BrowserAgent(slot.context, slot.page, slot.channel, opts, release);
    slot.current = agent;
    return agent;
  }

  /**
   * Until the returned function is called, every main-frame navigation to a URL that `match`es is aborted
   * at the route stage, before any other handling (stops, router), and its URL is passed to `onHeld`.
   * For a navigation an app starts from script at a moment of its choosing, however late.
   */
  holdNavigations(match: (url: URL) => boolean, onHeld: (url: string) => void): () => void {
    const hold = { match, onHeld };
    this.hold = hold;
    return () => {
      if (this.hold === hold) this.hold = undefined;
    };
  }

  /** `window.__lhXss` reported `text` in a frame at `url`. */
  onMarker(text: string, url: string): void {
    this.events.push({ type: 'marker', text, url });
  }

  /**
   * The main frame's document `doc` started or ended waiting for work of its own (busyInitScript). A
   * document reports `idle` as soon as it starts, so the first report of a new document ends its
   * predecessor's work (gone with it); a late report of an earlier document changes nothing.
   *
   * Navigation events do not reset the state: Playwright's `framenavigated` also fires for
   * same-document navigations (`history.replaceState`, which a browser app calls to clear code and
   * state from the address bar while it redeems them), and the work goes on across those. Worse, that
   * event comes from the browser process and the page's reports from the renderer, so on a loaded
   * machine it can arrive after the `busy` of the work that follows it: a reset then marked a page
   * that was redeeming a code as idle, and the network went "quiet" between two of its requests.
   */
  onBusy(busy: boolean, doc: string): void {
    if (this.retiredDocs.has(doc)) return;
    if (doc !== this.busyDoc) {
      if (this.busyDoc !== undefined) this.retiredDocs.add(this.busyDoc);
      this.busyDoc = doc;
      // A new document has none of its predecessor's timers.
      this.pageTimers = false;
    }
    this.pageBusy = busy;
    this.lastActivity = Date.now();
    this.notifyIdle();
  }

  /**
   * The main frame's current document `doc` has work scheduled on a clock, or none left
   * (busyInitScript). Reports of another document change nothing: a document reports `idle` (onBusy)
   * before anything else, so its timer reports always follow that.
   */
  onTimers(pending: boolean, doc: string): void {
    if (doc !== this.busyDoc) return;
    this.pageTimers = pending;
    this.lastActivity = Date.now();
    this.notifyIdle();
  }

  /** A document response the page's CDP session paused (see stop-at.ts). */
  onPausedResponse(ev: PausedResponse): Promise<void> {
    return this.stop.onPausedResponse(ev);
  }

  onDialog(text: string, url: string): void {
    this.events.push({ type: 'dialog', text, url });
  }

  onConsole(text: string, url: string): void {
    this.events.push({ type: 'console', text, url });
  }

  onLoaded(): void {
    this.lastActivity = Date.now();
    this.notifyIdle();
  }

  onResponse(r: Response): void {
    const req = r.request();
    const entry = this.byRequest.get(req);
    if (!entry) return;
    if (this.stop.isPinned(entry)) {
      // CDP's paused response omits Set-Cookie; Playwright's raw headers have it.
      this.track(
        (async () => {
          const h = await r.allHeaders();
          if (h['set-cookie'] && entry.responseHeaders) entry.responseHeaders['set-cookie'] = h['set-cookie'];
          entry.requestHeaders = await req.allHeaders();
        })(),
      );
      return;
    }
    const real = this.stop.takeRealResponse(req.url());
    entry.status = real?.status ?? r.status();
    const isMainDocument = req.resourceType() === 'document' && this.isMainFrame(req);
    if (isMainDocument) this.stop.lastDocumentStatus = entry.status;
    if (real) entry.responseHeaders = real.headers;
    if (!real && this.routed.has(req)) {
      // Answered by the router, so never on the network: the browser has no raw headers of its own for
      // it, and the raw ones (allHeaders, two calls into the browser) are the headers the response
      // and request events already carry (the request's without the router's extra headers).
      entry.responseHeaders = r.headers();
      entry.requestHeaders = req.headers();
      if (req.resourceType() === 'document' && (r.status() < 300 || r.status() >= 400)) {
        this.track(
          (async () => {
            entry.responseBody = await r.text();
          })(),
        );
      }
      return;
    }
    this.track(
      (async () => {
        if (!real) {
          const headers = await r.allHeaders();
          if (!this.stop.isPinned(entry)) entry.responseHeaders = headers;
          else if (headers['set-cookie'] && entry.responseHeaders) {
            // CDP's paused response omits Set-Cookie; Playwright's raw headers have it.
            entry.responseHeaders['set-cookie'] = headers['set-cookie'];
          }
        }
        entry.requestHeaders = await req.allHeaders();
        if (!real && req.resourceType() === 'document' && (r.status() < 300 || r.status() >= 400)) {
          entry.responseBody = await r.text();
        }
      })(),
    );
  }

  onRequestFailed(r: Request): void {
    const entry = this.byRequest.get(r);
    if (entry && !entry.note) entry.note = `failed: ${r.failure()?.errorText ?? 'unknown'}`;
    this.onRequestEnd(r);
  }

  private isMainFrame(req: Request): boolean {
    try {
      return req.frame() === this.page?.mainFrame();
    } catch {
      // Service-worker requests have no frame.
      return false;
    }
  }

  /**
   * Every request of the context while this session holds it (the pooled context's route): held or
   * stopped navigations are aborted, then the router answers what it handles, with the extra headers;
   * anything else goes on to the network (with the extra headers).
   */
  async routeRequest(route: Route, request: Request): Promise<void> {
    const hold = this.hold;
    if (hold && request.isNavigationRequest() && this.isMainFrame(request)) {
      const url = request.url();
      if (hold.match(new URL(url))) {
        hold.onHeld(url);
        await route.abort('aborted');
        return;
      }
    }
    if (await this.stop.abortAtRoute(route, request, this.byRequest.get(request), () => this.isMainFrame(request)))
      return;
    const url = new URL(request.url());
    const extra = this.extraHeaders(url);
    let headers: Record<string, string> | undefined;
    if (Object.keys(extra).length > 0) {
      headers = { ...request.headers() };
      for (const [k, v] of Object.entries(extra)) headers[k.toLowerCase()] = v;
    }
    if (this.router?.handles(url)) {
      this.routed.add(request);
      await this.router.fulfil(route, headers ?? request.headers());
      return;
    }
    await route.fallback(headers ? { headers } : undefined);
  }

  onRequest(request: Request): void {
    this.inflight++;
    this.lastActivity = Date.now();
    const entry: TranscriptEntry = {
      seq: ++this.seq,
      at: this.clock(),
      agent: 'browser',
      method: request.method(),
      url: request.url(),
      requestHeaders: request.headers(),
    };
    const body = request.postData();
    if (body !== null) entry.requestBody = body;
    this.entries.push(entry);
    this.byRequest.set(request, entry);
    this.notifyIdle();
  }

  onRequestEnd(request: Request): void {
    if (this.byRequest.has(request)) this.inflight = Math.max(0, this.inflight - 1);
    this.lastActivity = Date.now();
    this.notifyIdle();
  }

  private notifyIdle(): void {
    for (const l of this.idleListeners) l();
  }

  private track(p: Promise<unknown>): void {
    const settled = p.catch(() => undefined);
    this.work.add(settled);
    void settled.then(() => this.work.delete(settled));
  }

  /**
   * Navigates the page to `url`. With `stopAt`, a main-frame navigation (this one, a redirect in it,
   * or one the page's scripts start before the network goes quiet) whose URL matches is aborted before
   * it reaches the network and reported as `stoppedAt`.
   */
  async goto(
    url: string,
    opts: {
      stopAt?: (url: URL) => boolean;
      timeoutMs?: number;
      /**
       * With `stopAt`: what counts as "the page's scripts are done" after the load, instead of the
       * network going quiet (e.g. the app showing its signed-in element). Navigations the page starts
       * until then are still stopped.
       */
      settle?: () => Promise<unknown>;
    } = {},
  ): Promise<GotoResult> {
    const { seen: stopSeen } = this.stop.arm(opts.stopAt);
    try {
      let response: Awaited<ReturnType<Page['goto']>> = null;
      try {
        response = await this.page.goto(url, { waitUntil: 'load', timeout: opts.timeoutMs ?? NAVIGATION_TIMEOUT_MS });
        this.lastActivity = Date.now();
      } catch (err) {
        if (!this.stop.stopped()) throw err;
      }
      if (opts.stopAt && !this.stop.stopped()) {
        // A browser app navigates to the provider from script, after its own requests.
        await Promise.race([
          stopSeen,
          opts.settle ? opts.settle() : this.waitForNetworkIdle({ timeoutMs: opts.timeoutMs }),
        ]);
      }
      const stopped = this.stop.stopped();
      if (stopped) return { status: stopped.status, url: this.page.url(), body: '', stoppedAt: stopped.url };
      let body = '';
      try {
        body = response ? await response.text() : await this.content();
      } catch {
        body = await this.content().catch(() => '');
      }
      return { status: response?.status() ?? 0, url: this.page.url(), body };
    } finally {
      this.stop.disarm();
    }
  }

  /**
   * The markup of the tab's current document, as Playwright's `page.content()` gives it, read with a small
   * script (see documentContent) in a world of its own, as Playwright reads it: the page's scripts share
   * the document but not its JavaScript objects, so a page that replaced `XMLSerializer` or `outerHTML`
   * cannot change what is read. Rejects when the document goes away while it is read.
   */
  async content(): Promise<string> {
    return this.#read(pageScript(documentContent), 'no markup');
  }

  /**
   * The text the tab's current document shows (see visibleText), at most `max` characters, read in a
   * world of its own as {@link content} is. Rejects when the document goes away while it is read.
   */
  async visibleText(max: number): Promise<string> {
    return this.#read(pageScript(visibleText, max), 'no text');
  }

  /** The string `script` gives in the reader's own world of the tab's current document. */
  async #read(script: string, missing: string): Promise<string> {
    const { cdp, mainFrameId } = this.channel;
    const world = (await cdp.send('Page.createIsolatedWorld', { frameId: mainFrameId, worldName: READER_WORLD })) as {
      executionContextId: number;
    };
    let value: unknown;
    try {
      value = await evaluateInPage<unknown>(this.channel, script, world.executionContextId);
    } catch (err) {
      throw new Error(`cannot read the document: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (typeof value !== 'string') throw new Error(`cannot read the document: ${missing}`);
    return value;
  }

  /**
   * The value (JSON) of `expression` (see pageScript) evaluated in the tab's current document, in the
   * page's own world, as `page.evaluate` does; without Playwright's utility script, which `page.evaluate`
   * first installs in every document it evaluates in. Rejects when the script throws or the document
   * goes away.
   */
  async evaluate<T>(expression: string): Promise<T> {
    return evaluateInPage<T>(this.channel, expression);
  }

  /**
   * Resolves true once no request has been in flight, and the page has not been waiting for work of
   * its own (see busyInitScript), for `quietMs` (default 100 ms) measured from the last activity;
   * false if that does not happen within `timeoutMs` (default 10 s). Pending
   * transcript details (headers, bodies) are complete when it resolves true. With `timers`, the page
   * must also have no work scheduled on a clock (busyInitScript): for deciding that an app has stopped.
   */
  async waitForNetworkIdle(
    opts: { quietMs?: number; timeoutMs?: number; timers?: boolean; signal?: AbortSignal } = {},
  ): Promise<boolean> {
    const quietMs = opts.quietMs ?? NETWORK_QUIET_MS;
    const signal = opts.signal;
    const idle = await new Promise<boolean>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (value: boolean): void => {
        clearTimeout(timer);
        clearTimeout(deadline);
        this.idleListeners.delete(check);
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      };
      // The caller no longer waits (what it waited for alongside came first): false, at once.
      const onAbort = (): void => finish(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      const check = (): void => {
        clearTimeout(timer);
        if (this.inflight > 0 || this.pageBusy || (opts.timers && this.pageTimers)) return;
        const remaining = quietMs - (Date.now() - this.lastActivity);
        if (remaining <= 0) finish(true);
        else timer = setTimeout(check, remaining);
      };
      const deadline = setTimeout(() => finish(false), opts.timeoutMs ?? 10_000);
      if (signal?.aborted) return finish(false);
      this.idleListeners.add(check);
      check();
    });
    if (idle) await Promise.all([...this.work]);
    return idle;
  }

  /**
   * Resolves true once `probe` answers true at a moment the page is at rest: no request in flight and
   * the page not waiting for work of its own (busyInitScript). Probes at once if the page is at rest,
   * then each time it comes to rest again after some activity: on events, never on a clock. Resolves
   * false when `signal` aborts. A probe that fails (the document went away) counts as false.
   *
   * This only ends a wait early when what the caller looks for is there; it never decides that
   * something is absent (that takes {@link waitForNetworkIdle}'s quiet period).
   */
  async waitAtRestFor(probe: () => Promise<boolean>, signal: AbortSignal): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      let done = false;
      let probing = false;
      // Activity since the last probe (the first probe needs none).
      let dirty = true;
      const finish = (value: boolean): void => {
        if (done) return;
        done = true;
        this.idleListeners.delete(check);
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      };
      const onAbort = (): void => finish(false);
      const check = (): void => {
        if (done) return;
        if (this.inflight > 0 || this.pageBusy) {
          dirty = true;
          return;
        }
        if (probing || !dirty) return;
        dirty = false;
        probing = true;
        void probe()
          .catch(() => false)
          .then((found) => {
            probing = false;
            if (found) finish(true);
            else check();
          });
      };
      if (signal.aborted) return finish(false);
      signal.addEventListener('abort', onAbort, { once: true });
      this.idleListeners.add(check);
      check();
    });
  }

  /**
   * Resolves true as soon as no request is in flight and the transcript details of the finished ones
   * are complete, without any quiet period: for when the caller already knows, from an event, that
   * the page is done starting requests. False if requests are still running after `timeoutMs`.
   */
  async waitForRequestsDone(opts: { timeoutMs?: number } = {}): Promise<boolean> {
    const done = await new Promise<boolean>((resolve) => {
      const finish = (value: boolean): void => {
        clearTimeout(deadline);
        this.idleListeners.delete(check);
        resolve(value);
      };
      const check = (): void => {
        if (this.inflight === 0) finish(true);
      };
      const deadline = setTimeout(() => finish(false), opts.timeoutMs ?? 10_000);
      this.idleListeners.add(check);
      check();
    });
    if (done) await Promise.all([...this.work]);
    return done;
  }

  /** Every request the session made, oldest first (headers as sent, incl. Cookie and Referer). */
  transcript(): TranscriptEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  /** Dialogs, `__lhXss` markers and console messages so far. */
  scriptEvents(): ScriptEvent[] {
    return [...this.events];
  }

  /**
   * localStorage and sessionStorage of the tab's current document (the tab the session's login ran in),
   * localStorage of every other origin the context holds, and every cookie of the context.
   */
  async storage(): Promise<StorageDump> {
    let local: Record<string, string> = {};
    let session: Record<string, string> = {};
    // about:blank and other opaque documents have no storage. Anything else is read, and a read that
    // fails is an error: sessionStorage exists only in the tab, so an empty dump would be a false "none".
    if (safeOrigin(this.page.url())) {
      let tab: TabStorage;
      try {
        tab = await this.evaluate<TabStorage>(pageScript(readTabStorage));
      } catch (err) {
        throw new Error(
          `could not read the storage of the tab at ${this.page.url()}: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
      local = tab.localStorage;
      session = tab.sessionStorage;
    }
    // The page may stand on another origin by now (the provider, an error page, about:blank): read
    // localStorage of every origin the context holds too, so a token stored there is never missed.
    // Keys of origins other than the page's are prefixed with their origin.
    const pageOrigin = safeOrigin(this.page.url());
    for (const o of (await this.context.storageState()).origins) {
      for (const { name, value } of o.localStorage) {
        const key = o.origin === pageOrigin ? name : `${o.origin} ${name}`;
        if (!(key in local)) local[key] = value;
      }
    }
    const cookies = (await this.context.cookies()).map((c) => ({
      name: c.name,
      value: c.value,
      domain: c.domain,
      path: c.path,
      httpOnly: c.httpOnly,
      secure: c.secure,
      sameSite: c.sameSite,
    }));
    return { localStorage: local, sessionStorage: session, cookies };
  }

  /**
   * Ends the session: nothing of the context reaches it any more, and the context is reset for the next
   * session (or closed). The transcript, events and storage read before stay readable.
   */
  async close(): Promise<void> {
    this.ended ??= (async () => {
      this.stop.disarm();
      await this.release();
    })();
    await this.ended;
  }
}

/**
 * See {@link BrowserAgent.evaluate}: the main frame's document, in the page's own world, or in the
 * execution context `contextId` (an isolated world of the page, see BrowserAgent.content).
 */
export async function evaluateInPage<T>(channel: PageChannel, expression: string, contextId?: number): Promise<T> {
  // Without a context id, CDP evaluates in the main frame's own world.
  const res = (await channel.cdp.send('Runtime.evaluate', {
    expression,
    returnByValue: true,
    ...(contextId !== undefined ? { contextId } : {}),
  })) as {
    result: { value?: unknown };
    exceptionDetails?: { text: string; exception?: { description?: string } };
  };
  if (res.exceptionDetails) {
    throw new Error(res.exceptionDetails.exception?.description ?? res.exceptionDetails.text);
  }
  return res.result.value as T;
}

/** The origin of a URL, or undefined for about:blank and other opaque URLs. */
export function safeOrigin(url: string): string | undefined {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}
