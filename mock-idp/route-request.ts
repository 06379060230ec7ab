import { mountApi } from './endpoints/api.js';
import { authorizationEndpoint } from './endpoints/authorization.js';
import { discoveryEndpoint } from './endpoints/discovery.js';
import { endSessionEndpoint } from './endpoints/end-session.js';
import { introspectionEndpoint } from './endpoints/introspection.js';
import { jwksEndpoint } from './endpoints/jwks.js';
import { parEndpoint } from './endpoints/par.js';
import { revocationEndpoint } from './endpoints/revocation.js';
import { tokenEndpoint } from './endpoints/token.js';
import { userinfoEndpoint } from './endpoints/userinfo.js';
import { preflightResponse, withCors } from './http/cors.js';
import { knownText, responseHeaderRecord } from './http/response-text.js';
import { providerRequest } from './http/provider-request.js';
import { jsonResponse } from './http/responses.js';
import { capBody } from './journal/journal.js';
import type { Endpoint, EndpointResult, Exchange, ProviderContext, ProviderRequest } from './provider-context.js';
import {
  LOGIN_TAG_HEADER,
  type EndpointName,
  type JournalEntry,
  type JournalRequest,
  type JournalResponse,
} from './types.js';

/**
 * Which endpoint answers which route, and whether it speaks CORS. The authorization and end-session
 * endpoints are navigations, never fetched cross-origin, so they never get CORS headers.
 */
/** `backchannel-logout` names requests the provider sends (to a client), not a route it serves. */
const ENDPOINTS: Record<
  Exclude<EndpointName, 'api' | 'unknown' | 'login-form' | 'backchannel-logout'>,
  { run: Endpoint; cors: boolean }
> = {
  discovery: { run: discoveryEndpoint, cors: true },
  authorization: { run: authorizationEndpoint, cors: false },
  token: { run: tokenEndpoint, cors: true },
  par: { run: parEndpoint, cors: true },
  jwks: { run: jwksEndpoint, cors: true },
  userinfo: { run: userinfoEndpoint, cors: true },
  revocation: { run: revocationEndpoint, cors: true },
  introspection: { run: introspectionEndpoint, cors: true },
  'end-session': { run: endSessionEndpoint, cors: false },
};

/** Parses what every endpoint needs from a request whose body has been read. */
export function exchangeOf(request: ProviderRequest, url: URL, body: string): Exchange {
  const contentType = (request.headers.get('content-type') ?? '').toLowerCase();
  const form = contentType.startsWith('application/x-www-form-urlencoded')
    ? new URLSearchParams(body)
    : new URLSearchParams();
  const headerTag = request.headers.get(LOGIN_TAG_HEADER) ?? undefined;
  return { request, url, body, form, headerTag: headerTag === '' ? undefined : headerTag };
}

/** Reads a web-standard Request into an exchange (the body is read here, once). */
export async function readExchange(
  request: Request,
  view: ProviderRequest = providerRequest(request),
): Promise<Exchange> {
  const url = new URL(request.url);
  const body = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text();
  return exchangeOf(view, url, body);
}

/**
 * The provider's core handler: `request` is what the journal records even when reading the exchange
 * fails; `read` yields the exchange (the node transport has it already, a web Request is read here).
 */
export type CoreHandler = (request: ProviderRequest, read: () => Promise<Exchange>) => Promise<Response>;

/**
 * The provider's one request handler: routes by path only (the host is ignored, so one handler serves
 * the real lexoffice hosts under msw), answers CORS preflights, runs the endpoint, and journals the
 * exchange. Never throws: an unexpected failure is a 500 `server_error`, journaled like any answer.
 */
export function createRequestHandler(ctx: ProviderContext): CoreHandler {
  const api = mountApi(ctx);
  return async (request, read) => {
    ctx.requestsInFlight += 1;
    ctx.othersActive = request.othersActive === true;
    try {
      return await answer(request, read);
    } finally {
      ctx.requestsInFlight -= 1;
    }
  };

  async function answer(request: ProviderRequest, read: () => Promise<Exchange>): Promise<Response> {
    let exchange: Exchange | undefined;
    let endpoint: EndpointName = 'unknown';
    let result: EndpointResult;
    try {
      exchange = await read();
      const routed = ctx.built.routes.get(exchange.url.pathname);
      if (routed !== undefined && routed in ENDPOINTS) {
        endpoint = routed;
        const { run, cors } = ENDPOINTS[routed as keyof typeof ENDPOINTS];
        if (request.method === 'OPTIONS') {
          result = {
            response: cors
              ? preflightResponse(request)
              : new Response(null, { status: 405, headers: { allow: 'GET, POST' } }),
          };
        } else {
          result = await run(ctx, exchange);
          if (cors) result = { ...result, response: withCors(request, result.response) };
        }
      } else {
        const apiResult =
          request.method === 'OPTIONS' && /^\/v1(\/|$)/.test(exchange.url.pathname)
            ? { response: preflightResponse(request) }
            : await api(exchange);
        if (apiResult) {
          endpoint = 'api';
          result = { ...apiResult, response: withCors(request, apiResult.response) };
        } else {
          result = { response: jsonResponse({ error: 'not_found', error_description: 'no such endpoint' }, 404) };
        }
      }
    } catch (error) {
      result = {
        response: jsonResponse({ error: 'server_error', error_description: (error as Error).message }, 500, {
          'cache-control': 'no-store',
        }),
      };
    }
    const { response } = result;
    let responseBody: string | undefined = knownText(response);
    if (responseBody === undefined && response.body) {
      try {
        responseBody = await response.clone().text();
      } catch {
        responseBody = undefined;
      }
    }
    // Built member by member in the journal's order (spreading optional members costs an object each).
    const journaled: JournalRequest = { method: request.method, url: request.url, headers: request.headerRecord() };
    if (exchange?.body) journaled.body = capBody(exchange.body);
    // A copy of the record: the journal's entry is its own, whoever reads the record later.
    const answered: JournalResponse = { status: response.status, headers: { ...responseHeaderRecord(response) } };
    if (responseBody) answered.body = capBody(responseBody);
    const entry: Omit<JournalEntry, 'seq'> = {
      at: ctx.clock(),
      tag: result.tag ?? exchange?.headerTag,
      endpoint: result.endpoint ?? endpoint,
      request: journaled,
      response: answered,
    };
    if (result.authorization) entry.authorization = result.authorization;
    if (result.token) entry.token = result.token;
    if (result.bearer) entry.bearer = result.bearer;
    if (result.dpop) entry.dpop = result.dpop;
    if (result.revocation) entry.revocation = result.revocation;
    ctx.journal.record(entry);
    return response;
  }
}
