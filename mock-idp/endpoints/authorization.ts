import { challengeWellFormed } from '../pkce/pkce-rules.js';
import type { EndpointResult, Exchange, ProviderContext } from '../provider-context.js';
import { errorPage, htmlResponse, redirectResponse, escapeHtml, noStoreHeaders } from '../http/responses.js';
import { createFamily, issueTokens } from '../tokens/issue-tokens.js';
import type { AuthorizationRequestInfo, ClientRegistration } from '../types.js';
import type { MockUser } from '../users/seeded-users.js';

/** Hidden form field that marks a login-form submission (POST to the authorization endpoint). */
export const LOGIN_FORM_FIELD = 'login_harness_user';
/** Hidden field carrying the login tag through the form, for user agents that drop the header on POST. */
const LOGIN_FORM_TAG_FIELD = 'login_harness_tag';

/** A validated authorization request, ready to be answered. */
interface ValidRequest {
  client: ClientRegistration;
  redirectUri: string;
  responseType: 'code' | 'token';
  scopes: string[];
  state?: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
}

/** A problem found after the redirect URI was trusted: answered by redirecting (RFC 6749 4.1.2.1). */
class RedirectError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

/** The request parameters (first value of each) and the names that were repeated. */
function paramsOf(exchange: Exchange): { params: Record<string, string>; repeated: string[] } {
  // OIDC Core 3.1.2.1: the request may come as GET query or as POST form.
  const source = exchange.request.method === 'POST' ? exchange.form : exchange.url.searchParams;
  const params: Record<string, string> = {};
  const repeated = new Set<string>();
  for (const [k, v] of source) {
    if (k in params) repeated.add(k);
    else params[k] = v;
  }
  return { params, repeated: [...repeated] };
}

/**
 * Adds `params` to `uri`'s query, keeping the query it already has (RFC 6749 3.1.2), or to its fragment
 * (implicit grant, RFC 6749 4.2.2).
 */
export function appendToUri(
  uri: string,
  params: Record<string, string>,
  where: 'query' | 'fragment' = 'query',
): string {
  const url = new URL(uri);
  if (where === 'fragment') {
    url.hash = new URLSearchParams(params).toString();
    return url.href;
  }
  for (const [k, v] of Object.entries(params)) url.searchParams.append(k, v);
  return url.href;
}

/** The step that checks `client_id` (RFC 6749 4.1.2.1: no redirect when it is missing or unknown). */
function checkClient(ctx: ProviderContext, params: Record<string, string>): ClientRegistration | string {
  const clientId = params.client_id;
  if (!clientId) return 'client_id is missing';
  return ctx.clients.get(clientId) ?? 'client_id is not registered';
}

/**
 * The step that checks `redirect_uri`: exact string comparison with a registered URI (RFC 9700 4.1.3,
 * RFC 6749 3.1.2.3). Permissive `redirect-uri-prefix-match` compares case-insensitively by prefix.
 */
function checkRedirectUri(ctx: ProviderContext, client: ClientRegistration, given: string | undefined): boolean {
  if (!given) return false;
  if (ctx.permissive.has('redirect-uri-prefix-match')) {
    if (!URL.canParse(given)) return false;
    const lower = given.toLowerCase();
    return client.redirectUris.some((r) => lower.startsWith(r.toLowerCase().replace(/\/$/, '')));
  }
  return client.redirectUris.includes(given);
}

/** Splits the requested scopes; the partner profile sends a comma-separated `scopes` parameter. */
function requestedScopes(ctx: ProviderContext, params: Record<string, string>): string[] | undefined {
  for (const name of ctx.profileSettings.scopeParams) {
    const value = params[name];
    if (value === undefined) continue;
    const separator = ctx.profileSettings.scopeParams.includes('scopes') ? /[\s,]+/ : / +/;
    return value.split(separator).filter((s) => s !== '');
  }
  return undefined;
}

/** The step that checks scopes against what the profile supports and the client may have. */
function checkScopes(ctx: ProviderContext, client: ClientRegistration, params: Record<string, string>): string[] {
  const supported = (ctx.built.metadata.scopes_supported as string[] | undefined) ?? undefined;
  const allowed = client.scopes ?? supported;
  const requested = requestedScopes(ctx, params);
  if (requested === undefined || requested.length === 0) {
    // RFC 6749 3.3: without a scope the server applies a default; here, what the client may have, minus openid.
    return (allowed ?? []).filter((s) => s !== 'openid');
  }
  const unknown = requested.filter((s) => (supported && !supported.includes(s)) || (allowed && !allowed.includes(s)));
  if (unknown.length > 0) throw new RedirectError('invalid_scope', `scope not allowed: ${unknown.join(' ')}`);
  return [...new Set(requested)];
}

/**
 * The step that checks PKCE parameters (RFC 7636 4.3, 4.4.1; RFC 9700 2.1.1). A provider whose metadata
 * has no `code_challenge_methods_supported` does not know PKCE: the parameters are ignored.
 */
function checkPkce(
  ctx: ProviderContext,
  client: ClientRegistration,
  params: Record<string, string>,
  tag: string | undefined,
): { codeChallenge?: string; codeChallengeMethod?: string } {
  const methods = ctx.built.pkceMethods;
  if (methods.length === 0) return {};
  const challenge = params.code_challenge;
  const rejectS256 = ctx.faults.get(tag, 'authorize.reject-s256') !== undefined;
  if (challenge === undefined || challenge === '') {
    if (params.code_challenge_method !== undefined) {
      throw new RedirectError('invalid_request', 'code_challenge_method without code_challenge');
    }
    const required = client.authMethod === 'none' && methods.includes('S256');
    if (required && !ctx.permissive.has('pkce-not-required')) {
      throw new RedirectError('invalid_request', 'code_challenge required for public clients (RFC 9700 2.1.1)');
    }
    return {};
  }
  // RFC 7636 4.3: an absent method means plain.
  const method = params.code_challenge_method ?? 'plain';
  if (method === 'S256' && rejectS256) {
    throw new RedirectError('invalid_request', 'code_challenge_method S256 is not supported');
  }
  const accepted =
    methods.includes(method) ||
    (method === 'plain' && (ctx.permissive.has('plain-allowed') || rejectS256)) ||
    // The plain-only metadata fault advertises less than is implemented: S256 keeps working.
    (method === 'S256' && methods.includes('plain'));
  if (!accepted) throw new RedirectError('invalid_request', `code_challenge_method ${method} is not supported`);
  if (!challengeWellFormed(challenge, method)) {
    throw new RedirectError('invalid_request', 'code_challenge is malformed (RFC 7636 4.2)');
  }
  return { codeChallenge: challenge, codeChallengeMethod: method };
}

/** Validates everything after client and redirect_uri. Throws RedirectError. */
function validate(
  ctx: ProviderContext,
  client: ClientRegistration,
  redirectUri: string,
  params: Record<string, string>,
  tag: string | undefined,
): ValidRequest {
  const responseType = params.response_type;
  if (!responseType) throw new RedirectError('invalid_request', 'response_type is missing');
  if (responseType !== 'code' && !(responseType === 'token' && ctx.permissive.has('implicit-enabled'))) {
    // RFC 9700 2.1.2: the implicit grant (and hybrid flows) are not offered.
    throw new RedirectError('unsupported_response_type', `response_type ${responseType} is not supported`);
  }
  const mode = params.response_mode;
  // Code responses are always sent in the query; fragment only exists for the (permissive) implicit grant.
  const modes = (ctx.built.metadata.response_modes_supported as string[] | undefined) ?? ['query'];
  if (mode !== undefined && !modes.includes(mode)) {
    throw new RedirectError('invalid_request', `response_mode ${mode} is not supported`);
  }
  const scopes = checkScopes(ctx, client, params);
  // PKCE protects the code; the implicit grant (permissive only) has none.
  const pkce = responseType === 'code' ? checkPkce(ctx, client, params, tag) : {};
  return {
    client,
    redirectUri,
    responseType: responseType as 'code' | 'token',
    scopes,
    state: params.state,
    nonce: params.nonce,
    ...pkce,
  };
}

/** RFC 9207 `iss`, when advertised; permissive `iss-param-wrong` sends a foreign issuer. */
function issParam(ctx: ProviderContext): Record<string, string> {
  if (!ctx.built.issParameter) return {};
  return { iss: ctx.permissive.has('iss-param-wrong') ? 'https://issuer.invalid' : ctx.built.issuer };
}

function stateParam(ctx: ProviderContext, state: string | undefined): Record<string, string> {
  if (state === undefined || ctx.permissive.has('state-not-echoed')) return {};
  return { state };
}

/** The error redirect (RFC 6749 4.1.2.1): error, error_description, state, and iss when advertised. */
function errorRedirect(
  ctx: ProviderContext,
  redirectUri: string,
  error: RedirectError,
  state: string | undefined,
): Response {
  return redirectResponse(
    appendToUri(redirectUri, {
      error: error.error,
      error_description: error.description,
      ...stateParam(ctx, state),
      ...issParam(ctx),
    }),
  );
}

/** Applies the tag's `callback.*` fault to the success response parameters. */
function applyCallbackFault(
  ctx: ProviderContext,
  tag: string | undefined,
  params: Record<string, string>,
): Record<string, string> {
  const fault = ctx.faults.at(tag, 'authorization response');
  const out = { ...params };
  switch (fault?.name) {
    case 'callback.state-altered':
      out.state = ctx.values.next('state', tag);
      break;
    case 'callback.state-missing':
      delete out.state;
      break;
    case 'callback.code-missing':
      delete out.code;
      break;
    case 'callback.error': {
      delete out.code;
      const { state, iss } = out;
      return {
        error: fault.error,
        ...(fault.errorDescription !== undefined ? { error_description: fault.errorDescription } : {}),
        ...(state !== undefined ? { state } : {}),
        ...(iss !== undefined ? { iss } : {}),
      };
    }
    case 'callback.iss-wrong':
      out.iss = 'https://issuer.invalid';
      break;
    case 'callback.iss-missing':
      delete out.iss;
      break;
    default:
      break;
  }
  return out;
}

/** The login form: the faker users to pick from; every reflected value is escaped. */
function loginForm(
  ctx: ProviderContext,
  exchange: Exchange,
  params: Record<string, string>,
  client: ClientRegistration,
): Response {
  const hidden = Object.entries(params)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('\n');
  const tagField =
    exchange.headerTag !== undefined
      ? `<input type="hidden" name="${LOGIN_FORM_TAG_FIELD}" value="${escapeHtml(exchange.headerTag)}">`
      : '';
  const users = ctx.users
    .map(
      (u: MockUser, i: number) =>
        `<label><input type="radio" name="${LOGIN_FORM_FIELD}" value="${i}"${i === 0 ? ' checked' : ''}> ${escapeHtml(u.name)} &lt;${escapeHtml(u.email)}&gt;</label><br>`,
    )
    .join('\n');
  const action = escapeHtml(exchange.url.pathname);
  return htmlResponse(
    'Sign in',
    `<h1>Sign in to ${escapeHtml(client.clientId)}</h1>\n<form method="post" action="${action}">\n${hidden}\n${tagField}\n${users}\n<button type="submit" id="approve">Sign in</button>\n</form>`,
    200,
    // No form-action: browsers apply it to the redirect after the POST, which goes to the client.
    { ...noStoreHeaders(ctx), 'content-security-policy': "default-src 'none'" },
  );
}

/** Issues the code (or, with permissive `implicit-enabled`, the token) and builds the redirect back. */
async function approve(
  ctx: ProviderContext,
  request: ValidRequest,
  user: MockUser,
  tag: string | undefined,
): Promise<string> {
  const now = ctx.clock();
  if (request.responseType === 'token') {
    const family = createFamily(ctx, {
      clientId: request.client.clientId,
      sub: user.sub,
      scopes: request.scopes,
      authTime: now,
      tag,
      nonce: request.nonce,
    });
    const tokens = await issueTokens(ctx, {
      family,
      parent: 'implicit',
      includeRefresh: false,
      includeIdToken: false,
    });
    const fragment: Record<string, string> = {
      access_token: tokens.accessToken,
      token_type: 'Bearer',
      expires_in: String(tokens.body.expires_in),
      scope: request.scopes.join(' '),
      ...stateParam(ctx, request.state),
      ...issParam(ctx),
    };
    return appendToUri(request.redirectUri, applyCallbackFault(ctx, tag, fragment), 'fragment');
  }
  const code = ctx.values.next('code', tag);
  ctx.store.codes.set(code, {
    value: code,
    clientId: request.client.clientId,
    redirectUri: request.redirectUri,
    scopes: request.scopes,
    sub: user.sub,
    authTime: now,
    expiresAt: now + ctx.settings.codeTtl * 1000,
    tag,
    nonce: request.nonce,
    codeChallenge: request.codeChallenge,
    codeChallengeMethod: request.codeChallengeMethod,
    state: 'active',
  });
  ctx.journal.recordIssued({
    kind: 'code',
    value: code,
    tag,
    clientId: request.client.clientId,
    at: now,
    codeChallenge: request.codeChallenge,
    codeChallengeMethod: request.codeChallengeMethod,
    nonce: request.nonce,
    redirectUri: request.redirectUri,
    scope: request.scopes.join(' '),
    redeemed: false,
  });
  const params = { code, ...stateParam(ctx, request.state), ...issParam(ctx) };
  return appendToUri(request.redirectUri, applyCallbackFault(ctx, tag, params));
}

/**
 * The authorization endpoint (RFC 6749 4.1.1, OIDC Core 3.1.2), code flow only. Steps, in order:
 * check_client, check_redirect_uri (both answered with an HTML error page, never a redirect),
 * check_response_type, check_scopes, check_pkce (errors redirect back with `state` and `iss`), then
 * either the login form or auto-approval, which issues the code bound to client, redirect_uri, PKCE
 * challenge, nonce and login tag.
 */
export async function authorizationEndpoint(ctx: ProviderContext, exchange: Exchange): Promise<EndpointResult> {
  const method = exchange.request.method;
  if (method !== 'GET' && method !== 'POST') {
    return { response: new Response('method not allowed', { status: 405, headers: { allow: 'GET, POST' } }) };
  }
  const { params, repeated } = paramsOf(exchange);
  const isFormSubmit = method === 'POST' && params[LOGIN_FORM_FIELD] !== undefined;
  const tag = exchange.headerTag ?? (isFormSubmit ? params[LOGIN_FORM_TAG_FIELD] : undefined);
  const requestParams = { ...params };
  delete requestParams[LOGIN_FORM_FIELD];
  delete requestParams[LOGIN_FORM_TAG_FIELD];
  const info: AuthorizationRequestInfo = { params: requestParams, clientId: params.client_id, outcome: 'error-page' };
  const result = (response: Response, extra: Partial<AuthorizationRequestInfo> = {}): EndpointResult => {
    const location = response.headers.get('location') ?? undefined;
    return {
      response,
      tag,
      ...(isFormSubmit ? { endpoint: 'login-form' as const } : {}),
      authorization: { ...info, ...(location ? { outcome: 'redirect', location } : {}), ...extra },
    };
  };

  // RFC 6749 3.1: parameters MUST NOT be included more than once. A repeated client_id or
  // redirect_uri makes the redirect target ambiguous, so it gets the error page.
  const client =
    repeated.includes('client_id') || repeated.includes('redirect_uri')
      ? `parameters repeated: ${repeated.join(', ')}`
      : checkClient(ctx, requestParams);
  if (typeof client === 'string') {
    return result(errorPage(ctx, 'invalid_request', client, { client_id: requestParams.client_id ?? '' }), {
      error: 'invalid_request',
    });
  }
  const redirectUri = requestParams.redirect_uri;
  if (!checkRedirectUri(ctx, client, redirectUri)) {
    const description = redirectUri ? 'redirect_uri is not registered for this client' : 'redirect_uri is missing';
    if (redirectUri && ctx.permissive.has('redirect-on-invalid-redirect-uri') && URL.canParse(redirectUri)) {
      return result(
        redirectResponse(appendToUri(redirectUri, { error: 'invalid_request', error_description: description })),
        { error: 'invalid_request' },
      );
    }
    return result(errorPage(ctx, 'invalid_request', description, { redirect_uri: redirectUri ?? '' }), {
      error: 'invalid_request',
    });
  }

  let valid: ValidRequest;
  try {
    if (repeated.length > 0) {
      throw new RedirectError('invalid_request', `parameters repeated: ${repeated.join(', ')} (RFC 6749 3.1)`);
    }
    valid = validate(ctx, client, redirectUri, requestParams, tag);
  } catch (error) {
    if (!(error instanceof RedirectError)) throw error;
    return result(errorRedirect(ctx, redirectUri, error, requestParams.state), { error: error.error });
  }

  if (ctx.settings.loginForm && !isFormSubmit) {
    return result(loginForm(ctx, exchange, requestParams, client), { outcome: 'login-form' });
  }
  const index = isFormSubmit ? Number.parseInt(params[LOGIN_FORM_FIELD], 10) : 0;
  const user = ctx.users[Number.isInteger(index) && index >= 0 && index < ctx.users.length ? index : 0];
  const location = await approve(ctx, valid, user, tag);
  return result(redirectResponse(location, noStoreHeaders(ctx)));
}
