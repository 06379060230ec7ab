import { authenticateClient } from '../http/authenticate-client.js';
import { htmlResponse, jsonResponse, noStoreHeaders, oauthError } from '../http/responses.js';
import { authorizationCodeGrant } from '../grants/authorization-code.js';
import type { GrantHandler, GrantOutcome } from '../grants/grant-types.js';
import { passwordGrant } from '../grants/password.js';
import { refreshTokenGrant } from '../grants/refresh-token.js';
import type { EndpointResult, Exchange, ProviderContext } from '../provider-context.js';
import type { DpopProofInfo, TokenRequestInfo } from '../types.js';

const GRANTS: Record<string, GrantHandler> = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  password: passwordGrant,
};

/** The login a token request belongs to: the tag its code or refresh token was issued under. */
function tagOf(ctx: ProviderContext, exchange: Exchange, params: Record<string, string>): string | undefined {
  if (params.code) {
    const code = ctx.store.codes.get(params.code);
    if (code) return code.tag;
  }
  if (params.refresh_token) {
    const token = ctx.store.tokens.get(params.refresh_token);
    if (token) return token.tag;
  }
  return exchange.headerTag;
}

/** Applies the tag's `token.malformed` fault to a successful token response. */
function malformed(
  ctx: ProviderContext,
  tag: string | undefined,
  body: Record<string, string | number>,
): Response | undefined {
  const fault = ctx.faults.get(tag, 'token.malformed');
  if (!fault) return undefined;
  switch (fault.variant) {
    case 'no-access-token': {
      const rest = { ...body };
      delete rest.access_token;
      return jsonResponse(rest, 200, noStoreHeaders(ctx));
    }
    case 'wrong-token-type':
      return jsonResponse({ ...body, token_type: 'mac' }, 200, noStoreHeaders(ctx));
    case 'not-json':
      return htmlResponse(
        'Service unavailable',
        '<p>The service is temporarily unavailable.</p>',
        200,
        noStoreHeaders(ctx),
      );
  }
}

/**
 * The token endpoint (RFC 6749 3.2). Steps: check_method (POST), check_content_type (form), parse_params
 * (no repeated parameters, RFC 6749 3.2), authenticate_client, check_grant_type (only the advertised
 * grants), apply_fault (`token.invalid-grant`), run the grant, apply_fault (`token.malformed`). Every
 * answer has `Cache-Control: no-store` (RFC 6749 5.1); errors follow RFC 6749 5.2.
 */
export async function tokenEndpoint(ctx: ProviderContext, exchange: Exchange): Promise<EndpointResult> {
  const { request, form, url } = exchange;
  const params: Record<string, string> = {};
  const repeated = new Set<string>();
  for (const [k, v] of form) {
    if (k in params) repeated.add(k);
    else params[k] = v;
  }
  const tag = tagOf(ctx, exchange, params);
  const info: TokenRequestInfo = {
    grantType: params.grant_type ?? '',
    params,
    clientAuth: 'none',
    clientId: params.client_id,
    secretInQuery: url.searchParams.has('client_secret'),
    code: params.code,
    codeVerifier: params.code_verifier,
    redirectUri: params.redirect_uri,
    refreshToken: params.refresh_token,
    scope: params.scope ?? params.scopes,
    outcome: 'error',
  };
  let dpop: DpopProofInfo | undefined;
  const fail = (response: Response, error: string): EndpointResult => ({
    response,
    tag,
    token: { ...info, outcome: 'error', error },
    ...(dpop ? { dpop } : {}),
  });

  if (request.method !== 'POST') {
    return fail(
      oauthError(ctx, 'invalid_request', 'the token endpoint accepts POST only', 405, { allow: 'POST' }),
      'invalid_request',
    );
  }
  const contentType = request.headers.get('content-type') ?? '';
  if (!contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    return fail(
      oauthError(ctx, 'invalid_request', 'expected application/x-www-form-urlencoded (RFC 6749 3.2)'),
      'invalid_request',
    );
  }
  const auth = await authenticateClient(ctx, exchange, { allowPublic: true, tag });
  info.clientAuth = auth.method;
  if (auth.assertion) info.clientAssertion = auth.assertion;
  info.clientId = auth.ok ? auth.client.clientId : (auth.clientId ?? info.clientId);
  if (!auth.ok) return fail(auth.response, auth.error);
  if (repeated.size > 0) {
    return fail(
      oauthError(ctx, 'invalid_request', `parameters repeated: ${[...repeated].join(', ')} (RFC 6749 3.2)`),
      'invalid_request',
    );
  }

  const grantType = params.grant_type;
  const handler = grantType !== undefined && ctx.built.grantTypes.includes(grantType) ? GRANTS[grantType] : undefined;
  if (!grantType) return fail(oauthError(ctx, 'invalid_request', 'grant_type is missing'), 'invalid_request');
  if (!handler) {
    return fail(
      oauthError(ctx, 'unsupported_grant_type', `grant_type ${grantType} is not supported`),
      'unsupported_grant_type',
    );
  }
  // RFC 9449 5: a proof when the client sends one, or when the profile or the client requires DPoP.
  let dpopJkt: string | undefined;
  const extraHeaders: Record<string, string> = {};
  const proof = request.headers.get('dpop');
  const dpopRequired = ctx.built.requireDpop || auth.client.dpopBoundAccessTokens === true;
  if (ctx.built.dpopAlgs.length > 0 && (proof !== null || dpopRequired)) {
    const nonceRequired = ctx.settings.dpopNonce || ctx.faults.get(tag, 'dpop.use-nonce') !== undefined;
    const result = await ctx.dpop.verify(proof, {
      htm: 'POST',
      htu: ctx.built.endpoints.token,
      nonceRequired,
    });
    dpop = result.info;
    // RFC 9449 8: the server hands out the nonce to use with DPoP-Nonce (also on success, for the next).
    if (nonceRequired) extraHeaders['dpop-nonce'] = ctx.dpop.nonce();
    if (!result.ok) {
      const description = proof === null ? 'a DPoP proof is required for this client (RFC 9449 5)' : result.description;
      const error = proof === null ? 'invalid_request' : result.error;
      return fail(oauthError(ctx, error, description, 400, extraHeaders), error);
    }
    dpopJkt = result.jkt;
  }
  if (ctx.faults.get(tag, 'token.invalid-grant')) {
    return fail(oauthError(ctx, 'invalid_grant', 'the grant is invalid'), 'invalid_grant');
  }

  let outcome: GrantOutcome;
  try {
    outcome = await handler(ctx, { client: auth.client, params, exchange, ...(dpopJkt ? { dpopJkt } : {}) });
  } catch (error) {
    return fail(
      oauthError(ctx, 'server_error', `token issuance failed: ${(error as Error).message}`, 500),
      'server_error',
    );
  }
  if (!outcome.ok) {
    return {
      ...fail(oauthError(ctx, outcome.error, outcome.description, outcome.status ?? 400), outcome.error),
      tag: outcome.tag ?? tag,
    };
  }
  const response =
    malformed(ctx, outcome.tag, outcome.body) ??
    jsonResponse(outcome.body, 200, { ...noStoreHeaders(ctx), ...extraHeaders });
  return { response, tag: outcome.tag ?? tag, token: { ...info, outcome: 'issued' }, ...(dpop ? { dpop } : {}) };
}
