import { checkResourceDpop } from '../dpop/resource-dpop.js';
import { extractBearer } from '../http/extract-bearer.js';
import { jsonResponse, noStoreHeaders } from '../http/responses.js';
import type { Endpoint, ProviderContext } from '../provider-context.js';
import type { BearerInfo } from '../types.js';

/** An RFC 6750 3.1 error: WWW-Authenticate with the error code, and the same as a JSON body. */
function bearerError(
  ctx: ProviderContext,
  status: number,
  error: 'invalid_request' | 'invalid_token' | 'insufficient_scope' | undefined,
  description: string,
): Response {
  const challenge = error
    ? `Bearer realm="mock-idp", error="${error}", error_description="${description}"`
    : 'Bearer realm="mock-idp"';
  const body = error
    ? { error, error_description: description }
    : { error: 'invalid_token', error_description: description };
  return jsonResponse(body, status, { 'www-authenticate': challenge, ...noStoreHeaders(ctx) });
}

/**
 * The userinfo endpoint (OIDC Core 5.3). Steps: extract_bearer (header or form body; a query token is
 * journaled and refused, RFC 6750 2.3 / 5.3, unless permissive `api-bearer-query-accepted`),
 * check_token, check_scope (`openid`), then the claims the granted scopes allow. The tag's
 * `userinfo.wrong-sub` fault answers with another subject.
 */
export const userinfoEndpoint: Endpoint = async (ctx, exchange) => {
  if (exchange.request.method !== 'GET' && exchange.request.method !== 'POST') {
    return { response: new Response(null, { status: 405, headers: { allow: 'GET, POST' } }) };
  }
  const found = extractBearer(exchange);
  const record = found.token ? ctx.store.activeToken(found.token, ctx.clock(), 'access_token') : undefined;
  const location: BearerInfo['location'] = found.location === 'multiple' ? 'header' : found.location;
  const bearer: BearerInfo = {
    location,
    token: found.token,
    valid: record !== undefined,
    ...(found.scheme ? { scheme: found.scheme } : {}),
    ...(record?.jkt !== undefined ? { bound: true } : {}),
  };
  const tag = record?.tag ?? (found.token ? ctx.store.tokens.get(found.token)?.tag : undefined) ?? exchange.headerTag;
  const answer = (response: Response): ReturnType<Endpoint> =>
    Promise.resolve({ response, tag, bearer: { ...bearer, valid: bearer.valid && response.status === 200 } });

  if (found.location === 'multiple') {
    return answer(bearerError(ctx, 400, 'invalid_request', 'more than one method used to send the access token'));
  }
  if (found.location === 'none') return answer(bearerError(ctx, 401, undefined, 'access token required'));
  if (found.location === 'query' && !ctx.permissive.has('api-bearer-query-accepted')) {
    return answer(
      bearerError(ctx, 400, 'invalid_request', 'access token in the URI query is not accepted (RFC 6750 5.3)'),
    );
  }
  if (!record) return answer(bearerError(ctx, 401, 'invalid_token', 'access token is invalid, expired or revoked'));
  const dpopCheck = await checkResourceDpop(ctx, {
    method: exchange.request.method,
    url: exchange.url.href,
    scheme: found.scheme ?? 'Bearer',
    token: found.token!,
    proof: exchange.request.headers.get('dpop'),
    ...(record.jkt !== undefined ? { jkt: record.jkt } : {}),
  });
  if (!dpopCheck.ok) {
    const refused = jsonResponse({ error: dpopCheck.error, error_description: dpopCheck.description }, 401, {
      'www-authenticate': dpopCheck.challenge,
      ...noStoreHeaders(ctx),
    });
    return {
      response: refused,
      tag,
      bearer: { ...bearer, valid: false },
      ...(dpopCheck.dpop ? { dpop: dpopCheck.dpop } : {}),
    };
  }
  const withDpop = async (r: ReturnType<Endpoint>): ReturnType<Endpoint> => ({
    ...(await r),
    ...(dpopCheck.dpop ? { dpop: dpopCheck.dpop } : {}),
  });
  if (!record.scopes.includes('openid')) {
    return withDpop(answer(bearerError(ctx, 403, 'insufficient_scope', 'the openid scope is required')));
  }
  const user = ctx.users.find((u) => u.sub === record.sub);
  const claims: Record<string, unknown> = { sub: record.sub };
  if (user && record.scopes.includes('profile')) {
    Object.assign(claims, {
      name: user.name,
      given_name: user.given_name,
      family_name: user.family_name,
      preferred_username: user.preferred_username,
      locale: user.locale,
    });
  }
  if (user && record.scopes.includes('email'))
    Object.assign(claims, { email: user.email, email_verified: user.email_verified });
  if (ctx.faults.get(record.tag, 'userinfo.wrong-sub')) {
    claims.sub = ctx.users.find((u) => u.sub !== record.sub)?.sub ?? ctx.values.fixed('other-sub');
  }
  return withDpop(answer(jsonResponse(claims, 200, noStoreHeaders(ctx))));
};
