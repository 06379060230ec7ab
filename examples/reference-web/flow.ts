/**
 * The lexoffice.login paper's reference flow (authorization code + PKCE), written out by hand on top of
 * `fetch` and jose so that every rule is visible: `begin` is the paper's `get_login_url`, `complete`
 * its `handle_callback` and code exchange, with the checks the paper leaves implicit made explicit.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { atHashOf, verifyLogoutToken } from '../shared/oidc-checks.js';
import type * as z from '../shared/zod.js';
import type { ExampleEnv } from '../shared/env.js';
import { redactTokenLike } from '../shared/html.js';
import { TokenErrorSchema, TokenResponseSchema, UserInfoSchema } from '../shared/token-schemas.js';
import { LoginError, type ApiResponse, type Grant, type LoginFlow, type LogoutTarget } from '../shared/login-flow.js';
import { idTokenAlgorithms, type ProviderMetadata } from './discovery.js';

/** What the session remembers between the redirect to the provider and the callback. */
export interface PendingLogin {
  state: string;
  codeVerifier: string;
  /** Present when the scope includes `openid` (OIDC Core 3.1.2.1). */
  nonce?: string;
}

/** 256 bits from the CSPRNG, base64url: 43 unreserved characters, like Python's `secrets.token_urlsafe(32)`. */
function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** RFC 7636 section 4.2: `code_challenge = BASE64URL(SHA256(ASCII(code_verifier)))`. */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** Compares two strings in time independent of where they differ. */
function constantTimeEqual(a: string, b: string): boolean {
  // Hashing first gives equal lengths, so the length of the expected value does not leak either.
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

type TokenResponse = z.infer<typeof TokenResponseSchema>;

export interface ReferenceFlowOptions {
  env: ExampleEnv;
  meta: ProviderMetadata;
  clock?: () => number;
}

/** Builds the reference client's {@link LoginFlow}. */
export function createReferenceFlow(opts: ReferenceFlowOptions): LoginFlow<PendingLogin> {
  const { env, meta } = opts;
  const clock = opts.clock ?? Date.now;
  const wantsIdToken = env.scopes.includes('openid');
  const algorithms = idTokenAlgorithms(meta);
  // cooldownDuration 0: a token signed with a key the cached set does not know makes jose refetch
  // the JWKS at once, so a provider's key rotation does not lock people out (OIDC Core 10.1.1).
  const jwks = createRemoteJWKSet(new URL(meta.jwks_uri), { cooldownDuration: 0 });

  /** RFC 6749 section 2.3.1: form-encode id and secret, then HTTP Basic. */
  function clientAuth(body: URLSearchParams): Record<string, string> {
    if (!env.clientSecret) {
      body.set('client_id', env.clientId);
      return {};
    }
    const id = encodeURIComponent(env.clientId).replace(/%20/g, '+');
    const secret = encodeURIComponent(env.clientSecret).replace(/%20/g, '+');
    return { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` };
  }

  async function post(endpoint: string, body: URLSearchParams): Promise<Response> {
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      ...clientAuth(body),
    };
    return fetch(endpoint, { method: 'POST', headers, body, redirect: 'error' });
  }

  /** Token endpoint call with the response validated (RFC 6749 sections 5.1 and 5.2). */
  async function tokenRequest(params: Record<string, string>): Promise<TokenResponse> {
    let res: Response;
    try {
      res = await post(meta.token_endpoint, new URLSearchParams(params));
    } catch {
      throw new LoginError('Sign-in failed', 'The provider could not be reached.');
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new LoginError(
        'Sign-in failed',
        `The token endpoint answered with something other than JSON (status ${res.status}).`,
      );
    }
    if (!res.ok) {
      const e = TokenErrorSchema.safeParse(json);
      const what = e.success
        ? `${e.data.error}${e.data.error_description ? ` (${e.data.error_description})` : ''}`
        : `status ${res.status}`;
      throw new LoginError('Sign-in failed', `The token endpoint refused the request: ${redactTokenLike(what)}`);
    }
    const t = TokenResponseSchema.safeParse(json);
    if (!t.success) {
      const where = t.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new LoginError('Sign-in failed', `The token response is malformed: ${where}`);
    }
    return t.data;
  }

  /**
   * OIDC Core 3.1.3.7: signature with an advertised asymmetric algorithm, iss, aud, azp, exp, iat (a
   * token issued in the future or long ago is refused, step 10), nonce; and `at_hash` against the
   * access token that came with it (3.1.3.8).
   */
  async function verifyIdToken(
    idToken: string,
    nonce: string | undefined,
    accessToken: string,
  ): Promise<JWTPayload & { sub: string }> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(idToken, jwks, {
        issuer: meta.issuer,
        audience: env.clientId,
        algorithms,
        requiredClaims: ['sub', 'iat', 'exp'],
        maxTokenAge: '10 minutes',
        clockTolerance: 60,
      }));
    } catch (err) {
      const code = err instanceof joseErrors.JOSEError ? err.code : 'ERR_INVALID';
      throw new LoginError('Sign-in failed', `The ID token was rejected (${code}).`);
    }
    const aud = payload.aud;
    if (Array.isArray(aud) && aud.length > 1 && payload.azp !== env.clientId)
      throw new LoginError('Sign-in failed', 'The ID token was issued to another party (azp).');
    if (nonce !== undefined && (typeof payload.nonce !== 'string' || !constantTimeEqual(payload.nonce, nonce)))
      throw new LoginError('Sign-in failed', 'The ID token does not belong to this sign-in (nonce).');
    if (
      typeof payload.at_hash === 'string' &&
      payload.at_hash !== atHashOf(accessToken, decodeProtectedHeader(idToken).alg)
    )
      throw new LoginError('Sign-in failed', 'The ID token does not belong to this access token (at_hash).');
    return payload as JWTPayload & { sub: string };
  }

  function toGrant(t: TokenResponse, sub: string, previous?: Grant, claims?: JWTPayload): Grant {
    const idToken = t.id_token ?? previous?.idToken;
    const sid = typeof claims?.sid === 'string' ? claims.sid : previous?.sid;
    return {
      sub,
      accessToken: t.access_token,
      // RFC 6749 section 6: when no new refresh token is issued the old one stays valid.
      refreshToken: t.refresh_token ?? previous?.refreshToken,
      expiresAt: t.expires_in !== undefined ? clock() + t.expires_in * 1000 : undefined,
      ...(idToken ? { idToken } : {}),
      ...(sid ? { sid } : {}),
    };
  }

  function apiUrl(path: string): URL {
    const base = env.apiBaseUrl.endsWith('/') ? env.apiBaseUrl : `${env.apiBaseUrl}/`;
    return new URL(path.replace(/^\/+/, ''), base);
  }

  return {
    async begin() {
      // RFC 7636 section 4.2 / 7.2: S256 or nothing. A provider that does not list S256 gets no login
      // rather than a downgrade to `plain`.
      const methods = meta.code_challenge_methods_supported;
      if (methods && !methods.includes('S256'))
        throw new LoginError(
          'Sign-in unavailable',
          'The provider does not support PKCE with S256, and this client never falls back to plain.',
        );
      const pending: PendingLogin = {
        state: randomToken(),
        codeVerifier: randomToken(),
        nonce: wantsIdToken ? randomToken() : undefined,
      };
      const url = new URL(meta.authorization_endpoint);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('client_id', env.clientId);
      url.searchParams.set('redirect_uri', env.redirectUri);
      url.searchParams.set('scope', env.scopes.join(' '));
      url.searchParams.set('state', pending.state);
      url.searchParams.set('code_challenge', s256(pending.codeVerifier));
      url.searchParams.set('code_challenge_method', 'S256');
      if (pending.nonce) url.searchParams.set('nonce', pending.nonce);
      return { url, pending };
    },

    async complete(callbackUrl, pending) {
      const q = callbackUrl.searchParams;
      // RFC 9207 section 2.4: the issuer identifier is checked first, for error responses too, so a
      // response from another provider (mix-up attack) is never processed.
      const iss = q.get('iss');
      if (meta.authorization_response_iss_parameter_supported && iss === null)
        throw new LoginError('Sign-in failed', 'The response does not name its issuer (iss).');
      if (iss !== null && iss !== meta.issuer)
        throw new LoginError('Sign-in failed', 'The response comes from another issuer (iss).');

      // RFC 6749 section 4.1.2.1: an error response is shown (escaped by the page) and nothing is redeemed.
      const error = q.get('error');
      if (error !== null) {
        const description = q.get('error_description');
        throw new LoginError(
          'Sign-in was not completed',
          `The provider answered: ${error}${description ? ` (${description})` : ''}`,
        );
      }

      // RFC 6749 section 10.12: the state must be the one bound to this browser's session.
      const state = q.get('state');
      if (state === null) throw new LoginError('Sign-in failed', 'The response carries no state.');
      if (!constantTimeEqual(state, pending.state))
        throw new LoginError(
          'Sign-in failed',
          'The response does not belong to a sign-in started in this browser (state).',
        );
      const code = q.get('code');
      if (!code) throw new LoginError('Sign-in failed', 'The response carries no authorization code.');

      // RFC 6749 section 4.1.3 + RFC 7636 section 4.5: same redirect_uri, and the verifier.
      const tokens = await tokenRequest({
        grant_type: 'authorization_code',
        code,
        redirect_uri: env.redirectUri,
        code_verifier: pending.codeVerifier,
      });

      let sub: string | undefined;
      let claims: JWTPayload | undefined;
      if (tokens.id_token) {
        claims = await verifyIdToken(tokens.id_token, pending.nonce, tokens.access_token);
        sub = claims.sub;
      } else if (wantsIdToken) throw new LoginError('Sign-in failed', 'The provider sent no ID token.');

      if (meta.userinfo_endpoint) {
        const res = await fetch(meta.userinfo_endpoint, {
          headers: { authorization: `Bearer ${tokens.access_token}`, accept: 'application/json' },
          redirect: 'error',
        });
        const info = res.ok ? UserInfoSchema.safeParse(await res.json().catch(() => undefined)) : undefined;
        if (!info?.success) throw new LoginError('Sign-in failed', `The userinfo endpoint answered ${res.status}.`);
        // OIDC Core 5.3.2: the userinfo sub MUST match the ID token's, or the response is not used.
        if (sub !== undefined && info.data.sub !== sub)
          throw new LoginError('Sign-in failed', 'The userinfo response is about someone else (sub).');
        sub ??= info.data.sub;
      }
      if (sub === undefined) throw new LoginError('Sign-in failed', 'The provider did not say who signed in.');
      return toGrant(tokens, sub, undefined, claims);
    },

    async refresh(grant) {
      if (!grant.refreshToken) throw new LoginError('Session ended', 'There is no refresh token.', 401);
      // No `scope` parameter: the refreshed grant keeps the original scope and can never widen it (RFC 6749 section 6).
      const tokens = await tokenRequest({ grant_type: 'refresh_token', refresh_token: grant.refreshToken });
      let claims: JWTPayload | undefined;
      if (tokens.id_token) {
        // OIDC Core 12.2: a refreshed ID token is about the same person, from the same issuer (verified).
        claims = await verifyIdToken(tokens.id_token, undefined, tokens.access_token);
        if (claims.sub !== grant.sub)
          throw new LoginError('Session ended', 'The refreshed ID token is about someone else.', 401);
      }
      return toGrant(tokens, grant.sub, grant, claims);
    },

    async callApi(grant, path): Promise<ApiResponse> {
      // RFC 6750 section 2.1: the header, never the query (section 5.3: URLs end up in logs).
      const res = await fetch(apiUrl(path), {
        headers: { authorization: `Bearer ${grant.accessToken}`, accept: 'application/json' },
        redirect: 'error',
      });
      const body: unknown = (res.headers.get('content-type') ?? '').includes('json')
        ? await res.json().catch(() => undefined)
        : await res.text();
      return { status: res.status, body };
    },

    endSessionUrl(grant, state) {
      // OIDC RP-Initiated Logout 2: the ID token as hint, the registered post-logout URI, and a state.
      if (!meta.end_session_endpoint || !env.postLogoutRedirectUri || !grant.idToken) return undefined;
      const url = new URL(meta.end_session_endpoint);
      url.searchParams.set('id_token_hint', grant.idToken);
      url.searchParams.set('client_id', env.clientId);
      url.searchParams.set('post_logout_redirect_uri', env.postLogoutRedirectUri);
      url.searchParams.set('state', state);
      return url;
    },

    verifyLogoutToken(logoutToken): Promise<LogoutTarget> {
      return verifyLogoutToken(logoutToken, { jwks, issuer: meta.issuer, clientId: env.clientId, algorithms });
    },

    async revoke(grant) {
      if (!meta.revocation_endpoint) return;
      // RFC 7009 section 2.1: the refresh token first (which ends the grant), then the access token.
      const tokens: Array<[string, string]> = [];
      if (grant.refreshToken) tokens.push([grant.refreshToken, 'refresh_token']);
      tokens.push([grant.accessToken, 'access_token']);
      for (const [token, hint] of tokens) {
        const res = await post(meta.revocation_endpoint, new URLSearchParams({ token, token_type_hint: hint }));
        if (!res.ok) throw new Error(`revocation answered ${res.status}`);
      }
    },
  };
}
