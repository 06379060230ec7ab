/**
 * The web app of openid-client-web with the FAPI 2.0 client features switched on in openid-client (v6):
 * pushed authorization requests (RFC 9126) and DPoP (RFC 9449), one DPoP key per person's session, the
 * PAR request bound to that key (`dpop_jkt`), the token, refresh, userinfo and API requests proved with
 * it, and the provider's DPoP nonces followed (the library retries once). Every check the harness runs
 * must pass here.
 *
 * The steps labs replace are named in {@link Fapi2Steps}; their defaults are the correct code.
 */
import * as client from 'openid-client';
import type { ExampleEnv } from '../shared/env.js';
import { redactTokenLike } from '../shared/html.js';
import { LoginError, type ApiResponse, type Grant, type LoginFlow } from '../shared/login-flow.js';

/** What the session remembers between the redirect to the provider and the callback. */
export interface PendingLogin {
  state: string;
  codeVerifier: string;
  nonce?: string;
  /** The session's DPoP key pair: the PAR request, the code and every token are bound to it. */
  dpopKeys: client.CryptoKeyPair;
}

/** The steps a lab may replace. */
export interface Fapi2Steps {
  /** The URL the person is sent to: PAR, then `client_id` and `request_uri` only (RFC 9126 4). */
  authorizationUrl(config: client.Configuration, params: Record<string, string>, dpop: client.DPoPHandle): Promise<URL>;
  /** The DPoP handle of a request: the session's key (RFC 9449 4). */
  dpopHandle(config: client.Configuration, keys: client.CryptoKeyPair): client.DPoPHandle;
  /** Calls the lexoffice API with the access token (RFC 9449 7.1: DPoP scheme and a proof). */
  callApi(config: client.Configuration, accessToken: string, url: URL, dpop: client.DPoPHandle): Promise<Response>;
}

/** The reference client's steps. */
export const CORRECT_STEPS: Fapi2Steps = {
  authorizationUrl: (config, params, dpop) => client.buildAuthorizationUrlWithPAR(config, params, { DPoP: dpop }),
  dpopHandle: (config, keys) => client.getDPoPHandle(config, keys),
  callApi: (config, accessToken, url, dpop) =>
    client.fetchProtectedResource(config, accessToken, url, 'GET', undefined, undefined, { DPoP: dpop }),
};

/**
 * Discovers the provider and configures private_key_jwt (with `privateKey`) or client_secret_basic
 * authentication. Plain-http issuers are
 * accepted only on loopback, through openid-client's explicit opt-in.
 */
export async function configure(
  env: ExampleEnv,
  customFetch?: client.CustomFetch,
  privateKey?: client.PrivateKey,
): Promise<client.Configuration> {
  const issuer = new URL(env.issuer);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
  const execute = issuer.protocol === 'http:' && loopback ? [client.allowInsecureRequests] : [];
  // private_key_jwt (RFC 7523) when a key is given, as FAPI 2.0 asks of confidential clients.
  const auth = privateKey
    ? client.PrivateKeyJwt(privateKey)
    : env.clientSecret
      ? client.ClientSecretBasic(env.clientSecret)
      : client.None();
  const config = await client.discovery(issuer, env.clientId, undefined, auth, { execute });
  if (customFetch) config[client.customFetch] = customFetch;
  // Signatures of ID tokens from the token endpoint are checked too (OIDC Core 3.1.3.7 step 6 allows
  // trusting TLS instead; the harness expects every client to check).
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

/** Builds the flow: `steps` replace the reference behaviour (labs), the rest is correct. */
export function createFapi2Flow(
  config: client.Configuration,
  env: ExampleEnv,
  steps: Partial<Fapi2Steps> = {},
): LoginFlow<PendingLogin> {
  const s: Fapi2Steps = { ...CORRECT_STEPS, ...steps };
  const wantsIdToken = env.scopes.includes('openid');
  // The DPoP key of each grant, by its tokens: a refresh or an API call proves the key the login used.
  const keysOf = new Map<string, client.CryptoKeyPair>();
  const remember = (grant: Grant, keys: client.CryptoKeyPair): Grant => {
    keysOf.set(grant.accessToken, keys);
    if (grant.refreshToken) keysOf.set(grant.refreshToken, keys);
    return grant;
  };
  const keysFor = (grant: Grant): client.CryptoKeyPair => {
    const keys = keysOf.get(grant.accessToken) ?? (grant.refreshToken ? keysOf.get(grant.refreshToken) : undefined);
    if (!keys) throw new LoginError('Session ended', 'The DPoP key of this sign-in is gone.', 401);
    return keys;
  };
  const toGrant = (
    tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers,
    sub: string,
    previous?: Grant,
  ): Grant => {
    const expiresIn = tokens.expiresIn();
    return {
      sub,
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token ?? previous?.refreshToken,
      expiresAt: expiresIn !== undefined ? Date.now() + expiresIn * 1000 : undefined,
    };
  };

  return {
    async begin() {
      if (!config.serverMetadata().supportsPKCE('S256'))
        throw new LoginError('Sign-in unavailable', 'The provider does not support PKCE with S256.');
      const pending: PendingLogin = {
        state: client.randomState(),
        codeVerifier: client.randomPKCECodeVerifier(),
        nonce: wantsIdToken ? client.randomNonce() : undefined,
        dpopKeys: await client.randomDPoPKeyPair('ES256'),
      };
      const params: Record<string, string> = {
        redirect_uri: env.redirectUri,
        scope: env.scopes.join(' '),
        state: pending.state,
        code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
        code_challenge_method: 'S256',
      };
      if (pending.nonce) params.nonce = pending.nonce;
      try {
        return { url: await s.authorizationUrl(config, params, s.dpopHandle(config, pending.dpopKeys)), pending };
      } catch (err) {
        throw toLoginError(err, 'Sign-in unavailable');
      }
    },

    async complete(callbackUrl, pending) {
      try {
        const DPoP = s.dpopHandle(config, pending.dpopKeys);
        // Checks iss (RFC 9207), errors, state; redeems the code with the verifier and a DPoP proof (a
        // use_dpop_nonce answer is retried once with the nonce); validates the ID token.
        const tokens = await client.authorizationCodeGrant(
          config,
          callbackUrl,
          {
            pkceCodeVerifier: pending.codeVerifier,
            expectedState: pending.state,
            expectedNonce: pending.nonce,
            idTokenExpected: wantsIdToken,
          },
          undefined,
          { DPoP },
        );
        const claims = tokens.claims();
        let sub = claims?.sub;
        if (config.serverMetadata().userinfo_endpoint) {
          const info = await client.fetchUserInfo(config, tokens.access_token, sub ?? client.skipSubjectCheck, {
            DPoP,
          });
          sub ??= info.sub;
        }
        if (!sub) throw new LoginError('Sign-in failed', 'The provider did not say who signed in.');
        return remember(toGrant(tokens, sub), pending.dpopKeys);
      } catch (err) {
        throw toLoginError(err);
      }
    },

    async refresh(grant) {
      if (!grant.refreshToken) throw new LoginError('Session ended', 'There is no refresh token.', 401);
      const keys = keysFor(grant);
      try {
        const tokens = await client.refreshTokenGrant(config, grant.refreshToken, undefined, {
          DPoP: s.dpopHandle(config, keys),
        });
        const sub = tokens.claims()?.sub;
        if (sub !== undefined && sub !== grant.sub)
          throw new LoginError('Session ended', 'The refreshed ID token is about someone else.', 401);
        return remember(toGrant(tokens, grant.sub, grant), keys);
      } catch (err) {
        throw toLoginError(err, 'Session ended');
      }
    },

    async callApi(grant, path): Promise<ApiResponse> {
      const base = env.apiBaseUrl.endsWith('/') ? env.apiBaseUrl : `${env.apiBaseUrl}/`;
      const url = new URL(path.replace(/^\/+/, ''), base);
      let res: Response;
      try {
        res = await s.callApi(config, grant.accessToken, url, s.dpopHandle(config, keysFor(grant)));
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

    async revoke(grant) {
      if (!config.serverMetadata().revocation_endpoint) return;
      if (grant.refreshToken)
        await client.tokenRevocation(config, grant.refreshToken, { token_type_hint: 'refresh_token' });
      await client.tokenRevocation(config, grant.accessToken, { token_type_hint: 'access_token' });
      keysOf.delete(grant.accessToken);
      if (grant.refreshToken) keysOf.delete(grant.refreshToken);
    },
  };
}
