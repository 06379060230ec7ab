/**
 * The protocol half of the lab base: the reference client's flow (examples/reference-web/flow.ts),
 * cut into named steps. Every step's default is the correct code; a lab replaces exactly one step with
 * a flawed version, so the flaw sits, readable, in the lab's own `server.ts`.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { atHashOf } from '../../shared/oidc-checks.js';
import type { ExampleEnv } from '../../shared/env.js';
import { LoginError, type ApiResponse, type Grant, type LoginFlow } from '../../shared/login-flow.js';
import { TokenErrorSchema, TokenResponseSchema, UserInfoSchema } from '../../shared/token-schemas.js';
import { idTokenAlgorithms, type ProviderMetadata } from '../../reference-web/discovery.js';

/** What the session remembers between the redirect to the provider and the callback. */
export interface PendingLogin {
  state?: string;
  codeVerifier?: string;
  nonce?: string;
}

/** A validated token response (RFC 6749 §5.1). */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in?: number;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
}

/** Rules of the correct ID token verification a lab may leave out (each is the flaw of one lab). */
export type IdTokenRule = 'iat' | 'sub' | 'azp' | 'at_hash';

/** What a step that verifies an ID token gets besides the token. */
export interface IdTokenContext {
  env: ExampleEnv;
  meta: ProviderMetadata;
  /** The access token that came with the ID token (for `at_hash`). */
  accessToken: string;
  /**
   * The correct verification (signature, iss, aud, exp, iat and its age, sub, azp, nonce, at_hash), for
   * steps that only change part of it; `skip` leaves the named rules out.
   */
  verifyCorrectly(
    idToken: string,
    nonce: string | undefined,
    skip?: readonly IdTokenRule[],
  ): Promise<JWTPayload & { sub: string }>;
}

/** The steps a lab may replace. Omitted steps behave like the reference client. */
export interface FlowSteps {
  /** A new `state` for a login (RFC 6749 §10.10); undefined sends none. */
  newState(): string | undefined;
  /** Whether the callback's `state` belongs to this login (RFC 6749 §10.12). */
  stateMatches(received: string | null, expected: string | undefined): boolean;
  /** A new PKCE verifier for a login (RFC 7636 §4.1). */
  newVerifier(): string;
  /** The challenge and method sent for a verifier (RFC 7636 §4.2); undefined sends no PKCE. */
  challenge(verifier: string, meta: ProviderMetadata): { challenge: string; method?: string } | undefined;
  /** A new nonce for an OpenID login; undefined sends none. */
  newNonce(): string | undefined;
  /** Whether the callback's `iss` is acceptable (RFC 9207 §2.4). */
  issuerMatches(iss: string | null, meta: ProviderMetadata): boolean;
  /** Handles `error=...` on the callback (RFC 6749 §4.1.2.1). Must throw. */
  onErrorResponse(error: string, description: string | null): never;
  /** The code to redeem; throwing refuses the callback. */
  readCode(query: URLSearchParams): string;
  /** The parameters of a token request, given the correct ones. */
  tokenParams(params: Record<string, string>): Record<string, string>;
  /** Where the token request goes and the client authentication headers (RFC 6749 §2.3.1). */
  tokenRequestTarget(
    endpoint: string,
    env: ExampleEnv,
    body: URLSearchParams,
  ): { url: string; headers: Record<string, string> };
  /** Validates a token endpoint answer (RFC 6749 §5.1, §5.2); throws to refuse. */
  parseTokenResponse(status: number, json: unknown): TokenResponse;
  /** Verifies the ID token and returns its claims (OIDC Core §3.1.3.7). */
  verifyIdToken(idToken: string, nonce: string | undefined, ctx: IdTokenContext): Promise<JWTPayload & { sub: string }>;
  /** Validates the ID token of a refresh against the session's grant (OIDC Core §12.2); throws to end it. */
  checkRefreshedIdToken(idToken: string, grant: Grant, ctx: IdTokenContext): Promise<void>;
  /** Whether userinfo describes the ID token's subject (OIDC Core §5.3.2). */
  sameSubject(idTokenSub: string, userinfoSub: string): boolean;
  /** The refresh token to keep after a refresh (RFC 6749 §6). */
  keepRefreshToken(previous: string | undefined, issued: string | undefined): string | undefined;
  /** The request for an API call (RFC 6750 §2.1). */
  apiRequest(url: URL, accessToken: string): { url: URL; headers: Record<string, string> };
  /** Revokes the grant at sign-out (RFC 7009); `revokeCorrectly` is the reference behaviour. */
  revoke(grant: Grant, revokeCorrectly: (grant: Grant) => Promise<void>): Promise<void>;
}

function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/** The reference client's steps. */
export const CORRECT_STEPS: FlowSteps = {
  newState: randomToken,
  stateMatches: (received, expected) =>
    received !== null && expected !== undefined && constantTimeEqual(received, expected),
  newVerifier: randomToken,
  challenge: (verifier, meta) => {
    const methods = meta.code_challenge_methods_supported;
    if (methods && !methods.includes('S256')) {
      throw new LoginError('Sign-in unavailable', 'The provider does not support PKCE with S256.');
    }
    return { challenge: s256(verifier), method: 'S256' };
  },
  newNonce: randomToken,
  issuerMatches: (iss, meta) =>
    iss === null ? !meta.authorization_response_iss_parameter_supported : iss === meta.issuer,
  onErrorResponse: (error, description) => {
    throw new LoginError(
      'Sign-in was not completed',
      `The provider answered: ${error}${description ? ` (${description})` : ''}`,
    );
  },
  readCode: (query) => {
    const code = query.get('code');
    if (!code) throw new LoginError('Sign-in failed', 'The response carries no authorization code.');
    return code;
  },
  tokenParams: (params) => params,
  tokenRequestTarget: (endpoint, env, body): { url: string; headers: Record<string, string> } => {
    if (!env.clientSecret) {
      body.set('client_id', env.clientId);
      return { url: endpoint, headers: {} };
    }
    const id = encodeURIComponent(env.clientId).replace(/%20/g, '+');
    const secret = encodeURIComponent(env.clientSecret).replace(/%20/g, '+');
    return { url: endpoint, headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` } };
  },
  parseTokenResponse: (status, json) => {
    if (status < 200 || status >= 300) {
      const e = TokenErrorSchema.safeParse(json);
      throw new LoginError(
        'Sign-in failed',
        `The token endpoint refused the request: ${e.success ? e.data.error : `status ${status}`}`,
      );
    }
    const t = TokenResponseSchema.safeParse(json);
    if (!t.success) throw new LoginError('Sign-in failed', 'The token response is malformed.');
    return t.data;
  },
  verifyIdToken: (idToken, nonce, ctx) => ctx.verifyCorrectly(idToken, nonce),
  checkRefreshedIdToken: async (idToken, grant, ctx) => {
    // Verified like the first one (iss included); then it must be about the same person.
    const claims = await ctx.verifyCorrectly(idToken, undefined);
    if (claims.sub !== grant.sub)
      throw new LoginError('Session ended', 'The refreshed ID token is about someone else.', 401);
  },
  sameSubject: (a, b) => a === b,
  keepRefreshToken: (previous, issued) => issued ?? previous,
  apiRequest: (url, accessToken) => ({
    url,
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
  }),
  revoke: (grant, revokeCorrectly) => revokeCorrectly(grant),
};

/** Builds the lab's {@link LoginFlow} from the reference steps with `overrides` applied. */
export function createLabFlow(
  env: ExampleEnv,
  meta: ProviderMetadata,
  overrides: Partial<FlowSteps> = {},
  clock: () => number = Date.now,
): LoginFlow<PendingLogin> {
  const steps: FlowSteps = { ...CORRECT_STEPS, ...overrides };
  const wantsIdToken = env.scopes.includes('openid');
  const algorithms = idTokenAlgorithms(meta);
  const jwks = createRemoteJWKSet(new URL(meta.jwks_uri), { cooldownDuration: 0 });

  async function verify(
    idToken: string,
    nonce: string | undefined,
    accessToken: string,
    skip: readonly IdTokenRule[] = [],
  ): Promise<JWTPayload & { sub: string }> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(idToken, jwks, {
        issuer: meta.issuer,
        audience: env.clientId,
        algorithms,
        requiredClaims: ['sub', 'iat', 'exp'].filter((c) => !skip.includes(c as IdTokenRule)),
        ...(skip.includes('iat') ? {} : { maxTokenAge: '10 minutes', clockTolerance: 60 }),
      }));
    } catch (err) {
      const code = err instanceof joseErrors.JOSEError ? err.code : 'ERR_INVALID';
      throw new LoginError('Sign-in failed', `The ID token was rejected (${code}).`);
    }
    const aud = payload.aud;
    if (!skip.includes('azp') && Array.isArray(aud) && aud.length > 1 && payload.azp !== env.clientId) {
      throw new LoginError('Sign-in failed', 'The ID token was issued to another party (azp).');
    }
    if (nonce !== undefined && (typeof payload.nonce !== 'string' || !constantTimeEqual(payload.nonce, nonce))) {
      throw new LoginError('Sign-in failed', 'The ID token does not belong to this sign-in (nonce).');
    }
    if (
      !skip.includes('at_hash') &&
      typeof payload.at_hash === 'string' &&
      payload.at_hash !== atHashOf(accessToken, decodeProtectedHeader(idToken).alg)
    ) {
      throw new LoginError('Sign-in failed', 'The ID token does not belong to this access token (at_hash).');
    }
    return payload as JWTPayload & { sub: string };
  }
  const idCtxFor = (accessToken: string): IdTokenContext => ({
    env,
    meta,
    accessToken,
    verifyCorrectly: (idToken, nonce, skip) => verify(idToken, nonce, accessToken, skip),
  });

  async function tokenRequest(params: Record<string, string>): Promise<TokenResponse> {
    const body = new URLSearchParams(steps.tokenParams(params));
    const target = steps.tokenRequestTarget(meta.token_endpoint, env, body);
    let res: Response;
    try {
      res = await fetch(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...target.headers },
        body,
        redirect: 'error',
      });
    } catch {
      throw new LoginError('Sign-in failed', 'The provider could not be reached.');
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return steps.parseTokenResponse(res.status, json);
  }

  function toGrant(t: TokenResponse, sub: string, previous?: Grant): Grant {
    return {
      sub,
      accessToken: t.access_token,
      refreshToken: steps.keepRefreshToken(previous?.refreshToken, t.refresh_token),
      expiresAt: t.expires_in !== undefined ? clock() + t.expires_in * 1000 : undefined,
    };
  }

  async function revokeCorrectly(grant: Grant): Promise<void> {
    if (!meta.revocation_endpoint) return;
    const tokens: Array<[string, string]> = [];
    if (grant.refreshToken) tokens.push([grant.refreshToken, 'refresh_token']);
    tokens.push([grant.accessToken, 'access_token']);
    for (const [token, hint] of tokens) {
      const body = new URLSearchParams({ token, token_type_hint: hint });
      const target = CORRECT_STEPS.tokenRequestTarget(meta.revocation_endpoint, env, body);
      const res = await fetch(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...target.headers },
        body,
        redirect: 'error',
      });
      if (!res.ok) throw new Error(`revocation answered ${res.status}`);
    }
  }

  return {
    async begin() {
      const pending: PendingLogin = { state: steps.newState(), codeVerifier: steps.newVerifier() };
      const pkce = steps.challenge(pending.codeVerifier!, meta);
      if (!pkce) pending.codeVerifier = undefined;
      if (wantsIdToken) pending.nonce = steps.newNonce();
      const url = new URL(meta.authorization_endpoint);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('client_id', env.clientId);
      url.searchParams.set('redirect_uri', env.redirectUri);
      url.searchParams.set('scope', env.scopes.join(' '));
      if (pending.state !== undefined) url.searchParams.set('state', pending.state);
      if (pkce) {
        url.searchParams.set('code_challenge', pkce.challenge);
        if (pkce.method) url.searchParams.set('code_challenge_method', pkce.method);
      }
      if (pending.nonce) url.searchParams.set('nonce', pending.nonce);
      return { url, pending };
    },

    async complete(callbackUrl, pending) {
      const q = callbackUrl.searchParams;
      if (!steps.issuerMatches(q.get('iss'), meta)) {
        throw new LoginError('Sign-in failed', 'The response does not come from the expected issuer (iss).');
      }
      const error = q.get('error');
      if (error !== null) steps.onErrorResponse(error, q.get('error_description'));
      if (!steps.stateMatches(q.get('state'), pending.state)) {
        throw new LoginError(
          'Sign-in failed',
          'The response does not belong to a sign-in started in this browser (state).',
        );
      }
      const code = steps.readCode(q);
      const params: Record<string, string> = { grant_type: 'authorization_code', code, redirect_uri: env.redirectUri };
      if (pending.codeVerifier) params.code_verifier = pending.codeVerifier;
      const tokens = await tokenRequest(params);

      let sub: string | undefined;
      if (tokens.id_token) {
        sub = (await steps.verifyIdToken(tokens.id_token, pending.nonce, idCtxFor(tokens.access_token))).sub;
      }
      if (!tokens.id_token && wantsIdToken) throw new LoginError('Sign-in failed', 'The provider sent no ID token.');

      if (meta.userinfo_endpoint) {
        const res = await fetch(meta.userinfo_endpoint, {
          headers: { authorization: `Bearer ${tokens.access_token}`, accept: 'application/json' },
          redirect: 'error',
        });
        const info = res.ok ? UserInfoSchema.safeParse(await res.json().catch(() => undefined)) : undefined;
        if (!info?.success) throw new LoginError('Sign-in failed', `The userinfo endpoint answered ${res.status}.`);
        if (sub !== undefined && !steps.sameSubject(sub, info.data.sub)) {
          throw new LoginError('Sign-in failed', 'The userinfo response is about someone else (sub).');
        }
        sub ??= info.data.sub;
      }
      if (sub === undefined) throw new LoginError('Sign-in failed', 'The provider did not say who signed in.');
      return toGrant(tokens, sub);
    },

    async refresh(grant) {
      if (!grant.refreshToken) throw new LoginError('Session ended', 'There is no refresh token.', 401);
      const tokens = await tokenRequest({ grant_type: 'refresh_token', refresh_token: grant.refreshToken });
      if (tokens.id_token) await steps.checkRefreshedIdToken(tokens.id_token, grant, idCtxFor(tokens.access_token));
      return toGrant(tokens, grant.sub, grant);
    },

    async callApi(grant, path): Promise<ApiResponse> {
      const base = env.apiBaseUrl.endsWith('/') ? env.apiBaseUrl : `${env.apiBaseUrl}/`;
      const req = steps.apiRequest(new URL(path.replace(/^\/+/, ''), base), grant.accessToken);
      const res = await fetch(req.url, { headers: req.headers, redirect: 'error' });
      const body: unknown = (res.headers.get('content-type') ?? '').includes('json')
        ? await res.json().catch(() => undefined)
        : await res.text();
      return { status: res.status, body };
    },

    async revoke(grant) {
      await steps.revoke(grant, revokeCorrectly);
    },
  };
}
