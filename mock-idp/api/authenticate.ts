/**
 * Bearer authentication of an API call (RFC 6750): find the token, look it up at the provider, and
 * answer as lexoffice's gateway does when it is missing, malformed, unknown, expired or revoked.
 */
import type { BearerInfo, DpopProofInfo } from '../types.js';
import { findBearer } from './bearer.js';
import { gatewayError, jsonResponse } from './errors.js';
import type { ApiAccessToken, ApiContext } from './types.js';

export type AuthOutcome =
  | { ok: true; token: ApiAccessToken; value: string; bearer: BearerInfo; dpop?: DpopProofInfo }
  | { ok: false; response: Response; bearer: BearerInfo; tag?: string; dpop?: DpopProofInfo };

/** RFC 6750 3: the challenge, with an error code when the request carried a token. */
function challenge(error?: 'invalid_request' | 'invalid_token', description?: string): Record<string, string> {
  const parts = ['realm="lexoffice"'];
  if (error) parts.push(`error="${error}"`);
  if (description) parts.push(`error_description="${description}"`);
  return { 'www-authenticate': `Bearer ${parts.join(', ')}` };
}

/** Authenticates `req`. On failure the response is ready to send. */
export async function authenticate(req: Request, url: URL, ctx: ApiContext): Promise<AuthOutcome> {
  const found = findBearer(req, url, { dpop: ctx.checkDpop !== undefined });
  if (found.location === 'query' && (!ctx.acceptQueryToken || found.multiple)) {
    const bearer: BearerInfo = { location: 'query', token: found.token, valid: false };
    const tag = found.token === undefined ? undefined : ctx.lookupAccessToken(found.token)?.tag;
    if (found.multiple) {
      // RFC 6750 2: a client MUST NOT use more than one method to transmit the token; 3.1 invalid_request is 400.
      return {
        ok: false,
        bearer,
        tag,
        response: jsonResponse(
          400,
          { message: 'Bad Request' },
          challenge('invalid_request', 'token sent in more than one way'),
        ),
      };
    }
    // lexoffice reads the token only from the Authorization header, so a query token is no token at all.
    return { ok: false, bearer, tag, response: gatewayError(401, 'Unauthorized', challenge()) };
  }
  if (found.malformedHeader && found.location === 'header') {
    return {
      ok: false,
      bearer: { location: 'header', token: found.token, valid: false },
      response: gatewayError(401, 'Unauthorized', challenge('invalid_request', 'malformed Bearer credentials')),
    };
  }
  if (found.token === undefined) {
    const headers = found.malformedHeader
      ? challenge('invalid_request', 'Authorization header is not a Bearer token')
      : challenge();
    return {
      ok: false,
      bearer: { location: 'none', valid: false },
      response: gatewayError(401, 'Unauthorized', headers),
    };
  }
  const token = ctx.lookupAccessToken(found.token);
  const usable = token !== undefined && !token.revoked && token.expiresAt > ctx.clock();
  const bearer: BearerInfo = {
    location: found.location,
    token: found.token,
    valid: usable,
    ...(ctx.checkDpop ? { scheme: found.scheme ?? 'Bearer' } : {}),
    ...(token?.jkt !== undefined ? { bound: true } : {}),
  };
  if (!usable) {
    return {
      ok: false,
      bearer,
      tag: token?.tag,
      response: gatewayError(401, 'Unauthorized', challenge('invalid_token')),
    };
  }
  if (ctx.checkDpop) {
    const checked = await ctx.checkDpop({
      req,
      url,
      scheme: found.scheme ?? 'Bearer',
      token: found.token,
      ...(token.jkt !== undefined ? { jkt: token.jkt } : {}),
    });
    if (!checked.ok) {
      return {
        ok: false,
        bearer: { ...bearer, valid: false },
        tag: token.tag,
        ...(checked.dpop ? { dpop: checked.dpop } : {}),
        response: gatewayError(401, 'Unauthorized', { ...checked.headers, 'www-authenticate': checked.challenge }),
      };
    }
    return { ok: true, token, value: found.token, bearer, ...(checked.dpop ? { dpop: checked.dpop } : {}) };
  }
  return { ok: true, token, value: found.token, bearer };
}
