import { appendToUri } from './authorization.js';
import { errorPage, htmlResponse, pageSecurityHeaders, redirectResponse } from '../http/responses.js';
import type { Endpoint } from '../provider-context.js';
import type { ClientRegistration } from '../types.js';

/**
 * Exact match against the registered post-logout URIs. A client that registered none (a manifest
 * cannot know them) may return to any URI on the origin of one of its redirect URIs.
 */
function postLogoutAllowed(client: ClientRegistration, uri: string): boolean {
  if (client.postLogoutRedirectUris !== undefined) return client.postLogoutRedirectUris.includes(uri);
  if (!URL.canParse(uri)) return false;
  const origin = new URL(uri).origin;
  return client.redirectUris.some((r) => new URL(r).origin === origin);
}

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0, 2-3). The client is identified by
 * `client_id` or by the ID token it passes as `id_token_hint` (one this provider issued). A
 * `post_logout_redirect_uri` is followed only when it exactly matches one the client registered
 * (`ClientRegistration.postLogoutRedirectUris`; without any, same origin as a redirect URI), with
 * `state` echoed; otherwise a small page says the
 * person is signed out.
 */
export const endSessionEndpoint: Endpoint = async (ctx, exchange) => {
  const { request } = exchange;
  if (request.method !== 'GET' && request.method !== 'POST') {
    return { response: new Response(null, { status: 405, headers: { allow: 'GET, POST' } }) };
  }
  const source = request.method === 'POST' ? exchange.form : exchange.url.searchParams;
  const hint = source.get('id_token_hint') ?? undefined;
  const hinted = hint ? ctx.journal.artifact('id_token', hint) : undefined;
  const clientId = source.get('client_id') ?? hinted?.clientId;
  const redirect = source.get('post_logout_redirect_uri') ?? undefined;
  const state = source.get('state') ?? undefined;
  const tag = hinted?.tag ?? exchange.headerTag;

  if (hint && !hinted) {
    return { response: errorPage(ctx, 'invalid_request', 'id_token_hint was not issued by this provider'), tag };
  }
  if (hinted && source.get('client_id') && hinted.clientId !== source.get('client_id')) {
    return { response: errorPage(ctx, 'invalid_request', 'client_id does not match id_token_hint'), tag };
  }
  if (redirect !== undefined) {
    const client = clientId ? ctx.clients.get(clientId) : undefined;
    if (!client || !postLogoutAllowed(client, redirect)) {
      return {
        response: errorPage(ctx, 'invalid_request', 'post_logout_redirect_uri is not registered for this client', {
          post_logout_redirect_uri: redirect,
        }),
        tag,
      };
    }
    return { response: redirectResponse(appendToUri(redirect, state !== undefined ? { state } : {})), tag };
  }
  return {
    response: htmlResponse(
      'Signed out',
      '<h1>Signed out</h1><p>You have been signed out.</p>',
      200,
      pageSecurityHeaders(ctx),
    ),
    tag,
  };
};
