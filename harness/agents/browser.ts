/**
 * A real Chromium as the person's user agent (Playwright): one browser per run, and per session a
 * context as isolated as a fresh one (a new context, or a used one reset: see PooledContext). Records the network (with Referer and cookies as sent), storage, and what scripts did
 * (dialogs, `window.__lhXss` markers, console), so XSS and leak checks see what a browser would.
 */
import {
  chromium,
  type Browser,
  type BrowserContext,
  type CDPSession,
  type Frame,
  type Page,
  type Request,
  type Response,
  type Route,
} from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../browser/find-chromium.js';
import type { StorageDump, TranscriptEntry } from '../types.js';
import {
  busyInitScript,
  clearTabState,
  markerInitScript,
  pageScript,
  readTabStorage,
  type TabStorage,
} from './page-scripts.js';

/** Something a script did in the page, recorded for XSS checks. */
export interface ScriptEvent {
  type: 'dialog' | 'marker' | 'console';
  text: string;
  url: string;
}

export interface BrowserSessionOptions {
  /** Headers added to every request to `url` (the login tag for the provider's origin). */
  extraHeaders?: (url: URL) => Record<string, string>;
  /**
   * Installs routes on the session's context before its page loads anything, e.g. the mock provider's Playwright
   * transport that answers for the real lexoffice hosts. Requests it handles still get `extraHeaders`.
   */
  route?: (context: BrowserContext) => Promise<void>;
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

const MARKER_BINDING = '__lhXssReport';

/** The part of CDP's `Fetch.requestPaused` event used here. */
interface PausedResponse {
  requestId: string;
  frameId: string;
  resourceType: string;
  request: { url: string; method: string };
  responseStatusCode?: number;
  responseHeaders?: Array<{ name: string; value: string }>;
}

const BUSY_BINDING = '__lhBusyReport';

/**
 * How long one navigation may take. Generous: on a loaded machine a page load can take many seconds, and the
 * check's own timeout (which is larger) is what bounds a check.
 */
const NAVIGATION_TIMEOUT_MS = 30_000;

/** One Chromium for the run; sessions get their own context (cookies and storage). */
/** How long resetting a used context for the next session may take before it is closed instead. */
const RECYCLE_TIMEOUT_MS = 5_000;

/**
 * One browser context with its page, kept across sessions. A fresh Chromium context costs a new renderer
 * process (about 0.6 CPU-s on a small machine), so a context whose session has ended is reset instead:
 * its page goes to about:blank (ending the app's scripts and requests), and cookies, every origin's
 * storage, sessionStorage and the HTTP cache are cleared. A context that cannot be reset to that state
 * (the page closed, documents of more than one origin in the tab, a reset that fails) is closed and
 * the next session gets a new one. Listeners, bindings and init scripts are registered once and
 * forward to the session that holds the context (`current`); nothing reaches a session after it ends.
 */
class PooledContext {
  current: BrowserAgent | undefined;
  /** Origins that had a document (any frame) in the tab since the last reset. */
  readonly documentOrigins = new Set<string>();
  #cdp: CDPSession | undefined;

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
  ) {}

  static async create(browser: Browser): Promise<PooledContext> {
    const context = await browser.newContext({ ignoreHTTPSErrors: false });
    try {
      // Listeners go in before the page exists; they reach the context object once it does.
      const at: { slot?: PooledContext } = {};
      await context.exposeBinding(MARKER_BINDING, (source: { frame: { url(): string } }, text: unknown) => {
        at.slot?.current?.onMarker(String(text), source.frame.url());
      });
      await context.addInitScript(pageScript(markerInitScript, MARKER_BINDING));
      await context.exposeBinding(BUSY_BINDING, (source: { frame: Frame }, state: unknown) => {
        at.slot?.current?.onBusy(source.frame, state === 'busy');
      });
      await context.addInitScript(pageScript(busyInitScript, BUSY_BINDING));
      context.on('request', (r) => at.slot?.current?.onRequest(r));
      context.on('response', (r) => at.slot?.current?.onResponse(r));
      context.on('requestfinished', (r) => at.slot?.current?.onRequestEnd(r));
      context.on('requestfailed', (r) => at.slot?.current?.onRequestFailed(r));
      // The context's first page opens before the context object exists; it is watched once that does.
      const early: Page[] = [];
      context.on('page', (p) => (at.slot ? at.slot.watch(p) : early.push(p)));
      const page = await context.newPage();
      const slot = new PooledContext(context, page);
      at.slot = slot;
      for (const p of early) slot.watch(p);
      return slot;
    } catch (err) {
      await context.close().catch(() => undefined);
      throw err;
    }
  }

  /** Page-level listeners, once per page, forwarding to the current session. */
  watch(page: Page): void {
    page.on('dialog', (dialog) => {
      this.current?.onDialog(`${dialog.type()}: ${dialog.message()}`, page.url());
      // A dialog blocks the page's scripts until answered; dismiss as a cautious person would.
      void dialog.dismiss().catch(() => undefined);
    });
    page.on('console', (msg) =>
      this.current?.onConsole(`${msg.type()}: ${msg.text()}`, msg.location().url || page.url()),
    );
    page.on('pageerror', (err) => this.current?.onConsole(`pageerror: ${err.message}`, page.url()));
    page.on('framenavigated', (frame) => {
      const origin = safeOrigin(frame.url());
      if (origin) this.documentOrigins.add(origin);
      this.current?.onFrameNavigated(frame);
    });
    // A document that has just loaded has just run its scripts: the quiet window starts at its load,
    // not at the end of the request that fetched it (on a busy machine the two can be seconds apart).
    page.on('domcontentloaded', () => this.current?.onLoaded());
    page.on('load', () => this.current?.onLoaded());
  }

  /**
   * Brings the context back to the state of a fresh one for the next session; false when it cannot be
   * (the caller closes it then).
   */
  async reset(): Promise<boolean> {
    this.current = undefined;
    if (this.page.isClosed()) return false;
    const pageOrigin = safeOrigin(this.page.url());
    // sessionStorage belongs to the tab and can only be cleared from a document of its origin.
    for (const origin of this.documentOrigins) if (origin !== pageOrigin) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), RECYCLE_TIMEOUT_MS)));
    const work = (async (): Promise<boolean> => {
      for (const p of this.context.pages()) if (p !== this.page) await p.close();
      if (pageOrigin) {
        await this.page.evaluate(pageScript(clearTabState));
      }
      await this.page.goto('about:blank');
      await this.context.clearCookies();
      await this.context.unrouteAll({ behavior: 'ignoreErrors' });
      this.#cdp ??= await this.context.newCDPSession(this.page);
      for (const origin of this.documentOrigins) {
        await this.#cdp.send('Storage.clearDataForOrigin', { origin, storageTypes: 'all' });
      }
      await this.#cdp.send('Network.clearBrowserCache');
      this.documentOrigins.clear();
      return true;
    })();
    try {
      return await Promise.race([work, timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
      // A reset that timed out may still be running; its errors are of no interest.
      work.catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.current = undefined;
    await this.context.close().catch(() => undefined);
  }
}

export class BrowserPool {
  /** Contexts whose session has ended, reset and ready for the next one. */
  private readonly idle: PooledContext[] = [];
  private readonly contexts = new Set<PooledContext>();
  private closed = false;

  private constructor(readonly browser: Browser) {}

  /** Launches Chromium: `executablePath`, else Playwright's own, else the system's (find-chromium.ts). */
  static async launch(opts: { executablePath?: string } = {}): Promise<BrowserPool> {
    const executablePath = findChromium(opts.executablePath);
    if (!executablePath) {
      throw new Error(
        'no Chromium found: install one (Debian: apt-get install chromium) or pass its path (--browser PATH)',
      );
    }
    const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
    return new BrowserPool(browser);
  }

  /** A session as isolated as a fresh context: a new one, or a used one reset (see PooledContext). */
  async newSession(opts: BrowserSessionOptions = {}): Promise<BrowserAgent> {
    const slot = this.idle.pop() ?? (await PooledContext.create(this.browser));
    this.contexts.add(slot);
    try {
      return await BrowserAgent.attach(slot, opts, () => this.release(slot));
    } catch (err) {
      this.contexts.delete(slot);
      await slot.close();
      throw err;
    }
  }

  private async release(slot: PooledContext): Promise<void> {
    if (!this.closed && (await slot.reset()) && !this.closed) {
      this.idle.push(slot);
      return;
    }
    this.contexts.delete(slot);
    await slot.close();
  }

  /** Closes every session and the browser. */
  async close(): Promise<void> {
    this.closed = true;
    this.idle.length = 0;
    await Promise.allSettled([...this.contexts].map((c) => c.close()));
    await this.browser.close();
  }
}

/** One person's browser session. `page` and `context` are exposed for anything not wrapped here. */
export class BrowserAgent {
  private readonly entries: TranscriptEntry[] = [];
  private readonly events: ScriptEvent[] = [];
  private readonly byRequest = new Map<Request, TranscriptEntry>();
  private readonly work = new Set<Promise<unknown>>();
  private readonly idleListeners = new Set<() => void>();
  private readonly clock: () => number;
  private readonly extraHeaders: (url: URL) => Record<string, string>;
  private seq = 0;
  private inflight = 0;
  /** The main frame's own async work (fetch, body reads, WebCrypto) is pending: see busyInitScript. */
  private pageBusy = false;
  private lastActivity: number;
  private stopAt: ((url: URL) => boolean) | undefined;
  private stopped: { url: string; status: number } | undefined;
  private onStop: (() => void) | undefined;
  private lastDocumentStatus = 0;
  /** What the server really answered for a redirect the stop turned into a non-committing 204. */
  private readonly realResponses = new Map<string, { status: number; headers: Record<string, string> }>();
  private cdp: CDPSession | undefined;
  /** Entries whose response was taken from CDP and must not be overwritten by Playwright's events. */
  private readonly pinned = new WeakSet<TranscriptEntry>();
  private ended: Promise<void> | undefined;

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    opts: BrowserSessionOptions,
    private readonly release: () => Promise<void>,
  ) {
    this.clock = opts.clock ?? Date.now;
    this.extraHeaders = opts.extraHeaders ?? (() => ({}));
    this.lastActivity = Date.now();
  }

  /** Takes over a pooled context: the caller's routes, then ours, then every event of the context. */
  static async attach(
    slot: PooledContext,
    opts: BrowserSessionOptions,
    release: () => Promise<void>,
  ): Promise<BrowserAgent> {
    const agent = new BrowserAgent(slot.context, slot.page, opts, release);
    // Playwright runs the route registered last first: ours sees every request, adds headers, and
    // falls back to the caller's routes (which then see the added headers) or the network.
    if (opts.route) await opts.route(slot.context);
    await slot.context.route('**/*', (route, request) =>
      slot.current === agent ? agent.routeRequest(route, request) : route.fallback(),
    );
    slot.current = agent;
    return agent;
  }

  /** `window.__lhXss` reported `text` in a frame at `url`. */
  onMarker(text: string, url: string): void {
    this.events.push({ type: 'marker', text, url });
  }

  /** The main frame's scripts started or ended waiting for work of their own (busyInitScript). */
  onBusy(frame: Frame, busy: boolean): void {
    if (frame !== this.page.mainFrame()) return;
    this.pageBusy = busy;
    this.lastActivity = Date.now();
    this.notifyIdle();
  }

  onDialog(text: string, url: string): void {
    this.events.push({ type: 'dialog', text, url });
  }

  onConsole(text: string, url: string): void {
    this.events.push({ type: 'console', text, url });
  }

  onFrameNavigated(frame: Frame): void {
    // A new document has none of the old one's work; it reports its own.
    if (frame === this.page.mainFrame()) this.pageBusy = false;
  }

  onLoaded(): void {
    this.lastActivity = Date.now();
    this.notifyIdle();
  }

  onResponse(r: Response): void {
    const req = r.request();
    const entry = this.byRequest.get(req);
    if (!entry) return;
    if (this.pinned.has(entry)) {
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
    const real = this.realResponses.get(req.url());
    this.realResponses.delete(req.url());
    entry.status = real?.status ?? r.status();
    const isMainDocument = req.resourceType() === 'document' && this.isMainFrame(req);
    if (isMainDocument) this.lastDocumentStatus = entry.status;
    if (real) entry.responseHeaders = real.headers;
    this.track(
      (async () => {
        if (!real) {
          const headers = await r.allHeaders();
          if (!this.pinned.has(entry)) entry.responseHeaders = headers;
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

  async routeRequest(route: Route, request: Request): Promise<void> {
    const url = new URL(request.url());
    if (this.stopAt && request.isNavigationRequest() && this.isMainFrame(request) && this.stopAt(url)) {
      this.stopped = { url: url.href, status: this.lastDocumentStatus };
      const entry = this.byRequest.get(request);
      if (entry) entry.note = 'navigation stopped before this request (not fetched)';
      this.onStop?.();
      await route.abort('aborted');
      return;
    }
    const extra = this.extraHeaders(url);
    if (Object.keys(extra).length === 0) {
      await route.fallback();
      return;
    }
    const headers = { ...request.headers() };
    for (const [k, v] of Object.entries(extra)) headers[k.toLowerCase()] = v;
    await route.fallback({ headers });
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
    this.stopAt = opts.stopAt;
    this.stopped = undefined;
    const stopSeen = new Promise<void>((resolve) => (this.onStop = resolve));
    if (opts.stopAt) await this.interceptRedirects(true);
    try {
      let response: Awaited<ReturnType<Page['goto']>> = null;
      try {
        response = await this.page.goto(url, { waitUntil: 'load', timeout: opts.timeoutMs ?? NAVIGATION_TIMEOUT_MS });
        this.lastActivity = Date.now();
      } catch (err) {
        if (!this.stoppedNavigation()) throw err;
      }
      if (opts.stopAt && !this.stoppedNavigation()) {
        // A browser app navigates to the provider from script, after its own requests.
        await Promise.race([
          stopSeen,
          opts.settle ? opts.settle() : this.waitForNetworkIdle({ timeoutMs: opts.timeoutMs }),
        ]);
      }
      const stopped = this.stoppedNavigation();
      if (stopped) return { status: stopped.status, url: this.page.url(), body: '', stoppedAt: stopped.url };
      let body = '';
      try {
        body = response ? await response.text() : await this.page.content();
      } catch {
        body = await this.page.content().catch(() => '');
      }
      return { status: response?.status() ?? 0, url: this.page.url(), body };
    } finally {
      this.stopAt = undefined;
      this.onStop = undefined;
      if (opts.stopAt) await this.interceptRedirects(false);
    }
  }

  /**
   * Playwright does not route the hops of a redirect, so a redirect to the stop URL is caught at the
   * response stage through CDP and answered to the browser as a 204 (a 204 navigation does not
   * commit); the stop URL is never requested. Chromium has already stored the cookies the client set
   * with its redirect (its state cookie, say) when the response stage is reached, so they are kept.
   */
  private async interceptRedirects(on: boolean): Promise<void> {
    if (!on) {
      await this.cdp?.send('Fetch.disable').catch(() => undefined);
      return;
    }
    if (!this.cdp) {
      this.cdp = await this.context.newCDPSession(this.page);
      this.cdp.on('Fetch.requestPaused', (ev: PausedResponse) => void this.onPausedResponse(ev));
      const tree = (await this.cdp.send('Page.getFrameTree')) as { frameTree: { frame: { id: string } } };
      this.mainFrameId = tree.frameTree.frame.id;
    }
    await this.cdp.send('Fetch.enable', {
      patterns: [{ urlPattern: '*', resourceType: 'Document', requestStage: 'Response' }],
    });
  }

  private async onPausedResponse(ev: PausedResponse): Promise<void> {
    const cdp = this.cdp;
    if (!cdp) return;
    const status = ev.responseStatusCode ?? 0;
    const headers = ev.responseHeaders ?? [];
    const location = headers.find((h) => h.name.toLowerCase() === 'location')?.value;
    let target: URL | undefined;
    try {
      target = location && status >= 300 && status < 400 ? new URL(location, ev.request.url) : undefined;
    } catch {
      target = undefined;
    }
    if (target && this.stopAt && ev.frameId === this.mainFrameId && this.stopAt(target)) {
      this.stopped = { url: target.href, status };
      const record: Record<string, string> = {};
      for (const h of headers) {
        const k = h.name.toLowerCase();
        record[k] = record[k] ? `${record[k]}\n${h.value}` : h.value;
      }
      this.realResponses.set(ev.request.url, { status, headers: record });
      const hop = this.entries.findLast((e) => e.url === ev.request.url && !this.pinned.has(e));
      if (hop) {
        hop.status = status;
        hop.responseHeaders = { ...hop.responseHeaders, ...record };
        hop.note = 'redirect to the stop URL not followed';
        this.pinned.add(hop);
      }
      this.entries.push({
        seq: ++this.seq,
        at: this.clock(),
        agent: 'browser',
        method: 'GET',
        url: target.href,
        requestHeaders: {},
        note: 'navigation stopped before this request (not fetched)',
      });
      this.onStop?.();
      await cdp
        .send('Fetch.fulfillRequest', { requestId: ev.requestId, responseCode: 204, responseHeaders: [], body: '' })
        .catch(() => undefined);
      return;
    }
    await cdp.send('Fetch.continueRequest', { requestId: ev.requestId }).catch(() => undefined);
  }

  private mainFrameId: string | undefined;

  /** Set from the route handler while `goto` awaits (a method, so narrowing does not assume it unchanged). */
  private stoppedNavigation(): { url: string; status: number } | undefined {
    return this.stopped;
  }

  /**
   * Resolves true once no request has been in flight, and the page has not been waiting for work of
   * its own (see busyInitScript), for `quietMs` (default 100 ms) measured from the last activity;
   * false if that does not happen within `timeoutMs` (default 10 s). Pending
   * transcript details (headers, bodies) are complete when it resolves true.
   */
  async waitForNetworkIdle(opts: { quietMs?: number; timeoutMs?: number } = {}): Promise<boolean> {
    const quietMs = opts.quietMs ?? NETWORK_QUIET_MS;
    const idle = await new Promise<boolean>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (value: boolean): void => {
        clearTimeout(timer);
        clearTimeout(deadline);
        this.idleListeners.delete(check);
        resolve(value);
      };
      const check = (): void => {
        clearTimeout(timer);
        if (this.inflight > 0 || this.pageBusy) return;
        const remaining = quietMs - (Date.now() - this.lastActivity);
        if (remaining <= 0) finish(true);
        else timer = setTimeout(check, remaining);
      };
      const deadline = setTimeout(() => finish(false), opts.timeoutMs ?? 10_000);
      this.idleListeners.add(check);
      check();
    });
    if (idle) await Promise.all([...this.work]);
    return idle;
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
        tab = await this.page.evaluate<TabStorage>(pageScript(readTabStorage));
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
      await this.cdp?.detach().catch(() => undefined);
      this.cdp = undefined;
      await this.release();
    })();
    await this.ended;
  }
}

/** The origin of a URL, or undefined for about:blank and other opaque URLs. */
function safeOrigin(url: string): string | undefined {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}
