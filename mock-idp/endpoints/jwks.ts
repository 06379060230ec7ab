import { jsonResponse } from '../http/responses.js';
import type { Endpoint } from '../provider-context.js';

/** Serves the public signing keys (RFC 7517 5), including every key published by a rotation. */
export const jwksEndpoint: Endpoint = async (ctx, exchange) => {
  if (exchange.request.method !== 'GET' && exchange.request.method !== 'HEAD') {
    return { response: new Response(null, { status: 405, headers: { allow: 'GET' } }) };
  }
  // No caching: a rotation must be visible on the next fetch (OIDC Core 10.1.1).
  return { response: jsonResponse(ctx.keys.jwks(), 200, { 'cache-control': 'no-cache' }) };
};
