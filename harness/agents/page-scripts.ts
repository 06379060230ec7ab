/**
 * What the browser agent runs inside pages, and how it gets there.
 *
 * Playwright sends a function to the page as its source text. The command loads the harness through
 * tsx, whose esbuild transform keeps function names by wrapping named inner functions in
 * `__name(fn, "name")` calls; `__name` is a helper of the Node module, and the page has none, so a
 * function sent as it is throws `ReferenceError: __name is not defined` there (vitest compiles without
 * that wrapping, so tests alone would not show it). Every page script is therefore sent through
 * {@link pageScript}, which binds `__name` in the script's own scope and leaves the page's globals alone.
 */

/**
 * The source text of `fn` called with `arg` (JSON), runnable in a page however the harness was compiled:
 * for `page.evaluate(source)` and `context.addInitScript(source)`.
 */
export function pageScript<A>(fn: (arg: A) => unknown, arg: A): string;
export function pageScript(fn: () => unknown): string;
export function pageScript(fn: (arg?: unknown) => unknown, ...args: unknown[]): string {
  const call = args.length > 0 ? JSON.stringify(args[0]) : '';
  return `(function (__name) { return (${fn.toString()})(${call}); })(function (f) { return f; })`;
}

/**
 * Runs in every frame before the page's own scripts: `window.__lhXss = x` or `__lhXss(x)` reports x,
 * with the frame's URL, as the JSON array `[text, url]`.
 */
export function markerInitScript(binding: string): void {
  // The CDP binding (`Runtime.addBinding` on the page's CDP session puts it on every frame's global
  // object), taken off the global object so that only this script can call it: the page's own scripts
  // cannot report in its name. Undefined where there is none (a page without it, such as a popup).
  const w = window as unknown as Record<string, unknown>;
  const bound = w[binding];
  try {
    delete w[binding];
  } catch {
    // Not configurable: left where it is.
  }
  const call = typeof bound === 'function' ? (bound as (payload: string) => void) : undefined;
  const report = (value: unknown): void => {
    try {
      call?.(JSON.stringify([String(value), location.href]));
    } catch {
      // The binding is gone while the page unloads.
    }
  };
  const fn = (value?: unknown): void => report(value === undefined ? 'called' : value);
  Object.defineProperty(window, '__lhXss', { configurable: false, get: () => fn, set: report });
}

/**
 * Runs in every frame before the page's own scripts: reports `idle` at once (a new document), then when
 * the page starts waiting for work it started itself (fetch, XMLHttpRequest, reading a response body, WebCrypto) and when all of it has
 * ended, one task after the last one settled so the continuation that awaited it has run (and has
 * started whatever it does next). Between two requests an app verifying a signature is busy, not done.
 *
 * Apart from that, it reports `timers` when the page has scheduled work of its own on a clock (a
 * `setTimeout` or `setInterval` of at most 10 s, an animation frame, an idle callback)
 * and `no-timers` when none is left (each has run or was cancelled; an interval stays until it is
 * cleared). A page that only waits for a timer is not done either; the harness asks for this where it
 * decides that an app has stopped for good (see BrowserAgent.waitForNetworkIdle's `timers`).
 */
export function busyInitScript(binding: string): void {
  // The CDP binding (`Runtime.addBinding` on the page's CDP session puts it on every frame's global
  // object), taken off the global object so that only this script can call it: the page's own scripts
  // cannot report in its name. Undefined where there is none (a page without it, such as a popup).
  const w = window as unknown as Record<string, unknown>;
  const bound = w[binding];
  try {
    delete w[binding];
  } catch {
    // Not configurable: left where it is.
  }
  const call = typeof bound === 'function' ? (bound as (payload: string) => void) : undefined;
  // Taken in every frame (above), so that only the main frame's document can report.
  if (window.top !== window) return;
  // Names this document in its reports, so the harness can tell them from an earlier document's.
  const doc = `${Date.now().toString(36)}.${Math.random().toString(36).slice(2)}`;
  let pending = 0;
  // The page's own scripts may replace the clock functions; the reports below use the originals.
  const setTimeoutOriginal = window.setTimeout.bind(window);
  const report = (state: 'busy' | 'idle' | 'timers' | 'no-timers'): void => {
    try {
      call?.(`${state} ${doc}`);
    } catch {
      // The binding is gone while the page unloads.
    }
  };
  // A new document has none of its predecessor's work.
  report('idle');
  const track = <T>(p: Promise<T>): Promise<T> => {
    if (pending++ === 0) report('busy');
    const settle = (): void => {
      setTimeoutOriginal(() => {
        if (--pending === 0) report('idle');
      }, 0);
    };
    p.then(settle, settle);
    return p;
  };
  const wrap = (owner: Record<string, unknown>, name: string): void => {
    const original = owner[name];
    if (typeof original !== 'function') return;
    owner[name] = function (this: unknown, ...args: unknown[]): unknown {
      const result: unknown = (original as (...a: unknown[]) => unknown).apply(this, args);
      return result instanceof Promise ? track(result) : result;
    };
  };
  wrap(window as unknown as Record<string, unknown>, 'fetch');
  for (const m of ['json', 'text', 'arrayBuffer', 'blob', 'formData'])
    wrap(Response.prototype as unknown as Record<string, unknown>, m);
  if (typeof crypto !== 'undefined' && crypto.subtle) {
    const subtle = Object.getPrototypeOf(crypto.subtle) as Record<string, unknown>;
    for (const m of ['digest', 'sign', 'verify', 'importKey', 'exportKey', 'generateKey', 'encrypt', 'decrypt'])
      wrap(subtle, m);
  }
  // Timers: each scheduled callback counts until it has run or is cancelled.
  const SHORT_MS = 10_000;
  const timers = new Set<string>();
  const timerStarted = (key: string): void => {
    timers.add(key);
    if (timers.size === 1) report('timers');
  };
  const timerEnded = (key: string): void => {
    if (timers.delete(key) && timers.size === 0) report('no-timers');
  };
  type Scheduler = (callback: (...a: unknown[]) => unknown, ...rest: unknown[]) => number;
  const schedule = (name: string, cancel: string, kind: string, repeats: boolean, delayed: boolean): void => {
    const original = w[name] as Scheduler | undefined;
    const originalCancel = w[cancel] as ((id: number) => void) | undefined;
    if (typeof original !== 'function' || typeof originalCancel !== 'function') return;
    w[name] = function (this: unknown, callback: unknown, ...rest: unknown[]): number {
      // A string to evaluate, or a timer far in the future (a token refresh in an hour), is not the page's next step.
      if (typeof callback !== 'function' || (delayed && Number(rest[0]) > SHORT_MS))
        return (original as (...a: unknown[]) => number).call(this, callback, ...rest);
      let key = '';
      const fn = callback as (...a: unknown[]) => unknown;
      const id = original.call(
        this,
        function (this: unknown, ...args: unknown[]): unknown {
          try {
            return fn.apply(this, args);
          } finally {
            if (!repeats) timerEnded(key);
          }
        },
        ...rest,
      );
      key = `${kind}:${id}`;
      timerStarted(key);
      return id;
    };
    w[cancel] = function (this: unknown, id: number): void {
      originalCancel.call(this, id);
      timerEnded(`${kind}:${id}`);
    };
  };
  schedule('setTimeout', 'clearTimeout', 't', false, true);
  schedule('setInterval', 'clearInterval', 't', true, true);
  schedule('requestAnimationFrame', 'cancelAnimationFrame', 'raf', false, false);
  schedule('requestIdleCallback', 'cancelIdleCallback', 'idle', false, false);
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
    // A send that throws (wrong state) starts nothing to wait for.
    send.call(this, body);
    track(new Promise<void>((resolve) => this.addEventListener('loadend', () => resolve(), { once: true })));
  };
}

/** A document's localStorage and sessionStorage, as key-value records. */
export interface TabStorage {
  localStorage: Record<string, string>;
  sessionStorage: Record<string, string>;
}

/**
 * Runs in the tab's current document: its localStorage and the tab's sessionStorage for the document's
 * origin. A document whose origin has no storage (a sandboxed one) reads as empty: it cannot write any.
 */
export function readTabStorage(): TabStorage {
  const dump = (read: () => Storage): Record<string, string> => {
    const out: Record<string, string> = {};
    let s: Storage;
    try {
      s = read();
    } catch {
      return out;
    }
    for (let i = 0; i < s.length; i++) {
      const k = s.key(i);
      if (k !== null) out[k] = s.getItem(k) ?? '';
    }
    return out;
  };
  return { localStorage: dump(() => localStorage), sessionStorage: dump(() => sessionStorage) };
}

/** Runs in the tab's current document: empties what belongs to the tab (sessionStorage, window.name). */
export function clearTabState(): void {
  sessionStorage.clear();
  window.name = '';
}

/**
 * Runs in the tab's current document: its markup as Playwright's `page.content()` gives it (the doctype
 * as XMLSerializer writes it, then the root element's outerHTML). A few dozen bytes instead of
 * Playwright's injected script, which `content()` compiles (about 340 kB) in every document it reads.
 */
export function documentContent(): string {
  const doctype = document.doctype ? new XMLSerializer().serializeToString(document.doctype) : '';
  const root = document.documentElement;
  return root ? doctype + root.outerHTML : doctype;
}

/**
 * Runs in the tab's current document: the text it shows (`innerText` of the body, which leaves out what
 * is hidden), white space collapsed, at most `max` characters. For saying what an app showed instead of
 * doing what was expected (an error message).
 */
export function visibleText(max: number): string {
  const text = document.body ? document.body.innerText : '';
  return text.replace(/\s+/g, ' ').trim().slice(0, max);
}

/** What {@link selectorShown} found: the first match is visible, it is not (or there is none), or the selector is no CSS. */
export type Shown = 'visible' | 'hidden' | 'invalid';

/**
 * Runs in the tab's current document: whether the first element matching the CSS `selector` (in the
 * document, else in open shadow roots, which Playwright's CSS engine also searches) is visible as
 * Playwright's `isVisible` defines it: `checkVisibility()`, `visibility: visible` and a non-empty box,
 * or for `display: contents` a visible child. `invalid` when `selector` is not CSS (a Playwright-only
 * selector such as `text=...`): the caller then asks Playwright. A few hundred bytes instead of
 * Playwright's injected selector engine (about 340 kB compiled in every document it is used in).
 */
export function selectorShown(selector: string): Shown {
  const find = (root: Document | ShadowRoot): Element | null => {
    const hit = root.querySelector(selector);
    if (hit) return hit;
    for (const el of Array.from(root.querySelectorAll('*'))) {
      const inner = el.shadowRoot ? find(el.shadowRoot) : null;
      if (inner) return inner;
    }
    return null;
  };
  const visible = (el: Element): boolean => {
    const style = getComputedStyle(el);
    if (style.display === 'contents') return Array.from(el.children).some(visible);
    if (typeof el.checkVisibility === 'function' && !el.checkVisibility()) return false;
    if (style.visibility !== 'visible') return false;
    const rect = el.getBoundingClientRect();
    return rect.width > 0 && rect.height > 0;
  };
  let el: Element | null;
  try {
    el = find(document);
  } catch {
    return 'invalid';
  }
  return el && visible(el) ? 'visible' : 'hidden';
}
