/**
 * passport-oauth2 1.8.0 as its README sets it up ("Configure Strategy", "Authenticate Requests"), in an
 * express app with sessions as Passport's session tutorial shows
 * (https://www.passportjs.org/concepts/authentication/sessions/) and sign-out as passport 0.6+
 * documents (`req.logout(callback)`). The only option beyond the README's is `scope` (a documented
 * strategy option: the lexoffice API needs its scopes). The verify callback keeps the access token as
 * the user, because there is no user database here and the app calls the API with it.
 *
 * STRATEGY_OPTIONS (JSON, optional) adds strategy options: the `pkce` variant sets
 * `{"state": true, "pkce": true}`.
 */
import { randomBytes } from 'node:crypto';
import express from 'express';
import session from 'express-session';
import passport from 'passport';
import OAuth2Strategy from 'passport-oauth2';

const env = process.env;
const NAME = env.APP_NAME ?? 'real-passport-oauth2';
const extra = env.STRATEGY_OPTIONS ? JSON.parse(env.STRATEGY_OPTIONS) : {};

passport.use(
  new OAuth2Strategy(
    {
      authorizationURL: env.OAUTH_AUTHORIZATION_ENDPOINT,
      tokenURL: env.OAUTH_TOKEN_ENDPOINT,
      clientID: env.OAUTH_CLIENT_ID,
      clientSecret: env.OAUTH_CLIENT_SECRET,
      callbackURL: env.OAUTH_REDIRECT_URI,
      scope: env.OAUTH_SCOPES.split(' '),
      ...extra,
    },
    function (accessToken, refreshToken, profile, cb) {
      return cb(null, { accessToken });
    },
  ),
);

// Passport's session tutorial: what the session keeps of the user, and how it is read back.
passport.serializeUser(function (user, cb) {
  process.nextTick(function () {
    cb(null, user);
  });
});
passport.deserializeUser(function (user, cb) {
  process.nextTick(function () {
    return cb(null, user);
  });
});

const app = express();
app.use(
  session({
    secret: env.SESSION_SECRET ?? randomBytes(32).toString('hex'),
    resave: false,
    saveUninitialized: false,
  }),
);
app.use(passport.authenticate('session'));

app.get('/health', (_req, res) => res.send('ok'));
app.get('/', (req, res) => res.send(req.user ? '<p>Signed in</p>' : '<a href="/login">Sign in</a>'));
app.get('/login', (_req, res) => res.send('<a href="/auth/example">Sign in with lexoffice</a>'));

app.get('/auth/example', passport.authenticate('oauth2'));

app.get('/auth/example/callback', passport.authenticate('oauth2', { failureRedirect: '/login' }), function (req, res) {
  // Successful authentication, redirect home.
  res.redirect('/');
});

app.get('/me', async (req, res) => {
  if (!req.user) return res.status(401).send('Not signed in');
  const base = env.LEXOFFICE_API_BASE_URL.endsWith('/') ? env.LEXOFFICE_API_BASE_URL : `${env.LEXOFFICE_API_BASE_URL}/`;
  const api = await fetch(new URL('v1/profile', base), {
    headers: { authorization: `Bearer ${req.user.accessToken}` },
  });
  if (api.status !== 200) return res.status(401).send('Not signed in');
  res.send('<p>Signed in</p>');
});

app.get('/logout', function (req, res, next) {
  req.logout(function (err) {
    if (err) {
      return next(err);
    }
    res.redirect('/');
  });
});

const server = app.listen(Number(env.PORT), '127.0.0.1', () => {
  process.stdout.write(`[${NAME}] listening on http://127.0.0.1:${env.PORT}\n`);
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
