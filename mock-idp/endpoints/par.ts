import { authenticateClient } from '../http/authenticate-client.js';
import { isRegisteredRedirectUri } from '../http/redirect-uri.js';
import { jsonResponse, noStoreHeaders, oauthError } from '../http/responses.js';
import type { Endpoint, EndpointResult } from '../provider-context.js';
import type { DpopProofInfo } from '../types.js';

/** The `request_uri` scheme of RFC 9126 2.2. */
export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';

/**
 * The pushed authorization request endpoint (RFC 9126 2). Steps: check_method (POST), check_content_type
 * (form), authenticate_client (as at the token endpoint, RFC 9126 2), check_params (no `request_uri`,
 * 2.1; no repeated parameters; `client_id` the authenticated client's; a registered `redirect_uri`), a
 * DPoP proof when one is sent (RFC 9449 10.1: it binds the login's code to the key), then store the
 * request under a fresh one-time `request_uri` that expires after `requestUriTtl` seconds (2.2).
 * The authorization endpoint validates the pushed parameters again as any other request (RFC 9126 4).
 */
export const parEndpoint: Endpoint = async (ctx, exchange) => {
  const { request, form } = exchange;
  const tag = exchange.headerTag;
  let dpop: DpopProofInfo | undefined;
  const fail = (response: Response): EndpointResult => ({ response, tag, ...(dpop ? { dpop } : {}) });
  if (request.method !== 'POST') {
    return fail(oauthError(ctx, 'invalid_request', 'the PAR endpoint accepts POST only', 405, { allow: 'POST' }));
  }
  const contentType = request.headers.get('content-type') ?? '';
  if (!contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    return fail(oauthError(ctx, 'invalid_request', 'expected application/x-www-form-urlencoded (RFC 9126 2.1)'));
  }
  const auth = await authenticateClient(ctx, exchange, { allowPublic: true, tag });
  if (!auth.ok) return fail(auth.response);
  const params: Record<string, string> = {};
  const repeated = new Set<string>();
  for (const [k, v] of form) {
    if (k === 'client_secret' || k === 'client_assertion' || k === 'client_assertion_type') continue;
    if (k in params) repeated.add(k);
    else params[k] = v;
  }
  if (repeated.size > 0) {
    return fail(oauthError(ctx, 'invalid_request', `parameters repeated: ${[...repeated].join(', ')}`));
  }
  if (params.request_uri !== undefined) {
    return fail(oauthError(ctx, 'invalid_request', 'request_uri must not be pushed (RFC 9126 2.1)'));
  }
  params.client_id ??= auth.client.clientId;
  if (params.client_id !== auth.client.clientId) {
    return fail(oauthError(ctx, 'invalid_request', 'client_id is not the authenticated client'));
  }
  if (!params.redirect_uri || !isRegisteredRedirectUri(auth.client, params.redirect_uri)) {
    return fail(oauthError(ctx, 'invalid_request', 'redirect_uri is missing or not registered for this client'));
  }
  let dpopJkt = params.dpop_jkt;
  const proof = request.headers.get('dpop');
  if (proof !== null && ctx.built.dpopAlgs.length > 0) {
    const result = await ctx.dpop.verify(proof, { htm: 'POST', htu: ctx.built.endpoints.par! });
    dpop = result.info;
    if (!result.ok) {
      return fail(oauthError(ctx, 'invalid_request', `invalid DPoP proof: ${result.description}`));
    }
    // RFC 9449 10.1: with both, dpop_jkt must be the proof key's thumbprint.
    if (dpopJkt !== undefined && dpopJkt !== result.jkt) {
      return fail(oauthError(ctx, 'invalid_request', 'dpop_jkt does not match the DPoP proof key'));
    }
    dpopJkt = result.jkt;
  }
  const uri = `${REQUEST_URI_PREFIX}${ctx.values.next('request_uri', tag)}`;
  ctx.pushed.add(uri, {
    clientId: auth.client.clientId,
    params,
    expiresAt: ctx.clock() + ctx.settings.requestUriTtl * 1000,
    used: false,
    tag,
    ...(dpopJkt !== undefined ? { dpopJkt } : {}),
  });
  // RFC 9126 2.2: 201 Created with request_uri and expires_in.
  return {
    response: jsonResponse({ request_uri: uri, expires_in: ctx.settings.requestUriTtl }, 201, noStoreHeaders(ctx)),
    tag,
    ...(dpop ? { dpop } : {}),
  };
};
