/**
 * openid-client v6 in its documented set-up: the README's "Authorization Code Flow" with the OpenID
 * Connect variant it links (examples/oidc.ts): discovery with a client secret (client_secret_post, the
 * library's default for a string secret), PKCE S256 on every login, and `nonce` only when the provider
 * does not advertise S256. No `enableNonRepudiationChecks`, no extra state. The app around it is
 * ../_express/app.mjs.
 */
import * as client from 'openid-client';
import { createApp, listen, readConfig } from '../_express/app.mjs';

const NAME = 'real-openid-client';
const config = readConfig();
const server = new URL(config.issuer);

// The README's "Quick start": discovery(server, clientId, clientSecret). Plain http is refused unless
// allowed; the mock provider is plain http on loopback, so this run opts in as the README documents.
const oidc = await client.discovery(server, config.clientId, config.clientSecret, undefined, {
  execute: server.protocol === 'http:' ? [client.allowInsecureRequests] : [],
});

/** @param {client.TokenEndpointResponse & client.TokenEndpointResponseHelpers} tokens */
const toTokens = (tokens) => ({
  accessToken: tokens.access_token,
  refreshToken: tokens.refresh_token,
  expiresAt: tokens.expiresIn() !== undefined ? Date.now() + tokens.expiresIn() * 1000 : undefined,
});

const app = createApp({
  name: NAME,
  config,
  async login(req) {
    // examples/oidc.ts: "The following MUST be generated for every redirect to the authorization_endpoint."
    const code_verifier = client.randomPKCECodeVerifier();
    const code_challenge = await client.calculatePKCECodeChallenge(code_verifier);
    const parameters = {
      redirect_uri: config.redirectUri,
      scope: config.scopes.join(' '),
      code_challenge,
      code_challenge_method: 'S256',
    };
    let nonce;
    // "We cannot be sure the AS supports PKCE so we're going to use nonce too."
    if (oidc.serverMetadata().code_challenge_methods_supported?.includes('S256') !== true) {
      nonce = client.randomNonce();
      parameters.nonce = nonce;
    }
    req.session.code_verifier = code_verifier;
    req.session.nonce = nonce;
    return client.buildAuthorizationUrl(oidc, parameters);
  },
  async callback(req, _res, currentUrl) {
    const tokens = await client.authorizationCodeGrant(oidc, currentUrl, {
      pkceCodeVerifier: req.session.code_verifier,
      expectedNonce: req.session.nonce,
      idTokenExpected: true,
    });
    const { sub } = tokens.claims();
    // examples/oidc.ts, "UserInfo Request": the library compares the userinfo sub with the ID token's.
    await client.fetchUserInfo(oidc, tokens.access_token, sub);
    return toTokens(tokens);
  },
  async refresh(refreshToken) {
    // API reference, refreshTokenGrant(config, refreshToken): the documented refresh.
    return toTokens(await client.refreshTokenGrant(oidc, refreshToken));
  },
  async callApi(accessToken, url) {
    // README, "Quick start": fetchProtectedResource(config, accessToken, url, 'GET').
    try {
      return (await client.fetchProtectedResource(oidc, accessToken, url, 'GET')).status;
    } catch (err) {
      if (err instanceof client.WWWAuthenticateChallengeError) return err.status;
      throw err;
    }
  },
});
listen(app, NAME, config.port);
