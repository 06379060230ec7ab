/**
 * The same web app as reference-web, with the protocol done by openid-client (v6), a certified
 * OpenID Connect relying-party library. Every check the harness runs must pass here: a finding
 * against this client is first suspected to be a harness bug.
 */
import { decodeProtectedHeader } from 'jose';
import * as client from 'openid-client';
import { atHashOf } from '../shared/oidc-checks.js';
import type { ExampleEnv } from '../shared/env.js';
import { redactTokenLike } from '../shared/html.js';
import { LoginError, type ApiResponse, type Grant, type LoginFlow } from '../shared/login-flow.js';

/** What the session remembers between the redirect to the provider and the callback. */
export interface PendingLogin {
  state: string;
  codeVerifier: string;
  nonce?: string;
}

/**
 * Discovers the provider and configures client_secret_basic authentication, or `private_key_jwt` (RFC
 * 7523) when a private key is given: the library signs a fresh assertion for every token request.
 * Plain-http issuers are accepted only on loopback, through openid-client's explicit opt-in.
 */
export async function configure(
  env: ExampleEnv,
  privateKey?: { key: CryptoKey; kid: string },
): Promise<client.Configuration> {
  const issuer = new URL(env.issuer);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
  const execute = issuer.protocol === 'http:' && loopback ? [client.allowInsecureRequests] : [];
  const auth = privateKey
    ? client.PrivateKeyJwt(privateKey)
    : env.clientSecret
      ? client.ClientSecretBasic(env.clientSecret)
      : client.None();
  const config = await client.discovery(issuer, env.clientId, undefined, auth, { execute });
  // openid-client trusts TLS for ID tokens from the token endpoint (OIDC Core 3.1.3.7 step 6) and skips
  // their signature unless asked; this app checks signatures, as the harness expects of every client.
  client.enableNonRepudiationChecks(config);
  return config;
}

/** Maps the library's errors to a page that is safe to show: the error code, never a body or a stack. */
function toLoginError(err: unknown, title = 'Sign-in failed'): LoginError {
  if (err instanceof LoginError) return err;
  if (err instanceof client.AuthorizationResponseError) {
    const d = err.error_description ? ` (${err.error_description})` : '';
    return new LoginError('Sign-in was not completed', `The provider answered: ${err.error}${d}`);
  }
  if (err instanceof client.ResponseBodyError)
    return new LoginError(title, `The token endpoint refused the request: ${err.error}`);
  if (err instanceof Error) return new LoginError(title, `The response was rejected: ${redactTokenLike(err.message)}`);
  return new LoginError(title, 'The response was rejected.');
}

type Tokens = client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;

/**
 * What the library leaves to the application in the code flow: an `iat` in the future (OIDC Core
 * 3.1.3.7 step 10 lets the client reject it) and `at_hash` (3.1.3.8: the client MAY compare it).
 */
function checkBeyondTheLibrary(tokens: Tokens): void {
  const claims = tokens.claims();
  if (!claims || !tokens.id_token) return;
  if (claims.iat > Date.now() / 1000 + 60)
    throw new LoginError('Sign-in failed', 'The ID token claims to be issued in the future (iat).');
  const alg = decodeProtectedHeader(tokens.id_token).alg;
  if (typeof claims.at_hash === 'string' && claims.at_hash !== atHashOf(tokens.access_token, alg))
    throw new LoginError('Sign-in failed', 'The ID token does not belong to this access token (at_hash).');
}

function toGrant(tokens: Tokens, sub: string, previous?: Grant): Grant {
  const expiresIn = tokens.expiresIn();
  const sid = tokens.claims()?.sid;
  const idToken = tokens.id_token ?? previous?.idToken;
  return {
    sub,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? previous?.refreshToken,
    expiresAt: expiresIn !== undefined ? Date.now() + expiresIn * 1000 : undefined,
    ...(idToken ? { idToken } : {}),
    ...(typeof sid === 'string' ? { sid } : previous?.sid ? { sid: previous.sid } : {}),
  };
}

/** Builds the openid-client {@link LoginFlow}. */
export function createOpenIdClientFlow(config: client.Configuration, env: ExampleEnv): LoginFlow<PendingLogin> {
  const wantsIdToken = env.scopes.includes('openid');

  return {
    async begin() {
      if (!config.serverMetadata().supportsPKCE('S256'))
        throw new LoginError(
          'Sign-in unavailable',
          'The provider does not support PKCE with S256, and this client never falls back to plain.',
        );
      const pending: PendingLogin = {
        state: client.randomState(),
        codeVerifier: client.randomPKCECodeVerifier(),
        nonce: wantsIdToken ? client.randomNonce() : undefined,
      };
      const params: Record<string, string> = {
        redirect_uri: env.redirectUri,
        scope: env.scopes.join(' '),
        state: pending.state,
        code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
        code_challenge_method: 'S256',
      };
      if (pending.nonce) params.nonce = pending.nonce;
      return { url: client.buildAuthorizationUrl(config, params), pending };
    },

    async complete(callbackUrl, pending) {
      try {
        // Checks iss (RFC 9207, when advertised), error responses, state, then redeems the code with the
        // verifier and validates the token response and the ID token (signature, iss, aud, exp, nonce).
        const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: wantsIdToken,
        });
        checkBeyondTheLibrary(tokens);
        const claims = tokens.claims();
        let sub = claims?.sub;
        if (config.serverMetadata().userinfo_endpoint) {
          // OIDC Core 5.3.2: the library compares the userinfo sub with the ID token's.
          const info = await client.fetchUserInfo(config, tokens.access_token, sub ?? client.skipSubjectCheck);
          sub ??= info.sub;
        }
        if (!sub) throw new LoginError('Sign-in failed', 'The provider did not say who signed in.');
        return toGrant(tokens, sub);
      } catch (err) {
        throw toLoginError(err);
      }
    },

    async refresh(grant) {
      if (!grant.refreshToken) throw new LoginError('Session ended', 'There is no refresh token.', 401);
      try {
        // No scope parameter: the grant keeps its original scope (RFC 6749 section 6).
        const tokens = await client.refreshTokenGrant(config, grant.refreshToken);
        checkBeyondTheLibrary(tokens);
        const sub = tokens.claims()?.sub;
        if (sub !== undefined && sub !== grant.sub)
          throw new LoginError('Session ended', 'The refreshed ID token is about someone else.', 401);
        return toGrant(tokens, grant.sub, grant);
      } catch (err) {
        throw toLoginError(err, 'Session ended');
      }
    },

    async callApi(grant, path): Promise<ApiResponse> {
      const base = env.apiBaseUrl.endsWith('/') ? env.apiBaseUrl : `${env.apiBaseUrl}/`;
      const url = new URL(path.replace(/^\/+/, ''), base);
      let res: Response;
      try {
        // Sends the token in the Authorization header (RFC 6750 section 2.1).
        res = await client.fetchProtectedResource(config, grant.accessToken, url, 'GET');
      } catch (err) {
        // A 401 with a WWW-Authenticate challenge is thrown, not returned.
        if (err instanceof client.WWWAuthenticateChallengeError) return { status: err.status, body: undefined };
        throw err;
      }
      const body: unknown = (res.headers.get('content-type') ?? '').includes('json')
        ? await res.json().catch(() => undefined)
        : await res.text();
      return { status: res.status, body };
    },

    endSessionUrl(grant, state) {
      // OIDC RP-Initiated Logout 2, built by the library: hint, registered post-logout URI, state.
      if (!config.serverMetadata().end_session_endpoint || !env.postLogoutRedirectUri || !grant.idToken)
        return undefined;
      return client.buildEndSessionUrl(config, {
        id_token_hint: grant.idToken,
        post_logout_redirect_uri: env.postLogoutRedirectUri,
        state,
      });
    },

    async revoke(grant) {
      if (!config.serverMetadata().revocation_endpoint) return;
      if (grant.refreshToken)
        await client.tokenRevocation(config, grant.refreshToken, { token_type_hint: 'refresh_token' });
      await client.tokenRevocation(config, grant.accessToken, { token_type_hint: 'access_token' });
    },
  };
}
