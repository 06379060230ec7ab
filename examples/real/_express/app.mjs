/**
 * The express shell of the corpus entries whose library brings no session handling of its own
 * (openid-client, oauth4webapi, arctic). The protocol is the entry's; this file only does what every
 * express application around such a library does, in the form the express and express-session
 * documentation shows:
 *
 * - sessions: `express-session` configured as Passport's session tutorial does
 *   (https://www.passportjs.org/concepts/authentication/sessions/): `resave: false`,
 *   `saveUninitialized: false`, the library's default cookie (HttpOnly, no SameSite, no Secure);
 * - sign-in and sign-out: express-session's README, "User login" example
 *   (https://github.com/expressjs/session#user-login): `regenerate` then `save` on sign-in, clear the
 *   user then `save` and `regenerate` on sign-out. No token revocation: none of the entries' guides
 *   shows one at sign-out.
 *
 * Routes: `/health`, `/`, `/login`, the redirect URI's path, `/me` (calls the lexoffice API with the
 * session's access token, refreshing it when it has expired or the API refuses it, and answers
 * "Signed in" on 200), `/logout`.
 */
import { randomBytes } from 'node:crypto';
import express from 'express';
import session from 'express-session';

/**
 * The manifest's environment. Throws naming the first missing variable.
 * @returns {{ issuer?: string, clientId: string, clientSecret?: string, redirectUri: string,
 *   scopes: string[], apiBaseUrl: string, port: number, authorizationEndpoint?: string,
 *   tokenEndpoint?: string }}
 */
export function readConfig(env = process.env) {
  const need = (name) => {
    const v = env[name];
    if (!v) throw new Error(`invalid environment: ${name} is required`);
    return v;
  };
  return {
    issuer: env.OAUTH_ISSUER,
    clientId: need('OAUTH_CLIENT_ID'),
    clientSecret: env.OAUTH_CLIENT_SECRET,
    redirectUri: need('OAUTH_REDIRECT_URI'),
    scopes: need('OAUTH_SCOPES').split(/\s+/).filter(Boolean),
    apiBaseUrl: need('LEXOFFICE_API_BASE_URL'),
    port: Number(need('PORT')),
    authorizationEndpoint: env.OAUTH_AUTHORIZATION_ENDPOINT,
    tokenEndpoint: env.OAUTH_TOKEN_ENDPOINT,
  };
}

/**
 * Creates the express app around an integration.
 *
 * `login(req, res)` returns the authorization URL (the integration keeps what the callback needs in
 * `req.session` or in cookies, as its guide shows); `callback(req, res, currentUrl)` returns the tokens
 * `{ accessToken, refreshToken?, expiresAt? }` or throws; `refresh(refreshToken)` (optional) returns
 * new tokens; `callApi(accessToken, url)` (optional) calls the API the library's way, else a `fetch`
 * with `Authorization: Bearer` as lexoffice documents.
 */
export function createApp({ name, config, login, callback, refresh, callApi }) {
  const app = express();
  const callbackPath = new URL(config.redirectUri).pathname;
  app.use(
    session({
      secret: process.env.SESSION_SECRET ?? randomBytes(32).toString('hex'),
      resave: false,
      saveUninitialized: false,
    }),
  );

  app.get('/health', (_req, res) => res.send('ok'));
  app.get('/', (req, res) => {
    res.send(req.session.tokens ? '<p>Signed in. <a href="/me">Account</a></p>' : '<a href="/login">Sign in</a>');
  });

  app.get('/login', async (req, res) => {
    const url = await login(req, res);
    res.redirect(url.href);
  });

  app.get(callbackPath, async (req, res, next) => {
    const currentUrl = new URL(req.originalUrl, config.redirectUri);
    const tokens = await callback(req, res, currentUrl);
    // express-session README, "User login": regenerate the session to guard against session fixation.
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.tokens = tokens;
      req.session.save((err2) => (err2 ? next(err2) : res.redirect('/')));
    });
  });

  app.get('/me', async (req, res) => {
    if (!req.session.tokens) return res.status(401).send('Not signed in');
    const url = new URL('v1/profile', config.apiBaseUrl.endsWith('/') ? config.apiBaseUrl : `${config.apiBaseUrl}/`);
    const call = (accessToken) =>
      callApi
        ? callApi(accessToken, url)
        : fetch(url, { headers: { authorization: `Bearer ${accessToken}` } }).then((r) => r.status);
    const renew = async () => {
      const old = req.session.tokens;
      const fresh = await refresh(old.refreshToken);
      req.session.tokens = { ...fresh, refreshToken: fresh.refreshToken ?? old.refreshToken };
    };
    const canRefresh = () => Boolean(refresh && req.session.tokens.refreshToken);
    // Refresh when the token has expired by its expires_in, or when the API refuses it (a clock skew
    // between this app and the provider makes either come first).
    const expiresAt = req.session.tokens.expiresAt;
    if (canRefresh() && expiresAt !== undefined && expiresAt <= Date.now()) await renew();
    let status = await call(req.session.tokens.accessToken);
    if (status === 401 && canRefresh()) {
      await renew();
      status = await call(req.session.tokens.accessToken);
    }
    if (status !== 200) return res.status(401).send('Not signed in');
    res.send('<p>Signed in</p>');
  });

  app.get('/logout', (req, res, next) => {
    // express-session README, "User login": clear the user, save, then regenerate.
    req.session.tokens = null;
    req.session.save((err) => {
      if (err) return next(err);
      req.session.regenerate((err2) => (err2 ? next(err2) : res.redirect('/')));
    });
  });

  // Express 5 passes rejected promises of async handlers here. The name of the error only: a message
  // could carry a response body.
  app.use((err, _req, res, _next) => {
    process.stderr.write(`[${name}] request failed: ${err?.name ?? 'Error'}\n`);
    res.status(400).send('Sign-in failed');
  });
  return app;
}

/** Listens on loopback and stops on SIGTERM/SIGINT. */
export function listen(app, name, port) {
  const server = app.listen(port, '127.0.0.1', () => {
    process.stdout.write(`[${name}] listening on http://127.0.0.1:${port}\n`);
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
