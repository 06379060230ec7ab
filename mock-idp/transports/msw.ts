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
import { interceptedOrigins } from './origins.js';

// The origins live in their own module, so that sessions can route to the mock without loading msw.
export { LEXOFFICE_ORIGINS, interceptedOrigins } from './origins.js';

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
