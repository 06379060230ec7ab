/**
 * Stopping a navigation before it reaches the network ("stop at"): the login stops where the browser
 * would go to the provider, so the harness plays the person's part there. A matching main-frame
 * navigation is aborted at the route stage; a redirect to a matching URL (Playwright does not route the
 * hops of a redirect) is caught at the response stage through CDP, on the page's own CDP session that
 * the pool keeps for the page's life (browser-pool.ts).
 */
import type { CDPSession, Request, Route } from 'playwright-core';
import type { TranscriptEntry } from '../types.js';

/** Where a navigation was stopped, and the status of the document the tab showed then. */
export interface StoppedNavigation {
  url: string;
  status: number;
}

/** What the server really answered for a redirect the stop turned into a non-committing 204. */
export interface RealResponse {
  status: number;
  headers: Record<string, string>;
}

/** The session's transcript, which a stop marks and extends. */
export interface StopLog {
  /** The transcript entries, oldest first (mutated in place). */
  readonly entries: TranscriptEntry[];
  nextSeq(): number;
  clock(): number;
}

/**
 * A page's CDP session, opened once for the page's life, and the id of its main frame (which keeps its
 * id across navigations). Opening a session per browser session cost an attach, a frame-tree read and a
 * detach each time, in Chromium and here.
 */
export interface PageChannel {
  readonly cdp: CDPSession;
  readonly mainFrameId: string;
}

/** The part of CDP's `Fetch.requestPaused` event used here. */
export interface PausedResponse {
  requestId: string;
  frameId: string;
  resourceType: string;
  request: { url: string; method: string };
  responseStatusCode?: number;
  responseHeaders?: Array<{ name: string; value: string }>;
}

const NOT_FETCHED = 'navigation stopped before this request (not fetched)';

/** One session's stop: armed for one `goto` at a time. */
export class NavigationStop {
  /** Status of the main frame's last document: what a stop started from script reports. */
  lastDocumentStatus = 0;
  #match: ((url: URL) => boolean) | undefined;
  #stopped: StoppedNavigation | undefined;
  #onStop: (() => void) | undefined;
  readonly #realResponses = new Map<string, RealResponse>();
  /** Entries whose response was taken from CDP and must not be overwritten by Playwright's events. */
  readonly #pinned = new WeakSet<TranscriptEntry>();

  constructor(
    private readonly channel: PageChannel,
    private readonly log: StopLog,
  ) {}

  /**
   * Stops, from now on, every main-frame navigation whose URL `match`es (none without one). `seen`
   * resolves at the first stop. The page's document responses pause all the time (the pool enables that
   * once for the page's life, instead of a switch of Chromium's interception on and off per navigation,
   * for about as many documents as pause now), and go on untouched while the stop is not armed.
   */
  arm(match: ((url: URL) => boolean) | undefined): { seen: Promise<void> } {
    this.#match = match;
    this.#stopped = undefined;
    const seen = new Promise<void>((resolve) => (this.#onStop = resolve));
    return { seen };
  }

  /**
   * Stops nothing any more; also when its session ends. A `goto` of an ended session that is still
   * running (a check that timed out) may arm it again, but nothing of the page reaches an ended session
   * (the pool forwards to the session that holds the context), so that stops nothing either.
   */
  disarm(): void {
    this.#match = undefined;
    this.#onStop = undefined;
  }

  /** The navigation stopped since `arm`, if any (a method, so narrowing does not assume it unchanged). */
  stopped(): StoppedNavigation | undefined {
    return this.#stopped;
  }

  /**
   * The route stage: aborts `request` when it is a main-frame navigation to a matching URL, marking its
   * transcript `entry`. True when it did (the route is handled).
   */
  async abortAtRoute(
    route: Route,
    request: Request,
    entry: TranscriptEntry | undefined,
    isMainFrame: () => boolean,
  ): Promise<boolean> {
    if (!this.#match || !request.isNavigationRequest() || !isMainFrame() || !this.#match(new URL(request.url()))) {
      return false;
    }
    this.#stopped = { url: new URL(request.url()).href, status: this.lastDocumentStatus };
    if (entry) entry.note = NOT_FETCHED;
    this.#onStop?.();
    await route.abort('aborted');
    return true;
  }

  /** Whether `entry`'s response was taken from CDP (Playwright's events must not overwrite it). */
  isPinned(entry: TranscriptEntry): boolean {
    return this.#pinned.has(entry);
  }

  /** The real answer to a redirect to `url` that the stop replaced, once. */
  takeRealResponse(url: string): RealResponse | undefined {
    const real = this.#realResponses.get(url);
    this.#realResponses.delete(url);
    return real;
  }

  /** A document response paused while armed (the pool forwards the page's `Fetch.requestPaused`). */
  async onPausedResponse(ev: PausedResponse): Promise<void> {
    const { cdp } = this.channel;
    const status = ev.responseStatusCode ?? 0;
    const headers = ev.responseHeaders ?? [];
    const location = headers.find((h) => h.name.toLowerCase() === 'location')?.value;
    let target: URL | undefined;
    try {
      target = location && status >= 300 && status < 400 ? new URL(location, ev.request.url) : undefined;
    } catch {
      target = undefined;
    }
    if (target && this.#match && ev.frameId === this.channel.mainFrameId && this.#match(target)) {
      this.#stopped = { url: target.href, status };
      const record: Record<string, string> = {};
      for (const h of headers) {
        const k = h.name.toLowerCase();
        record[k] = record[k] ? `${record[k]}\n${h.value}` : h.value;
      }
      this.#realResponses.set(ev.request.url, { status, headers: record });
      const hop = this.log.entries.findLast((e) => e.url === ev.request.url && !this.#pinned.has(e));
      if (hop) {
        hop.status = status;
        hop.responseHeaders = { ...hop.responseHeaders, ...record };
        hop.note = 'redirect to the stop URL not followed';
        this.#pinned.add(hop);
      }
      this.log.entries.push({
        seq: this.log.nextSeq(),
        at: this.log.clock(),
        agent: 'browser',
        method: 'GET',
        url: target.href,
        requestHeaders: {},
        note: NOT_FETCHED,
      });
      this.#onStop?.();
      await cdp
        .send('Fetch.fulfillRequest', { requestId: ev.requestId, responseCode: 204, responseHeaders: [], body: '' })
        .catch(() => undefined);
      return;
    }
    await cdp.send('Fetch.continueRequest', { requestId: ev.requestId }).catch(() => undefined);
  }
}
