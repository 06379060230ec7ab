import { authenticateClient } from '../http/authenticate-client.js';
import { jsonResponse, noStoreHeaders, oauthError } from '../http/responses.js';
import type { Endpoint } from '../provider-context.js';

/**
 * Token introspection (RFC 7662 2). Only authenticated confidential clients may introspect (RFC 7662 4:
 * otherwise the endpoint would be a token scanning oracle). A token that is unknown, revoked, expired,
 * rotated, or belongs to another client is `{"active": false}`.
 */
export const introspectionEndpoint: Endpoint = async (ctx, exchange) => {
  const { form, request } = exchange;
  const token = form.get('token') ?? undefined;
  const record = token ? ctx.store.tokens.get(token) : undefined;
  const tag = record?.tag ?? exchange.headerTag;
  if (request.method !== 'POST') {
    return { response: oauthError(ctx, 'invalid_request', 'POST only', 405, { allow: 'POST' }), tag };
  }
  const auth = await authenticateClient(ctx, exchange, { allowPublic: false, tag });
  if (!auth.ok) return { response: auth.response, tag };
  if (!token) return { response: oauthError(ctx, 'invalid_request', 'token is missing'), tag };
  const active = token ? ctx.store.activeToken(token, ctx.clock()) : undefined;
  if (!active || active.clientId !== auth.client.clientId) {
    return { response: jsonResponse({ active: false }, 200, noStoreHeaders(ctx)), tag };
  }
  return {
    response: jsonResponse(
      {
        active: true,
        scope: active.scopes.join(' '),
        client_id: active.clientId,
        token_type: active.kind === 'access_token' ? 'Bearer' : 'refresh_token',
        // The expiry the token advertises (its JWT exp), also while token.short-lived keeps it accepted.
        exp: Math.floor((active.advertisedExpiresAt ?? active.expiresAt) / 1000),
        iat: Math.floor(active.issuedAt / 1000),
        sub: active.sub,
        aud: active.kind === 'access_token' ? ctx.built.apiBaseUrl : active.clientId,
        iss: ctx.built.issuer,
        ...(active.jti ? { jti: active.jti } : {}),
      },
      200,
      noStoreHeaders(ctx),
    ),
    tag,
  };
};
