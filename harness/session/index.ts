/**
 * Opens the `Session` (harness/types.ts) a check asked for: the HTTP agent for web targets, Chromium
 * for spa targets and for web checks that need a browser, the driver protocol for driver targets.
 */
import type { MockIdp } from '../../mock-idp/types.js';
import type { DriverProcess } from '../agents/driver.js';
import type { BrowserPool } from '../agents/browser.js';
import { CheckRunError } from '../runner/errors.js';
import type { ResolvedTarget, Session } from '../types.js';
import { tagHeadersFor, type SessionContext } from './common.js';
import { HttpSession } from './http-session.js';

export { HttpSession } from './http-session.js';
export {
  approveAuthorization,
  parseAuthorizationRequest,
  parseFirstForm,
  isAuthorizationEndpoint,
} from './authorization.js';
export { tagHeadersFor, providerOrigins, type SessionContext } from './common.js';

/** Run-wide resources sessions share; the browser is launched on first use and closed by the runner. */
export interface SessionResources {
  browserPath?: string;
  pool?: BrowserPool;
  /** The launch in progress, so concurrent checks share one browser. */
  launching?: Promise<BrowserPool>;
}

/** What {@link openSession} needs. */
export interface OpenSessionOptions {
  id: string;
  tag: string;
  agent: 'http' | 'browser' | 'driver';
  target: ResolvedTarget;
  idp: MockIdp;
  /** The running driver, for driver targets. */
  driver?: DriverProcess;
  resources: SessionResources;
  signal: AbortSignal;
}

/** Opens a new, independent user-agent session. */
export async function openSession(opts: OpenSessionOptions): Promise<Session> {
  const ctx: SessionContext = {
    id: opts.id,
    tag: opts.tag,
    target: opts.target,
    idp: opts.idp,
    tagHeaders: tagHeadersFor(opts.idp, opts.tag),
    signal: opts.signal,
  };
  switch (opts.agent) {
    case 'http':
      return new HttpSession(ctx);
    case 'driver': {
      if (!opts.driver) throw new CheckRunError('the driver is not running', 'harness');
      // Loaded on demand: web runs never need the driver or Playwright code.
      const { DriverSession } = await import('./driver-session.js');
      return new DriverSession(ctx, opts.driver);
    }
    case 'browser': {
      const pool = await sharedPool(opts.resources);
      const { BrowserSession } = await import('./browser-session.js');
      return BrowserSession.open(ctx, pool);
    }
  }
}

/**
 * Starts launching the run's Chromium now, so the launch overlaps the target's start instead of
 * delaying the first browser check. A failed launch is reported by the first session that needs it.
 */
export function prelaunchBrowser(resources: SessionResources): void {
  launch(resources).catch(() => undefined);
}

function launch(resources: SessionResources): Promise<BrowserPool> {
  resources.launching ??= import('./browser-session.js').then(async ({ launchPool }) => {
    const pool = await launchPool(resources.browserPath);
    resources.pool = pool;
    return pool;
  });
  return resources.launching;
}

async function sharedPool(resources: SessionResources): Promise<BrowserPool> {
  if (resources.pool) return resources.pool;
  try {
    return await launch(resources);
  } catch (err) {
    // The failed launch stays cached: the next browser check fails fast with the same reason.
    throw new CheckRunError(`Chromium could not be launched: ${(err as Error).message}`, 'configuration');
  }
}
