import type { ProviderRequest } from '../provider-context.js';
import { hasNoBody, knownText, textResponse } from './response-text.js';

/**
 * CORS for browser public clients (an SPA calls discovery, JWKS, token, userinfo, revocation,
 * introspection and the API from its own origin). The authorization and end-session endpoints are
 * top-level navigations and never get CORS headers.
 */
export function corsHeaders(request: ProviderRequest): Record<string, string> {
  const origin = request.headers.get('origin');
  if (!origin) return {};
  return {
    'access-control-allow-origin': origin,
    // DPoP-Nonce: a browser client must read the nonce the server demands (RFC 9449 8, 9).
    'access-control-expose-headers': 'WWW-Authenticate, Retry-After, DPoP-Nonce',
    vary: 'Origin',
  };
}

/** Answer to a CORS preflight (OPTIONS with Access-Control-Request-Method). */
export function preflightResponse(request: ProviderRequest): Response {
  const requested = request.headers.get('access-control-request-headers');
  return new Response(null, {
    status: 204,
    headers: {
      ...corsHeaders(request),
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': requested ?? 'Authorization, Content-Type',
      'access-control-max-age': '600',
    },
  });
}

/** Returns `response` with CORS headers added. */
export function withCors(request: ProviderRequest, response: Response): Response {
  const headers = corsHeaders(request);
  if (Object.keys(headers).length === 0) return response;
  const merged = new Headers(response.headers);
  for (const [k, v] of Object.entries(headers)) {
    if (k === 'vary' && merged.has('vary')) merged.set('vary', `${merged.get('vary')}, Origin`);
    else merged.set(k, v);
  }
  const text = knownText(response);
  const init = { status: response.status, statusText: response.statusText, headers: merged };
  return text !== undefined ? textResponse(hasNoBody(response) ? null : text, init) : new Response(response.body, init);
}
