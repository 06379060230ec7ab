/**
 * The Playwright transport: routes a browser context's (or page's) requests to the real lexoffice hosts,
 * and to every origin the provider advertises, to the mock. Browser applications hard-wired to
 * `https://login.lexoffice.io` then sign in against the mock without changing their code.
 */
import type { BrowserContext, Page, Route } from 'playwright-core';
import type { MockIdp } from '../types.js';
import { interceptedOrigins } from './origins.js';

/**
 * Builds the web-standard Request the provider handles from a routed Playwright request, with `headers`
 * instead of the request's own when given.
 */
function toRequest(route: Route, headers?: Record<string, string>): Request {
  const pw = route.request();
  const method = pw.method();
  const body = method === 'GET' || method === 'HEAD' ? undefined : (pw.postDataBuffer() ?? undefined);
  return new Request(pw.url(), {
    method,
    headers: headers ?? pw.headers(),
    body: body === undefined ? undefined : new Uint8Array(body),
    redirect: 'manual',
  });
}

/**
 * Answers one routed request from `idp.handle` (with `requestHeaders` as its headers when given).
 * Redirects are handed to the browser as they are.
 */
async function fulfil(route: Route, idp: MockIdp, requestHeaders?: Record<string, string>): Promise<void> {
  const response = await idp.handle(toRequest(route, requestHeaders));
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  // Headers.forEach joins repeated Set-Cookie values with ", "; keep them apart as the browser expects.
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies.join('\n');
  await route.fulfill({
    status: response.status,
    headers,
    body: Buffer.from(await response.arrayBuffer()),
  });
}

/** Answers a browser's requests to the mock's origins: what {@link routeMockIdp} routes, for a route of one's own. */
export interface MockIdpRouter {
  /** Whether `url` is on one of the mock's origins (see {@link interceptedOrigins}). */
  handles(url: URL): boolean;
  /**
   * Answers `route` from `idp.handle`, with `headers` as the request's headers when given (the request's
   * own plus a login tag, say). Never rejects: a route settled elsewhere first is left alone, and a
   * request the mock could not answer is aborted.
   */
  fulfil(route: Route, headers?: Record<string, string>): Promise<void>;
}

/** The router of {@link routeMockIdp}, for a caller that routes requests itself (one route for several jobs). */
export function mockIdpRouter(idp: MockIdp): MockIdpRouter {
  const origins = new Set(interceptedOrigins(idp));
  return {
    handles: (url) => origins.has(url.origin),
    // A route can be settled elsewhere first (another handler, or the page or context closing mid-request):
    // fulfilling it then rejects. That must never become an unhandled rejection that ends the process.
    fulfil: (route, headers) =>
      fulfil(route, idp, headers).catch(async (error: unknown) => {
        if (isSettledRouteError(error)) return;
        await route.abort('failed').catch(() => undefined);
      }),
  };
}

/**
 * Intercepts every intercepted origin of `idp` (see {@link interceptedOrigins}) on `target` with
 * `route()` and fulfils from `idp.handle`. Other requests continue to the network untouched.
 *
 * Playwright does not route the target of a redirect it fulfilled (by design: microsoft/playwright
 * issue 23301), so the provider's redirect to the client's redirect URI must reach a real server, as
 * it does when the application under test runs on loopback. Fetches, form posts and navigations to
 * the provider's hosts are all routed.
 */
export async function routeMockIdp(target: BrowserContext | Page, idp: MockIdp): Promise<void> {
  const router = mockIdpRouter(idp);
  await target.route(
    (url) => router.handles(url),
    (route) => router.fulfil(route),
  );
}

/** Playwright's errors for a route that was already answered, or whose page or context is gone. */
function isSettledRouteError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /already handled|has been closed|Target closed|Target page, context or browser has been closed/i.test(message);
}
