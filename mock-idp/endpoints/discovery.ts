import { jsonResponse } from '../http/responses.js';
import type { Endpoint } from '../provider-context.js';

/** Serves the metadata (OIDC Discovery 4, RFC 8414 3) as built: rebased, narrowed, faults applied. */
export const discoveryEndpoint: Endpoint = async (ctx, exchange) => {
  if (exchange.request.method !== 'GET' && exchange.request.method !== 'HEAD') {
    return { response: new Response(null, { status: 405, headers: { allow: 'GET' } }) };
  }
  return { response: jsonResponse(ctx.built.metadata, 200, { 'cache-control': 'public, max-age=60' }) };
};
