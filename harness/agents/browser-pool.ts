/**
 * The run's Chromium and its browser contexts: a context per session, as isolated as a fresh one (a new
 * context, or a used one reset: see PooledContext). The context's listeners, bindings and init scripts
 * live here and forward to the session ({@link BrowserAgent}) that holds the context.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../browser/find-chromium.js';
import { chromium } from '../browser/playwright-core.js';
import { BrowserAgent, evaluateInPage, safeOrigin, type BrowserSessionOptions } from './browser-agent.js';
import { busyInitScript, clearTabState, markerInitScript, pageScript } from './page-scripts.js';
import type { PageChannel, PausedResponse } from './stop-at.js';

/**
 * The page binding `window.__lhXss` reports through (markerInitScript). The bindings are CDP's own
 * (`Runtime.addBinding` on the page's CDP session), not Playwright's `exposeBinding`: that one added two
 * copies of a 12 kB controller script to every document, and answered every report with an evaluation
 * in the page (the main frame reports its busy state several times per document).
 */
const MARKER_BINDING = '__lhXssReport';

/** The page binding the main frame reports its own pending work through (busyInitScript). */
const BUSY_BINDING = '__lhBusyReport';

/** The part of CDP's `Runtime.bindingCalled` event used here. */
interface BindingCalled {
  name: string;
  payload: string;
}

/** The paused requests of the page's own CDP session: document responses (see stop-at.ts). */
const DOCUMENT_RESPONSES = { urlPattern: '*', resourceType: 'Document', requestStage: 'Response' } as const;

/**
 * The pages' viewport: Playwright's default width, so that a layout that depends on the width (a media
 * query that hides the signed-in element on narrow screens) is a desktop browser's, and half its height
 * (still landscape). Every frame Chromium draws (each new document draws several, all in software) is
 * rastered and composited over the whole viewport; no check looks at the page's size or at what lies
 * below its fold (visibility is CSS visibility and a non-empty box, not a place on the screen).
 */
export const VIEWPORT = { width: 1280, height: 360 } as const;

/**
 * How long resetting a used context for the next session may take before it is closed instead. The
 * reset runs after its session has ended, so this bounds only how long a next session may wait for it;
 * generous, because on a loaded machine each of its steps can take a second, and a context closed
 * instead of reset costs a new one (a browser window and a renderer, about 1.5 CPU-s here).
 */
const RECYCLE_TIMEOUT_MS = 15_000;

/**
 * One browser context with its page, kept across sessions. A fresh Chromium context costs a new renderer
 * process (about 0.6 CPU-s on a small machine), so a context whose session has ended is reset instead:
 * its page goes to about:blank (ending the app's scripts and requests), and cookies, every origin's
 * storage, sessionStorage and the HTTP cache are cleared. A context that cannot be reset to that state
 * (the page closed, documents of more than one origin in the tab, a reset that fails) is closed and
 * the next session gets a new one. Listeners, bindings, init scripts, the route and the page's
 * response interception are registered once and forward to the session that holds the context
 * (`current`); nothing reaches a session after it ends. Adding and removing routes per session cost
 * Chromium a switch of its request interception (and of its cache) for the context's pages each time.
 */
export class PooledContext {
  current: BrowserAgent | undefined;
  /** Origins that had a document (any frame) in the tab since the last reset. */
  readonly documentOrigins = new Set<string>();

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    /** The page's CDP session, for the page's life: the sessions' navigation stops and the resets. */
    readonly channel: PageChannel,
  ) {}

  static async create(browser: Browser): Promise<PooledContext> {
    const context = await browser.newContext({ ignoreHTTPSErrors: false, viewport: VIEWPORT });
    try {
      // Listeners go in before the page exists; they reach the context object once it does.
      const at: { slot?: PooledContext } = {};
      await context.addInitScript(pageScript(markerInitScript, MARKER_BINDING));
      await context.addInitScript(pageScript(busyInitScript, BUSY_BINDING));
      // Every request of the context, for the session's stops, headers and router; without a session
      // (between two), a request goes on to the network untouched, as without a route.
      await context.route('**/*', (route, request) => {
        const agent = at.slot?.current;
        return agent ? agent.routeRequest(route, request) : route.fallback();
      });
      context.on('request', (r) => at.slot?.current?.onRequest(r));
      context.on('response', (r) => at.slot?.current?.onResponse(r));
      context.on('requestfinished', (r) => at.slot?.current?.onRequestEnd(r));
      context.on('requestfailed', (r) => at.slot?.current?.onRequestFailed(r));
      // The context's first page opens before the context object exists; it is watched once that does.
      const early: Page[] = [];
      context.on('page', (p) => (at.slot ? at.slot.watch(p) : early.push(p)));
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      cdp.on('Runtime.bindingCalled', (ev: BindingCalled) => at.slot?.current && onBinding(at.slot.current, ev));
      // Without the Runtime domain enabled, Chromium neither puts the bindings into new documents nor
      // reports their calls.
      await cdp.send('Runtime.enable');
      await cdp.send('Runtime.addBinding', { name: MARKER_BINDING });
      await cdp.send('Runtime.addBinding', { name: BUSY_BINDING });
      // Every document response of the page pauses, for the redirects a session's armed stop catches
      // (stop-at.ts); one paused without a session, or while its stop is not armed, goes on.
      cdp.on('Fetch.requestPaused', (ev: PausedResponse) => {
        const agent = at.slot?.current;
        if (agent) void agent.onPausedResponse(ev);
        else void cdp.send('Fetch.continueRequest', { requestId: ev.requestId }).catch(() => undefined);
      });
      await cdp.send('Fetch.enable', { patterns: [DOCUMENT_RESPONSES] });
      const tree = (await cdp.send('Page.getFrameTree')) as { frameTree: { frame: { id: string } } };
      const slot = new PooledContext(context, page, { cdp, mainFrameId: tree.frameTree.frame.id });
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
        await evaluateInPage(this.channel, pageScript(clearTabState));
      }
      await this.page.goto('about:blank');
      await this.context.clearCookies();
      const { cdp } = this.channel;
      for (const origin of this.documentOrigins) {
        await cdp.send('Storage.clearDataForOrigin', { origin, storageTypes: 'all' });
      }
      await cdp.send('Network.clearBrowserCache');
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

/** Hands a report of the page's init scripts (markerInitScript, busyInitScript) to `agent`. */
function onBinding(agent: BrowserAgent, ev: BindingCalled): void {
  if (ev.name === BUSY_BINDING) {
    const [state, doc = ''] = ev.payload.split(' ');
    if (state === 'timers' || state === 'no-timers') agent.onTimers(state === 'timers', doc);
    else agent.onBusy(state === 'busy', doc);
  } else if (ev.name === MARKER_BINDING) {
    let report: unknown;
    try {
      report = JSON.parse(ev.payload);
    } catch {
      return;
    }
    if (Array.isArray(report)) agent.onMarker(String(report[0]), String(report[1]));
  }
}

/** One Chromium for the run; sessions get their own context (cookies and storage). */
export class BrowserPool {
  /** Contexts whose session has ended, reset and ready for the next one. */
  private readonly idle: PooledContext[] = [];
  /** Resets under way: each settles once its context is in `idle` or closed. */
  private readonly resetting = new Set<Promise<void>>();
  private readonly contexts = new Set<PooledContext>();
  /** How many contexts were created (a new one is far dearer than a reset one). */
  created = 0;
  private closed = false;

  private constructor(readonly browser: Browser) {}

  /** Launches Chromium: `executablePath`, else Playwright's own, else the system's (find-chromium.ts). */
  static async launch(opts: { executablePath?: string } = {}): Promise<BrowserPool> {
    const executablePath = findChromium(opts.executablePath);
    if (!executablePath) {
      throw new Error(
        "no Chromium found: install Playwright's (npx playwright install chromium) or the system package " +
          '(Debian: apt-get install chromium-headless-shell), or pass its path (--browser PATH)',
      );
    }
    const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
    return new BrowserPool(browser);
  }

  /** A session as isolated as a fresh context: a new one, or a used one reset (see PooledContext). */
  async newSession(opts: BrowserSessionOptions = {}): Promise<BrowserAgent> {
    const slot = await this.take();
    this.contexts.add(slot);
    return BrowserAgent.attach(slot, opts, () => this.release(slot));
  }

  /**
   * A reset context when one is ready, else the next one whose reset is under way, else a new one. A
   * new context opens a browser window of its own (a renderer for the page and the window's own WebUI),
   * which costs several times what a reset does, and on a busy machine those extra CPU-seconds slow
   * every other session; so a session rather waits for a reset that is already running.
   */
  private async take(): Promise<PooledContext> {
    for (;;) {
      const ready = this.idle.pop();
      if (ready) return ready;
      if (this.resetting.size === 0 || this.closed) {
        this.created++;
        return PooledContext.create(this.browser);
      }
      await Promise.race(this.resetting);
    }
  }

  /**
   * Ends a session's hold on its context at once (the context forwards nothing to it any more, see
   * PooledContext.reset) and resets the context in the background for the next session, which
   * waits for it in {@link take}.
   */
  private release(slot: PooledContext): Promise<void> {
    const done = (async (): Promise<void> => {
      if (!this.closed && (await slot.reset()) && !this.closed) {
        this.idle.push(slot);
        return;
      }
      this.contexts.delete(slot);
      await slot.close();
    })().catch(() => undefined);
    this.resetting.add(done);
    void done.then(() => this.resetting.delete(done));
    return Promise.resolve();
  }

  /**
   * Closes the browser, and every session with it. Contexts are not closed one by one first: a context
   * whose page is stuck (a busy loop, an endless redirect) takes seconds to close on its own, while
   * closing the browser ends all of them at once. Resets still under way then fail, and are awaited.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.idle.length = 0;
    await this.browser.close();
    await Promise.allSettled([...this.resetting]);
    this.contexts.clear();
  }
}
