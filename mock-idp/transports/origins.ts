/**
 * The origins whose requests must reach the mock: lexoffice's real hosts and every origin the provider
 * advertises. The msw transport intercepts them; browser and HTTP sessions tag and route requests to
 * them. Kept apart from the msw transport so that its users do not load msw.
 */
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
