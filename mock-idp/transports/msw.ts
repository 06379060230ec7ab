/**
 * The msw transport: request handlers that answer requests to the real lexoffice hosts (and to every
 * origin the provider advertises) from the mock, inside the Node process. A TypeScript integration
 * hard-wired to `https://login.lexoffice.io` can then be tested without changing its code:
 *
 * ```ts
 * const idp = await createMockIdp({ profile: 'lexoffice', keepOriginalUrls: true });
 * const server = setupServer(...createMswHandlers(idp));
 * server.listen({ onUnhandledRequest: 'error' });
 * ```
 *
 * msw intercepts `fetch`, `http`/`https` default imports and XMLHttpRequest; a named
 * `import { request } from 'node:https'` bypasses it.
 */
import { http, type RequestHandler } from 'msw';
import type { MockIdp } from '../types.js';

/** The hosts lexoffice's login, web app and public API live at. */
export const LEXOFFICE_ORIGINS: readonly string[] = [
  'https://login.lexoffice.io',
  'https://app.lexoffice.de',
  'https://api.lexoffice.io',
];

function collectOrigins(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') {
    if (/^https?:\/\//i.test(value)) {
      try {
        into.add(new URL(value).origin);
      } catch {
        // Not a URL after all (a description that starts like one): nothing to intercept.
      }
    }
  } else if (Array.isArray(value)) {
    for (const v of value) collectOrigins(v, into);
  } else if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) collectOrigins(v, into);
  }
}

/**
 * Every origin requests must be routed from to reach `idp`: lexoffice's hosts, the issuer, every URL
 * in the served discovery document, the endpoints and the API base.
 */
export function interceptedOrigins(idp: MockIdp): string[] {
  const origins = new Set<string>(LEXOFFICE_ORIGINS);
  collectOrigins(idp.issuer, origins);
  collectOrigins(idp.metadata, origins);
  collectOrigins(idp.endpoints, origins);
  collectOrigins(idp.apiBaseUrl, origins);
  return [...origins];
}

/**
 * One msw handler per intercepted origin, any method and path, answering from `idp.handle`.
 * Requests to other origins are left to msw's `onUnhandledRequest` strategy.
 */
export function createMswHandlers(idp: MockIdp): RequestHandler[] {
  return interceptedOrigins(idp).map((origin) =>
    http.all(
      ({ request }) => new URL(request.url).origin === origin,
      ({ request }) => idp.handle(request),
    ),
  );
}
