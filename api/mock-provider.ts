/**
 * `createMockIdp`: the mock identity provider for a user's own tests, with the two ways to put it in
 * front of the code under test: msw handlers (unit tests in Node: `fetch`, `http`, `https`) and a
 * Playwright route (browser tests). The mock answers every request to the real lexoffice hosts
 * (`https://login.lexoffice.io`, ...) and to the origins it advertises, so code hard-wired to
 * lexoffice signs in against it unchanged.
 */
import type { RequestHandler } from 'msw';
import type { BrowserContext, Page } from 'playwright-core';
import type { ClientRegistration, MockIdp, MockIdpOptions } from '../mock-idp/types.js';

/** Options of {@link createMockIdp}: the mock provider's own options, and whether it listens. */
export interface CreateMockIdpOptions extends MockIdpOptions {
  /**
   * Serve it with node:http on loopback (a free port) instead of only in process: for code under test
   * that runs in another process. Issuer and endpoints are then `http://127.0.0.1:PORT/...`.
   */
  listen?: boolean;
}

/** A mock provider ready to be routed into tests. */
export interface MockProvider {
  /** The mock itself: journal, faults, keys, `handle(request)`. */
  readonly idp: MockIdp;
  /** Its issuer (`https://login.lexoffice.io` unless it listens or `baseUrl` is given). */
  readonly issuer: string;
  /** The endpoints as advertised in its discovery document. */
  readonly endpoints: MockIdp['endpoints'];
  /** Base URL of the mock lexoffice API. */
  readonly apiBaseUrl: string;
  /** The loopback origin it listens on, with `listen: true`. */
  readonly url?: string;
  /** Registers a client (exact redirect URIs; omit the secret for a public client). */
  registerClient(client: ClientRegistration): ClientRegistration;
  /**
   * msw request handlers answering from the mock: `setupServer(...provider.mswHandlers())`.
   *
   * @see https://mswjs.io/docs/api/setup-server
   */
  mswHandlers(): RequestHandler[];
  /**
   * Routes a Playwright page's (or context's) requests to the provider's hosts to the mock. The
   * application under test must itself be reachable (on loopback): Playwright does not route the
   * target of a redirect it fulfilled.
   *
   * @see https://playwright.dev/docs/api/class-page#page-route
   */
  route(target: Page | BrowserContext): Promise<void>;
  /** Stops the listener (with `listen: true`); in process, nothing to stop. */
  close(): Promise<void>;
}

/**
 * Creates the mock identity provider (profile `lexoffice` by default), in process with the real
 * lexoffice URLs kept, or listening on loopback.
 *
 * @see docs/api.md#createmockidp
 * @see mock-idp/README.md (profiles, faults, permissive modes)
 *
 * @example
 * ```ts
 * import { setupServer } from 'msw/node';
 * import { createMockIdp } from 'lexoffice-login-harness';
 * const provider = await createMockIdp();
 * provider.registerClient({ clientId: 'app', authMethod: 'none', redirectUris: ['http://127.0.0.1:3000/cb'] });
 * const server = setupServer(...provider.mswHandlers());
 * server.listen({ onUnhandledRequest: 'bypass' });
 * ```
 */
export async function createMockIdp(options: CreateMockIdpOptions = {}): Promise<MockProvider> {
  const { listen, ...rest } = options;
  const idpOptions: MockIdpOptions = { profile: 'lexoffice', ...rest };
  let idp: MockIdp;
  let url: string | undefined;
  let close = async (): Promise<void> => undefined;
  if (listen) {
    const { startMockIdp } = await import('../mock-idp/transports/node-server.js');
    const { baseUrl: _ignored, ...listenOptions } = idpOptions;
    const running = await startMockIdp(listenOptions);
    ({ idp, url } = running);
    close = () => running.close();
  } else {
    const { createMockIdp: create } = await import('../mock-idp/create-mock-idp.js');
    idp = await create({ keepOriginalUrls: rest.baseUrl === undefined, ...idpOptions });
  }
  // msw is loaded when a mock is created (never when the package is imported); playwright-core only when
  // a page is routed.
  const msw = await import('../mock-idp/transports/msw.js');
  return {
    idp,
    issuer: idp.issuer,
    endpoints: idp.endpoints,
    apiBaseUrl: idp.apiBaseUrl,
    ...(url !== undefined ? { url } : {}),
    registerClient: (client) => idp.registerClient(client),
    mswHandlers: () => msw.createMswHandlers(idp),
    route: async (target) => (await import('../mock-idp/transports/playwright.js')).routeMockIdp(target, idp),
    close,
  };
}
