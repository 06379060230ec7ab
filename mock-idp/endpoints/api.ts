import { createLexofficeApi } from '../api/index.js';
import { checkResourceDpop } from '../dpop/resource-dpop.js';
import type { ApiContext } from '../api/types.js';
import type { Exchange, ProviderContext, EndpointResult } from '../provider-context.js';
import { providerRequest } from '../http/provider-request.js';
import { revocationEndpoint } from './revocation.js';

/** Mounted API: answers `undefined` for paths that are not the API's. */
export type MountedApi = (exchange: Exchange) => Promise<EndpointResult | undefined>;

/**
 * Mounts the mock lexoffice API (`/v1/*`) on the provider: the API looks tokens up in the provider's
 * store (so revocation and expiry agree), uses the profile's scope vocabulary, and delegates `/v1/revoke`
 * (the partner profile's revocation endpoint) to RFC 7009 revocation.
 */
export function mountApi(ctx: ProviderContext): MountedApi {
  const apiContext: ApiContext = {
    clock: ctx.clock,
    seed: ctx.seed,
    rateLimit: ctx.settings.apiRateLimit,
    acceptQueryToken: ctx.permissive.has('api-bearer-query-accepted'),
    requiredScopes: ctx.profileSettings.apiScopes,
    lookupAccessToken(token) {
      const record = ctx.store.tokens.get(token);
      if (!record || record.kind !== 'access_token') return undefined;
      return {
        clientId: record.clientId,
        sub: record.sub,
        scopes: record.scopes,
        expiresAt: record.expiresAt,
        revoked: record.revoked,
        tag: record.tag,
        ...(record.jkt !== undefined ? { jkt: record.jkt } : {}),
      };
    },
    // The API speaks DPoP when the provider advertises it (RFC 9449 7).
    ...(ctx.built.dpopAlgs.length > 0
      ? {
          checkDpop: ({ req, url, scheme, token, jkt }) =>
            checkResourceDpop(ctx, {
              method: req.method,
              url: url.href,
              scheme,
              token,
              proof: req.headers.get('dpop'),
              ...(jkt !== undefined ? { jkt } : {}),
              ...(ctx.settings.resourceDpopNonce ? { nonceRequired: true } : {}),
            }),
        }
      : {}),
    async revoke(request) {
      const body = request.method === 'POST' ? await request.text() : '';
      const result = await revocationEndpoint(ctx, {
        request: providerRequest(request),
        url: new URL(request.url),
        body,
        form: new URLSearchParams(body),
        headerTag: request.headers.get('x-login-harness-tag') ?? undefined,
      });
      return result.response;
    },
  };
  const api = createLexofficeApi(apiContext);
  return async (exchange) => {
    // The API reads the body itself; it gets a fresh request carrying the body already read.
    const { request } = exchange;
    const replay = new Request(request.url, {
      method: request.method,
      headers: request.headerRecord(),
      ...(request.method === 'GET' || request.method === 'HEAD' ? {} : { body: exchange.body }),
    });
    const result = await api(replay, exchange.url);
    if (!result) return undefined;
    return {
      response: result.response,
      bearer: result.bearer,
      tag: result.tag ?? exchange.headerTag,
      ...(result.dpop ? { dpop: result.dpop } : {}),
    };
  };
}
