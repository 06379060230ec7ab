/**
 * Finds a Chromium to drive: an explicit path, Playwright's own downloaded browser when installed,
 * else the system's (Debian's `chromium`). Browsers cannot always be downloaded, so never hard-code one.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

const SYSTEM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Flags that keep a headless Chromium quiet on a machine with a closed network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Returns the executable to launch, or undefined when none is found. `explicit` wins when given. */
export function findChromium(explicit?: string): string | undefined {
  const fromEnv = explicit ?? process.env.LOGIN_HARNESS_BROWSER;
  if (fromEnv) return fromEnv;
  try {
    const own = chromium.executablePath();
    if (own && existsSync(own)) return own;
  } catch {
    // Playwright has no browser of its own here.
  }
  return SYSTEM_CANDIDATES.find((p) => existsSync(p));
}
