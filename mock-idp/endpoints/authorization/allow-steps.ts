import type { AuthorizationFlow } from './flow.js';

/**
 * The permissive modes' steps: each grants one allowance that a strict check then honours. They run
 * only when their mode is on (see the table in `../authorization.ts`), so the checks never ask for a mode.
 */

/** `redirect-uri-prefix-match`. */
export function allowRedirectUriPrefix(flow: AuthorizationFlow): void {
  flow.allows.add('redirect-uri-prefix');
}

/** `redirect-on-invalid-redirect-uri`. */
export function allowErrorRedirectToUnregisteredUri(flow: AuthorizationFlow): void {
  flow.allows.add('error-redirect-to-unregistered-uri');
}

/** `implicit-enabled`. */
export function allowImplicitResponse(flow: AuthorizationFlow): void {
  flow.allows.add('implicit-response');
}

/** `pkce-not-required`. */
export function allowMissingPkce(flow: AuthorizationFlow): void {
  flow.allows.add('missing-pkce');
}

/** `plain-allowed`. */
export function allowPlainPkce(flow: AuthorizationFlow): void {
  flow.allows.add('plain-pkce');
}
