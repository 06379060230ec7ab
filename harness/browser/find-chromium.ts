/**
 * Finds a Chromium to drive: an explicit path, Playwright's own downloaded browser when installed,
 * else the system's: Debian's `chromium-headless-shell` before its `chromium`. Browsers cannot always be
 * downloaded, so never hard-code one.
 */
import { existsSync } from 'node:fs';
import { chromium } from './playwright-core.js';

/**
 * System browsers in order of preference. Every session here is headless, and the headless shell (the same
 * engine built without a browser window and its interface, which Playwright itself launches for headless
 * runs) does the same work for less: an SPA audit of the whole catalog took 94-101 CPU-s (all processes:
 * Chromium's browser process alone 38-41) with Debian's `chromium` and 66-70 (browser process 18) with its
 * `chromium-headless-shell`, version 156 on two cores, with the same verdicts.
 */
export const SYSTEM_CANDIDATES = [
  '/usr/bin/chromium-headless-shell',
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
] as const;

/**
 * The features Playwright's launcher disables (playwright-core, server/chromium/chromiumSwitches.ts).
 * Chromium honours only the last `--disable-features` switch, so a list of our own must repeat them;
 * find-chromium.test.ts compares this list with the one Playwright passes and fails when they part.
 */
export const PLAYWRIGHT_DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
] as const;

/**
 * The features Playwright's launcher enables (playwright-core, server/chromium/chromiumSwitches.ts), which
 * a list of our own must repeat as with {@link PLAYWRIGHT_DISABLED_FEATURES}: Chromium honours only the
 * last `--enable-features` switch. find-chromium.test.ts fails when Playwright's list parts from this one.
 */
export const PLAYWRIGHT_ENABLED_FEATURES = ['CDPScreenshotNewSurface', 'SkipListAccountsWithoutGaiaCookies'] as const;

/**
 * Features enabled on top of Playwright's: the network service in the browser process
 * (`NetworkServiceInProcess2`), as with `--in-process-gpu` for the display compositor (there is no GPU to
 * drive: `--disable-gpu`). Each of them otherwise runs in a process of its own, and every request, every
 * cookie read and every frame of every page crossed into it and back; in the browser process the same
 * work costs less (an SPA audit of the whole catalog with Chromium 156 on two cores: the network
 * process's 2.0 CPU-s became 1.5 in the browser process, the GPU process's 2.2 became 1.5). Neither
 * changes what a page or a check can observe: requests, cookies, the cache and rendering are the same
 * code in another process.
 */
export const OWN_ENABLED_FEATURES = ['NetworkServiceInProcess2'] as const;

/**
 * Features disabled on top of Playwright's:
 *
 * - the WebUI omnibox popups. Every browser context opens a window of its own, and each window preloads
 *   its address bar's popup as a WebUI page in a renderer of its own (about 1.5 CPU-s per context
 *   measured with Chromium 156 on two cores, more than the application's own page costs), though a
 *   headless session never types into an address bar;
 * - site isolation (`site-per-process`, `IsolateOrigins`, with `--disable-site-isolation-trials`) and the
 *   spare renderer (`SpareRendererForSitePerProcess`). With them, Chromium started a new renderer for
 *   nearly every navigation of a session (the reset to about:blank, the next login) and kept one more
 *   warm for the next: 182 renderer processes for 19 checks, which with site isolation off and
 *   `--renderer-process-limit=1` became 9, and Chromium's CPU time fell by half. Process isolation
 *   defends a person's browser against a compromised renderer; here it changes nothing a check
 *   observes (cookies, storage, requests, Referer, URLs and script events are the same whichever
 *   process renders a document), and every session still has a context, and so renderers, of its own
 *   (contexts never share a renderer);
 * - a new document's new frame (`RenderDocument`): with it, Chromium builds a new frame (in the browser
 *   process, and in the renderer a new frame, widget and compositor, with an initial empty document of
 *   its own) for every navigation to another document, of which a login has several (the reset to
 *   about:blank, the login page, the callback). Without it, a navigation that stays in the same
 *   browsing context group reuses the frame, as Chromium did before the feature; what a page sees (a
 *   new document, window and storage) is the same. An SPA
 *   audit of the whole catalog (Chromium 156, two cores): 2.7 CPU-s less of about 35, in the browser
 *   process and the renderers alike, with the same verdicts.
 */
export const OWN_DISABLED_FEATURES = [
  'WebUIOmniboxPopup',
  'WebUIOmniboxAimPopup',
  'IsolateOrigins',
  'site-per-process',
  'SpareRendererForSitePerProcess',
  'RenderDocument',
] as const;

/** Flags that keep a headless Chromium quiet on a machine with a closed network, and light. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // See OWN_DISABLED_FEATURES: one renderer per context, reused across its navigations.
  '--disable-site-isolation-trials',
  '--renderer-process-limit=1',
  `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, ...OWN_DISABLED_FEATURES].join(',')}`,
  // See OWN_ENABLED_FEATURES: the network service and the display compositor in the browser process.
  `--enable-features=${[...PLAYWRIGHT_ENABLED_FEATURES, ...OWN_ENABLED_FEATURES].join(',')}`,
  '--in-process-gpu',
];

/**
 * Returns the executable to launch, or undefined when none is found. `explicit` wins when given;
 * `candidates` (for tests) replaces the system list.
 */
export function findChromium(explicit?: string, candidates: readonly string[] = SYSTEM_CANDIDATES): string | undefined {
  const fromEnv = explicit ?? process.env.LOGIN_HARNESS_BROWSER;
  if (fromEnv) return fromEnv;
  try {
    const own = chromium.executablePath();
    if (own && existsSync(own)) return own;
  } catch {
    // Playwright has no browser of its own here.
  }
  return candidates.find((p) => existsSync(p));
}
