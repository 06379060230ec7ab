/**
 * Auth.js for Express (`@auth/express` 0.12.3, `@auth/core` 0.41.3) with a generic OpenID Connect
 * provider as Auth.js documents it:
 * - mounting: the @auth/express "Usage" section (`app.set('trust proxy', true)`, `ExpressAuth` on the
 *   auth routes, `AUTH_SECRET`), https://authjs.dev/getting-started/installation?framework=express;
 * - the provider: "Using a custom provider", an object with `type: "oidc"`, `issuer`, `clientId`,
 *   `clientSecret` (https://authjs.dev/guides/configuring-oauth-providers#using-a-custom-provider),
 *   plus `authorization.params.scope` (documented there) for the lexoffice API's scopes;
 * - the access token for the API: the "Integrating third-party backends" guide, a `jwt` callback that
 *   keeps `account.access_token` in the session token (https://authjs.dev/guides/integrating-third-party-backends),
 *   read server-side with `getToken` (https://authjs.dev/reference/core/jwt#gettoken).
 * Auth.js's defaults stay as they are: checks `["pkce"]`, `client_secret_basic`, JWT sessions.
 *
 * Sign-in is a form POST with the CSRF token ("Make sure to include the csrfToken in the request body").
 * The harness's HTTP agent follows links and redirects but posts no forms, so GET /login makes that
 * POST to this app's own /auth/signin/lexoffice on the person's behalf and hands the answer (its
 * cookies and its redirect to the provider) to the browser; Auth.js handles it as a browser's post.
 */
import express from 'express';
import { ExpressAuth, getSession } from '@auth/express';
import { getToken } from '@auth/core/jwt';

const env = process.env;
const NAME = 'real-authjs-express';
const origin = `http://127.0.0.1:${env.PORT}`;

const authConfig = {
  secret: env.AUTH_SECRET,
  trustHost: true,
  providers: [
    {
      id: 'lexoffice',
      name: 'lexoffice',
      type: 'oidc',
      issuer: env.OAUTH_ISSUER,
      clientId: env.OAUTH_CLIENT_ID,
      clientSecret: env.OAUTH_CLIENT_SECRET,
      authorization: { params: { scope: env.OAUTH_SCOPES } },
    },
  ],
  callbacks: {
    // "Integrating third-party backends": persist the access token in the (encrypted) session token.
    jwt({ token, account }) {
      if (account) token.accessToken = account.access_token;
      return token;
    },
  },
};

const app = express();
// @auth/express "Usage": trust the proxy so the protocol is detected.
app.set('trust proxy', true);
// "/auth/*" in the Usage section is Express 4 syntax; Express 5 spells the same route as a regular
// expression, whose first group is the `req.params[0]` @auth/express reads its base path from.
app.use(/^\/auth\/(.*)$/, ExpressAuth(authConfig));

app.get('/health', (_req, res) => res.send('ok'));
app.get('/', async (req, res) => {
  const session = await getSession(req, authConfig);
  res.send(session?.user ? '<p>Signed in</p>' : '<a href="/login">Sign in</a>');
});

/** Collects the Set-Cookie headers of an answer as `name=value` pairs for the next request. */
const cookiePairs = (response) => response.headers.getSetCookie().map((c) => c.split(';')[0]);

app.get('/login', async (req, res) => {
  const csrf = await fetch(`${origin}/auth/csrf`, { headers: { cookie: req.headers.cookie ?? '' } });
  const { csrfToken } = await csrf.json();
  const cookies = [req.headers.cookie, ...cookiePairs(csrf)].filter(Boolean).join('; ');
  const signin = await fetch(`${origin}/auth/signin/lexoffice`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies },
    body: new URLSearchParams({ csrfToken, callbackUrl: '/' }),
  });
  res.append('set-cookie', [...csrf.headers.getSetCookie(), ...signin.headers.getSetCookie()]);
  res.redirect(signin.headers.get('location'));
});

app.get('/me', async (req, res) => {
  const token = await getToken({ req, secret: env.AUTH_SECRET, secureCookie: false });
  if (!token?.accessToken) return res.status(401).send('Not signed in');
  const base = env.LEXOFFICE_API_BASE_URL.endsWith('/') ? env.LEXOFFICE_API_BASE_URL : `${env.LEXOFFICE_API_BASE_URL}/`;
  const api = await fetch(new URL('v1/profile', base), { headers: { authorization: `Bearer ${token.accessToken}` } });
  if (api.status !== 200) return res.status(401).send('Not signed in');
  res.send('<p>Signed in</p>');
});

// Sign-out is a form POST too (/auth/signout with the CSRF token); GET /logout makes it the same way.
app.get('/logout', async (req, res) => {
  const csrf = await fetch(`${origin}/auth/csrf`, { headers: { cookie: req.headers.cookie ?? '' } });
  const { csrfToken } = await csrf.json();
  const cookies = [req.headers.cookie, ...cookiePairs(csrf)].filter(Boolean).join('; ');
  const signout = await fetch(`${origin}/auth/signout`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies },
    body: new URLSearchParams({ csrfToken, callbackUrl: '/' }),
  });
  res.append('set-cookie', [...csrf.headers.getSetCookie(), ...signout.headers.getSetCookie()]);
  res.redirect(signout.headers.get('location') ?? '/');
});

const server = app.listen(Number(env.PORT), '127.0.0.1', () => {
  process.stdout.write(`[${NAME}] listening on ${origin}\n`);
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
