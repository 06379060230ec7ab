/**
 * oauth4webapi v3, the README's "Authorization Code Flow (OpenID Connect)" (examples/oidc.ts): discovery,
 * `ClientSecretPost`, PKCE S256 on every login, `nonce` only when the provider does not advertise S256,
 * `validateAuthResponse` without an expected state, `processAuthorizationCodeResponse` with
 * `requireIdToken`, and the UserInfo request with the ID token's `sub`. Refresh as examples/refresh_token.ts.
 * The examples' `console.log` lines are left out. The app around it is ../_express/app.mjs.
 */
import * as oauth from 'oauth4webapi';
import { createApp, listen, readConfig } from '../_express/app.mjs';

const NAME = 'real-oauth4webapi';
const config = readConfig();
const issuer = new URL(config.issuer);
// The mock provider is plain http on loopback; oauth4webapi refuses http unless told (documented option).
const insecure = issuer.protocol === 'http:' ? { [oauth.allowInsecureRequests]: true } : {};

const as = await oauth
  .discoveryRequest(issuer, { algorithm: 'oidc', ...insecure })
  .then((response) => oauth.processDiscoveryResponse(issuer, response));

const client = { client_id: config.clientId };
const clientAuth = oauth.ClientSecretPost(config.clientSecret);

const toTokens = (result) => ({
  accessToken: result.access_token,
  refreshToken: result.refresh_token,
  expiresAt: result.expires_in !== undefined ? Date.now() + result.expires_in * 1000 : undefined,
});

const app = createApp({
  name: NAME,
  config,
  async login(req) {
    const code_verifier = oauth.generateRandomCodeVerifier();
    const code_challenge = await oauth.calculatePKCECodeChallenge(code_verifier);
    let nonce;
    const authorizationUrl = new URL(as.authorization_endpoint);
    authorizationUrl.searchParams.set('client_id', client.client_id);
    authorizationUrl.searchParams.set('redirect_uri', config.redirectUri);
    authorizationUrl.searchParams.set('response_type', 'code');
    authorizationUrl.searchParams.set('scope', config.scopes.join(' '));
    authorizationUrl.searchParams.set('code_challenge', code_challenge);
    authorizationUrl.searchParams.set('code_challenge_method', 'S256');
    // "We cannot be sure the AS supports PKCE so we're going to use nonce too."
    if (as.code_challenge_methods_supported?.includes('S256') !== true) {
      nonce = oauth.generateRandomNonce();
      authorizationUrl.searchParams.set('nonce', nonce);
    }
    // "You must store the code_verifier and nonce in the end-user session."
    req.session.code_verifier = code_verifier;
    req.session.nonce = nonce;
    return authorizationUrl;
  },
  async callback(req, _res, currentUrl) {
    const params = oauth.validateAuthResponse(as, client, currentUrl);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      clientAuth,
      params,
      config.redirectUri,
      req.session.code_verifier,
      insecure,
    );
    const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: req.session.nonce,
      requireIdToken: true,
    });
    const { sub } = oauth.getValidatedIdTokenClaims(result);
    const info = await oauth.userInfoRequest(as, client, result.access_token, insecure);
    await oauth.processUserInfoResponse(as, client, sub, info);
    return toTokens(result);
  },
  async refresh(refreshToken) {
    const response = await oauth.refreshTokenGrantRequest(as, client, clientAuth, refreshToken, insecure);
    return toTokens(await oauth.processRefreshTokenResponse(as, client, response));
  },
  async callApi(accessToken, url) {
    try {
      return (await oauth.protectedResourceRequest(accessToken, 'GET', url, undefined, undefined, insecure)).status;
    } catch (err) {
      // A 401 with a WWW-Authenticate challenge is thrown, not returned.
      if (err instanceof oauth.WWWAuthenticateChallengeError) return err.status;
      throw err;
    }
  },
});
listen(app, NAME, config.port);
