import { appendToUri } from './authorization.js';
import { errorPage, htmlResponse, pageSecurityHeaders, redirectResponse } from '../http/responses.js';
import type { Endpoint } from '../provider-context.js';
import type { ClientRegistration } from '../types.js';
import { sendBackchannelLogout } from '../logout/backchannel.js';

/**
 * Exact match against the registered post-logout URIs (OIDC RP-Initiated Logout 2: "The OP MUST NOT
 * perform post-logout redirection if the post_logout_redirect_uri value supplied does not exactly match
 * one of the previously registered post_logout_redirect_uris values"). A client that registered none
 * is never redirected.
 */
function postLogoutAllowed(client: ClientRegistration, uri: string): boolean {
  return client.postLogoutRedirectUris?.includes(uri) ?? false;
}

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0, 2-3). The client is identified by
 * `client_id` or by the ID token it passes as `id_token_hint` (one this provider issued, expired ones
 * included, as section 2 allows). A `post_logout_redirect_uri` is followed only when it exactly
 * matches one the client registered (`ClientRegistration.postLogoutRedirectUris`), with `state`
 * echoed; any other is an error page, never a redirect. Without one, a small page says the person is
 * signed out. The provider session the hint names ends, and its client, when it registered a
 * back-channel logout URI, is told so (OIDC Back-Channel Logout 2.5) before the answer.
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
  const client = clientId ? ctx.clients.get(clientId) : undefined;
  if (redirect !== undefined && (!client || !postLogoutAllowed(client, redirect))) {
    return {
      response: errorPage(ctx, 'invalid_request', 'post_logout_redirect_uri is not registered for this client', {
        post_logout_redirect_uri: redirect,
      }),
      tag,
    };
  }
  const family = hinted ? ctx.store.familyOfIdToken(hinted.value) : undefined;
  if (family && client?.backchannelLogoutUri) {
    // The answer to the browser does not depend on whether the client answered; the delivery is journaled.
    await sendBackchannelLogout(ctx, family).catch(() => undefined);
  }
  if (redirect !== undefined) {
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
