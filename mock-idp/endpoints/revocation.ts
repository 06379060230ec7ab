import { authenticateClient } from '../http/authenticate-client.js';
import { oauthError } from '../http/responses.js';
import type { Endpoint } from '../provider-context.js';

/**
 * Token revocation (RFC 7009 2). Steps: check_method, authenticate_client (public clients send
 * `client_id`), find_token, check_owner, revoke. Revoking a refresh token also revokes the access
 * tokens of the same grant (RFC 7009 2.1). An unknown token is answered 200 (RFC 7009 2.2).
 */
export const revocationEndpoint: Endpoint = async (ctx, exchange) => {
  const { form, request } = exchange;
  const token = form.get('token') ?? undefined;
  const tokenTypeHint = form.get('token_type_hint') ?? undefined;
  const record = token ? ctx.store.tokens.get(token) : undefined;
  const tag = record?.tag ?? exchange.headerTag;
  const revocation = { token, tokenTypeHint, clientId: form.get('client_id') ?? undefined };
  if (request.method !== 'POST') {
    return { response: oauthError(ctx, 'invalid_request', 'POST only', 405, { allow: 'POST' }), tag, revocation };
  }
  const auth = await authenticateClient(ctx, exchange, { allowPublic: true, tag });
  if (!auth.ok) return { response: auth.response, tag, revocation: { ...revocation, clientId: auth.clientId } };
  revocation.clientId = auth.client.clientId;
  if (!token) return { response: oauthError(ctx, 'invalid_request', 'token is missing'), tag, revocation };
  if (record) {
    if (record.clientId !== auth.client.clientId) {
      // RFC 7009 2.1: the token must have been issued to the requesting client.
      return {
        response: oauthError(ctx, 'invalid_request', 'token was not issued to this client'),
        tag,
        revocation,
      };
    }
    if (record.kind === 'refresh_token') ctx.store.revokeFamily(record.familyId);
    else ctx.store.revokeToken(token);
  }
  return { response: new Response(null, { status: 200, headers: { 'cache-control': 'no-store' } }), tag, revocation };
};
