import { isRegisteredRedirectUri } from '../../http/redirect-uri.js';
import { challengeWellFormed } from '../../pkce/pkce-rules.js';
import { PageRefusal, RedirectRefusal, type AuthorizationFlow } from './flow.js';

/**
 * The strict checks of an authorization request (RFC 6749 4.1.1, OIDC Core 3.1.2.1), one step each. A
 * check refuses by throwing: a PageRefusal before the redirect URI is trusted, a RedirectRefusal after.
 * What a permissive mode or a fault loosens reaches them only as an allowance (`flow.allows`).
 */

/** RFC 6749 4.1.2.1: a missing, unknown or repeated client_id (or repeated redirect_uri) gets no redirect. */
export function checkClient(flow: AuthorizationFlow): void {
  const { params, repeated } = flow;
  // RFC 6749 3.1: a repeated client_id or redirect_uri makes the redirect target ambiguous.
  if (repeated.includes('client_id') || repeated.includes('redirect_uri')) {
    throw new PageRefusal(`parameters repeated: ${repeated.join(', ')}`, { client_id: params.client_id ?? '' });
  }
  if (!params.client_id) throw new PageRefusal('client_id is missing', { client_id: '' });
  const client = flow.ctx.clients.get(params.client_id);
  if (!client) throw new PageRefusal('client_id is not registered', { client_id: params.client_id });
  flow.client = client;
}

function redirectUriMatches(flow: AuthorizationFlow, given: string): boolean {
  const registered = flow.client!.redirectUris;
  if (!flow.allows.has('redirect-uri-prefix')) return isRegisteredRedirectUri(flow.client!, given);
  if (!URL.canParse(given)) return false;
  const lower = given.toLowerCase();
  return registered.some((r) => lower.startsWith(r.toLowerCase().replace(/\/$/, '')));
}

/**
 * Exact string comparison with a registered URI (RFC 9700 4.1.3, RFC 6749 3.1.2.3); for a native
 * client, any port on a registered loopback IP redirect URI (RFC 8252 7.3).
 */
export function checkRedirectUri(flow: AuthorizationFlow): void {
  const given = flow.params.redirect_uri;
  if (given && redirectUriMatches(flow, given)) {
    flow.redirectUri = given;
    return;
  }
  const description = given ? 'redirect_uri is not registered for this client' : 'redirect_uri is missing';
  if (given && flow.allows.has('error-redirect-to-unregistered-uri') && URL.canParse(given)) {
    // Trusted only for this one error, so the error redirect goes where the request said.
    flow.redirectUri = given;
    throw new RedirectRefusal('invalid_request', description, true);
  }
  throw new PageRefusal(description, { redirect_uri: given ?? '' });
}

/** RFC 6749 3.1: parameters MUST NOT be included more than once. */
export function checkRepeatedParams(flow: AuthorizationFlow): void {
  if (flow.repeated.length > 0) {
    throw new RedirectRefusal('invalid_request', `parameters repeated: ${flow.repeated.join(', ')} (RFC 6749 3.1)`);
  }
}

/** Code flow only: RFC 9700 2.1.2, the implicit grant (and hybrid flows) are not offered. */
export function checkResponseType(flow: AuthorizationFlow): void {
  const responseType = flow.params.response_type;
  if (!responseType) throw new RedirectRefusal('invalid_request', 'response_type is missing');
  if (responseType === 'code' || (responseType === 'token' && flow.allows.has('implicit-response'))) {
    flow.responseType = responseType;
    return;
  }
  throw new RedirectRefusal('unsupported_response_type', `response_type ${responseType} is not supported`);
}

/** Code responses are always sent in the query; fragment only exists for the (permissive) implicit grant. */
export function checkResponseMode(flow: AuthorizationFlow): void {
  const mode = flow.params.response_mode;
  const modes = (flow.ctx.built.metadata.response_modes_supported as string[] | undefined) ?? ['query'];
  if (mode !== undefined && !modes.includes(mode)) {
    throw new RedirectRefusal('invalid_request', `response_mode ${mode} is not supported`);
  }
}

/** Splits the requested scopes; the partner profile sends a comma-separated `scopes` parameter. */
function requestedScopes(flow: AuthorizationFlow): string[] | undefined {
  const { scopeParams } = flow.ctx.profileSettings;
  for (const name of scopeParams) {
    const value = flow.params[name];
    if (value === undefined) continue;
    const separator = scopeParams.includes('scopes') ? /[\s,]+/ : / +/;
    return value.split(separator).filter((s) => s !== '');
  }
  return undefined;
}

/** Scopes against what the profile supports and the client may have. */
export function checkScopes(flow: AuthorizationFlow): void {
  const supported = flow.ctx.built.metadata.scopes_supported as string[] | undefined;
  const allowed = flow.client!.scopes ?? supported;
  const requested = requestedScopes(flow);
  if (requested === undefined || requested.length === 0) {
    // RFC 6749 3.3: without a scope the server applies a default; here, what the client may have, minus openid.
    flow.scopes = (allowed ?? []).filter((s) => s !== 'openid');
    return;
  }
  const unknown = requested.filter((s) => (supported && !supported.includes(s)) || (allowed && !allowed.includes(s)));
  if (unknown.length > 0) throw new RedirectRefusal('invalid_scope', `scope not allowed: ${unknown.join(' ')}`);
  flow.scopes = [...new Set(requested)];
}

/**
 * PKCE parameters (RFC 7636 4.3, 4.4.1; RFC 9700 2.1.1). A provider whose metadata has no
 * `code_challenge_methods_supported` does not know PKCE: the parameters are ignored. The implicit grant
 * (permissive only) has no code to protect.
 */
export function checkPkce(flow: AuthorizationFlow): void {
  const methods = flow.ctx.built.pkceMethods;
  if (methods.length === 0 || flow.responseType !== 'code') return;
  const { code_challenge: challenge, code_challenge_method: given } = flow.params;
  if (challenge === undefined || challenge === '') {
    if (given !== undefined)
      throw new RedirectRefusal('invalid_request', 'code_challenge_method without code_challenge');
    const required = flow.client!.authMethod === 'none' && methods.includes('S256');
    if (required && !flow.allows.has('missing-pkce')) {
      throw new RedirectRefusal('invalid_request', 'code_challenge required for public clients (RFC 9700 2.1.1)');
    }
    return;
  }
  // RFC 7636 4.3: an absent method means plain.
  const method = given ?? 'plain';
  const accepted =
    methods.includes(method) ||
    (method === 'plain' && flow.allows.has('plain-pkce')) ||
    // The plain-only metadata fault advertises less than is implemented: S256 keeps working.
    (method === 'S256' && methods.includes('plain'));
  if (!accepted) throw new RedirectRefusal('invalid_request', `code_challenge_method ${method} is not supported`);
  if (!challengeWellFormed(challenge, method)) {
    throw new RedirectRefusal('invalid_request', 'code_challenge is malformed (RFC 7636 4.2)');
  }
  flow.codeChallenge = challenge;
  flow.codeChallengeMethod = method;
}
