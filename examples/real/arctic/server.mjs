/**
 * arctic 3.7.0, its generic OAuth 2.0 client for a provider it has no class for, as the "Generic OAuth
 * 2.0 client" guide shows (https://arcticjs.dev/guides/generic-oauth2-client): `OAuth2Client` with the
 * client id, secret (HTTP Basic) and redirect URI, `createAuthorizationURLWithPKCE` with a fresh
 * `generateState()` and `generateCodeVerifier()` and S256, `validateAuthorizationCode` with the
 * verifier, `refreshAccessToken`. State and verifier are kept in cookies and the state compared as the
 * "OAuth 2.0 with PKCE" guide shows (https://arcticjs.dev/guides/oauth2-pkce): HttpOnly, path `/`,
 * ten minutes, `secure` off on localhost. After the code is validated the app starts its own session
 * (../_express/app.mjs), as the guides leave that to the application.
 */
import * as arctic from 'arctic';
import { createApp, listen, readConfig } from '../_express/app.mjs';

const NAME = 'real-arctic';
const config = readConfig();
const client = new arctic.OAuth2Client(config.clientId, config.clientSecret, config.redirectUri);
const cookieOptions = { secure: false, path: '/', httpOnly: true, maxAge: 60 * 10 * 1000 };

const toTokens = (tokens) => ({
  accessToken: tokens.accessToken(),
  refreshToken: tokens.hasRefreshToken() ? tokens.refreshToken() : undefined,
  expiresAt: 'expires_in' in tokens.data ? tokens.accessTokenExpiresAt().getTime() : undefined,
});

class BadCallback extends Error {
  name = 'BadCallback';
}

const app = createApp({
  name: NAME,
  config,
  async login(_req, res) {
    const state = arctic.generateState();
    const codeVerifier = arctic.generateCodeVerifier();
    const url = client.createAuthorizationURLWithPKCE(
      config.authorizationEndpoint,
      state,
      arctic.CodeChallengeMethod.S256,
      codeVerifier,
      config.scopes,
    );
    res.cookie('state', state, cookieOptions);
    res.cookie('code_verifier', codeVerifier, cookieOptions);
    return url;
  },
  async callback(req) {
    const code = req.query.code ?? null;
    const state = req.query.state ?? null;
    const cookies = Object.fromEntries(
      (req.headers.cookie ?? '')
        .split(/;\s*/)
        .filter(Boolean)
        .map((c) => {
          const i = c.indexOf('=');
          return [c.slice(0, i), decodeURIComponent(c.slice(i + 1))];
        }),
    );
    const storedState = cookies.state ?? null;
    const codeVerifier = cookies.code_verifier ?? null;
    if (code === null || storedState === null || state !== storedState || codeVerifier === null) {
      throw new BadCallback('Please restart the process.');
    }
    return toTokens(await client.validateAuthorizationCode(config.tokenEndpoint, code, codeVerifier));
  },
  async refresh(refreshToken) {
    return toTokens(await client.refreshAccessToken(config.tokenEndpoint, refreshToken, []));
  },
});
listen(app, NAME, config.port);
