/**
 * The mock lexoffice API (`/v1/*`): a route table over seeded data, behind the gateway's checks in
 * the order lexoffice applies them: bearer authentication (RFC 6750), the per-token rate limit, then
 * the resource's scope (RFC 6750 3.1 `insufficient_scope`) and content negotiation.
 */
import { authenticate } from './authenticate.js';
import { lexofficeDate } from './data.js';
import { gatewayError, serviceError } from './errors.js';
import { createRateLimiter } from './rate-limit.js';
import { getContact, getInvoice, getPing, getProfile, listContacts, type ResourceHandler } from './resources.js';
import type { ApiContext, ApiResult } from './types.js';

export type { ApiAccessToken, ApiContext, ApiResult } from './types.js';
export { lexofficeData, type Contact, type Invoice, type LexofficeDataSet, type Profile } from './data.js';

interface Route {
  pattern: RegExp;
  scope: keyof ApiContext['requiredScopes'] | null;
  handler: ResourceHandler;
}

/** Which resource needs which scope. `/v1/ping` only needs a valid token. */
const ROUTES: Route[] = [
  { pattern: /^\/v1\/profile$/, scope: 'profile', handler: getProfile },
  { pattern: /^\/v1\/ping$/, scope: null, handler: getPing },
  { pattern: /^\/v1\/contacts$/, scope: 'contacts', handler: listContacts },
  { pattern: /^\/v1\/contacts\/([^/]+)$/, scope: 'contacts', handler: getContact },
  { pattern: /^\/v1\/invoices\/([^/]+)$/, scope: 'invoices', handler: getInvoice },
];

const REVOKE_PATH = '/v1/revoke';

/** True when the Accept header admits JSON (absent means anything). */
function acceptsJson(accept: string | null): boolean {
  if (accept === null || accept.trim() === '') return true;
  return accept.split(',').some((part) => {
    const type = part.split(';')[0].trim().toLowerCase();
    return type === '*/*' || type === 'application/*' || type === 'application/json' || type.endsWith('+json');
  });
}

/**
 * Creates the API handler the provider mounts for `/v1/*`. It answers `undefined` for any other path,
 * so the provider can route on. Same `ctx.seed`, same data.
 */
export function createLexofficeApi(ctx: ApiContext): (req: Request, url: URL) => Promise<ApiResult | undefined> {
  const limiter = createRateLimiter(ctx.clock);
  let counter = 0;
  const nextId = (): number => ++counter;
  const traceId = (): string => ((ctx.seed >>> 0) * 0x10000 + nextId()).toString(16).padStart(12, '0').slice(-12);
  const requestId = (): string => {
    const hex = traceId().padStart(32, '0');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20)}`;
  };
  const timestamp = (): string => lexofficeDate(new Date(ctx.clock()));

  return async (req, url) => {
    const path = url.pathname;
    if (path !== '/v1' && !path.startsWith('/v1/')) return undefined;

    if (path === REVOKE_PATH) {
      if (req.method !== 'POST') {
        return {
          response: serviceError(405, { path, traceId: traceId(), timestamp: timestamp(), headers: { allow: 'POST' } }),
        };
      }
      // The partner profile revokes at the API host (RFC 7009); the provider owns the tokens.
      return { response: await ctx.revoke(req) };
    }
    if (req.method === 'OPTIONS') {
      return { response: new Response(null, { status: 204, headers: { allow: 'GET, OPTIONS' } }) };
    }

    const auth = await authenticate(req, url, ctx);
    if (!auth.ok) {
      return { response: auth.response, bearer: auth.bearer, tag: auth.tag, ...(auth.dpop ? { dpop: auth.dpop } : {}) };
    }
    const { token, value, bearer } = auth;
    const done = (response: Response): ApiResult => ({
      response,
      bearer,
      tag: token.tag,
      ...(auth.dpop ? { dpop: auth.dpop } : {}),
    });

    if (ctx.rateLimit && !limiter.take(value)) {
      return done(gatewayError(429, 'API rate limit exceeded', { 'retry-after': String(limiter.retryAfter(value)) }));
    }

    let route: Route | undefined;
    let match: RegExpExecArray | null = null;
    for (const r of ROUTES) {
      match = r.pattern.exec(path);
      if (match) {
        route = r;
        break;
      }
    }
    if (!route || !match) return done(serviceError(404, { path, traceId: traceId(), timestamp: timestamp() }));
    if (req.method !== 'GET') {
      return done(
        serviceError(405, { path, traceId: traceId(), timestamp: timestamp(), headers: { allow: 'GET, OPTIONS' } }),
      );
    }
    if (route.scope !== null) {
      const needed = ctx.requiredScopes[route.scope];
      if (!token.scopes.includes(needed)) {
        return done(
          serviceError(403, {
            path,
            traceId: traceId(),
            timestamp: timestamp(),
            message: `Missing scope ${needed}.`,
            headers: {
              'www-authenticate': `Bearer realm="lexoffice", error="insufficient_scope", scope="${needed}"`,
            },
          }),
        );
      }
    }
    if (!acceptsJson(req.headers.get('accept'))) {
      return done(serviceError(406, { path, traceId: traceId(), timestamp: timestamp() }));
    }
    let id: string | undefined;
    const raw = match[1];
    if (raw !== undefined) {
      try {
        id = decodeURIComponent(raw);
      } catch {
        id = raw;
      }
    }
    return done(route.handler({ url, seed: ctx.seed, token, id, traceId, requestId, timestamp }));
  };
}
