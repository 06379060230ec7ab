/**
 * The Playwright transport: routes a browser context's (or page's) requests to the real lexoffice hosts,
 * and to every origin the provider advertises, to the mock. Browser applications hard-wired to
 * `https://login.lexoffice.io` then sign in against the mock without changing their code.
 */
import type { BrowserContext, Page, Route } from 'playwright-core';
import type { MockIdp } from '../types.js';
import { interceptedOrigins } from './origins.js';

/** Builds the web-standard Request the provider handles from a routed Playwright request. */
function toRequest(route: Route): Request {
  const pw = route.request();
  const method = pw.method();
  const body = method === 'GET' || method === 'HEAD' ? undefined : (pw.postDataBuffer() ?? undefined);
  return new Request(pw.url(), {
    method,
    headers: pw.headers(),
    body: body === undefined ? undefined : new Uint8Array(body),
    redirect: 'manual',
  });
}

/** Answers one routed request from `idp.handle`. Redirects are handed to the browser as they are. */
async function fulfil(route: Route, idp: MockIdp): Promise<void> {
  const response = await idp.handle(toRequest(route));
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
  const origins = new Set(interceptedOrigins(idp));
  await target.route(
    (url) => origins.has(url.origin),
    // A route can be settled elsewhere first (another handler, or the page or context closing mid-request):
    // fulfilling it then rejects. That must never become an unhandled rejection that ends the process.
    (route) =>
      fulfil(route, idp).catch(async (error: unknown) => {
        if (isSettledRouteError(error)) return;
        await route.abort('failed').catch(() => undefined);
      }),
  );
}

/** Playwright's errors for a route that was already answered, or whose page or context is gone. */
function isSettledRouteError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /already handled|has been closed|Target closed|Target page, context or browser has been closed/i.test(message);
}
