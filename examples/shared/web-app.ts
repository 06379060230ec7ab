/**
 * The web-app shell both server-side examples share: routes, cookies, sessions, pages, refresh and
 * logout. The OAuth 2.0 / OpenID Connect protocol itself is a {@link LoginFlow} passed in.
 *
 * Routes: `/health`, `/`, `/login`, the redirect URI's path (callback), `/me`, `/logout`, and when
 * configured the post-logout redirect URI's path (GET) and the back-channel logout URI's path (POST).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { escapeHtml, page, redactTokenLike } from './html.js';
import { readCookies, redirect, send, sessionCookie } from './http.js';
import { LoginError, type Grant, type LoginFlow } from './login-flow.js';
import { returnToFrom } from './return-to.js';
import { SessionStore, type Session } from './sessions.js';

/** A login waiting for its callback. */
interface Pending<P> {
  flow: P;
  returnTo?: string;
  startedAt: number;
}

interface SessionData<P> {
  pending?: Pending<P>;
  grant?: Grant;
  /** The refresh in flight, so concurrent requests never spend the same refresh token twice. */
  refreshing?: Promise<Grant>;
}

export interface WebAppOptions<P> {
  /** Shown in page titles and log lines. */
  name: string;
  flow: LoginFlow<P>;
  /** The registered redirect URI; its path is the callback route, its scheme decides `Secure`. */
  redirectUri: string;
  /** Log sink (default stdout). Lines never contain codes, tokens or secrets. */
  log?: (line: string) => void;
  /** How long a started login waits for its callback (default 10 minutes). */
  loginTimeoutMs?: number;
  /** Refresh this long before the access token expires (default 5 s), to absorb clock skew. */
  refreshSkewMs?: number;
  clock?: () => number;
  /** The registered post-logout redirect URI: sign-out continues at the provider (RP-initiated logout). */
  postLogoutRedirectUri?: string;
  /** The registered back-channel logout URI: its path accepts logout tokens (needs `flow.verifyLogoutToken`). */
  backchannelLogoutUri?: string;
}

/** Reads a small form body (a logout token is far below the limit). */
function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > limit) reject(new LoginError('Request too large', 'The request body is too large.', 413));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** Creates the server (not yet listening). */
export function createWebApp<P>(opts: WebAppOptions<P>): Server {
  const log = opts.log ?? ((line: string) => process.stdout.write(`[${opts.name}] ${line}\n`));
  const clock = opts.clock ?? Date.now;
  const loginTimeoutMs = opts.loginTimeoutMs ?? 10 * 60_000;
  const skew = opts.refreshSkewMs ?? 5_000;
  const redirect_ = new URL(opts.redirectUri);
  const secure = redirect_.protocol === 'https:';
  // A `__Host-` cookie must be Secure; on loopback http a plain name is the only one a browser keeps.
  const cookieName = secure ? '__Host-sid' : 'sid';
  const store = new SessionStore<SessionData<P>>({ init: () => ({}), clock });
  const postLogoutPath = opts.postLogoutRedirectUri ? new URL(opts.postLogoutRedirectUri).pathname : undefined;
  const backchannelPath = opts.backchannelLogoutUri ? new URL(opts.backchannelLogoutUri).pathname : undefined;
  /** `state` values of RP-initiated logouts in flight (the session is gone by then), checked on return. */
  const logoutStates = new Set<string>();

  const current = (req: IncomingMessage): Session<SessionData<P>> | undefined =>
    store.get(readCookies(req).get(cookieName));
  const cookieFor = (s: Session<SessionData<P>>): string => sessionCookie(cookieName, s.id, { secure });
  const clearCookie = (): string => sessionCookie(cookieName, '', { secure, maxAge: 0 });

  const errorPage = (res: ServerResponse, err: LoginError): void =>
    send(
      res,
      err.status,
      page(err.title, `<p>${escapeHtml(err.detail)}</p>\n<p><a href="/login">Try again</a> · <a href="/">Home</a></p>`),
    );

  /** Refreshes unless another request already did; the newest (rotated) refresh token is kept. */
  async function refreshed(s: Session<SessionData<P>>, used: Grant): Promise<Grant> {
    if (s.data.refreshing) return s.data.refreshing;
    if (s.data.grant && s.data.grant !== used) return s.data.grant;
    const p = opts.flow.refresh(used).then((g) => {
      s.data.grant = g;
      return g;
    });
    s.data.refreshing = p;
    try {
      return await p;
    } finally {
      s.data.refreshing = undefined;
    }
  }

  async function login(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const s = current(req) ?? store.create();
    const { url: authorizationUrl, pending } = await opts.flow.begin(url.searchParams);
    // One login in flight per session: a newer login replaces an older, unfinished one.
    s.data.pending = { flow: pending, returnTo: returnToFrom(url.searchParams), startedAt: clock() };
    redirect(res, authorizationUrl.href, { 'set-cookie': cookieFor(s) });
  }

  async function callback(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const s = current(req);
    const pending = s?.data.pending;
    // The login in flight is spent by the first callback that arrives, whatever its outcome: a state
    // value is single-use (RFC 9700 section 4.7) and a replayed callback finds nothing to complete.
    if (s) s.data.pending = undefined;
    if (!pending || clock() - pending.startedAt > loginTimeoutMs) {
      const error = url.searchParams.get('error');
      if (error !== null) {
        const description = url.searchParams.get('error_description');
        throw new LoginError(
          'Sign-in was not completed',
          `The provider answered: ${error}${description ? ` (${description})` : ''}`,
        );
      }
      throw new LoginError('Sign-in failed', 'No sign-in was started in this browser, or it has expired.');
    }
    const grant = await opts.flow.complete(url, pending.flow);
    // A new session id at sign-in (CWE-384); the pre-login id now points nowhere.
    const signedIn = store.regenerate(s, { grant });
    log(`sign-in completed for subject ${grant.sub}`);
    // Redirecting drops the code and state from the address bar and from history (RFC 9700 4.2.4).
    redirect(res, pending.returnTo ?? '/', { 'set-cookie': cookieFor(signedIn) });
  }

  async function me(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const s = current(req);
    let grant = s?.data.grant;
    if (!s || !grant) {
      send(res, 401, page('Sign-in required', '<p>You are not logged in.</p>\n<p><a href="/login">Sign in</a></p>'));
      return;
    }
    try {
      if (grant.expiresAt !== undefined && clock() >= grant.expiresAt - skew) grant = await refreshed(s, grant);
      let api = await opts.flow.callApi(grant, '/v1/profile');
      // The provider may have revoked or expired the token early: one refresh, then give up.
      if (api.status === 401) {
        grant = await refreshed(s, grant);
        api = await opts.flow.callApi(grant, '/v1/profile');
      }
      if (api.status === 401)
        throw new LoginError('Session ended', 'The lexoffice API no longer accepts this sign-in.', 401);
      send(res, 200, page('Signed in', accountHtml(grant.sub, api.status, api.body)));
    } catch (err) {
      s.data.grant = undefined;
      log(`session ended: ${describeError(err)}`);
      send(
        res,
        401,
        page(
          'Session ended',
          '<p>Your sign-in has expired. Please sign in again.</p>\n<p><a href="/login">Sign in</a></p>',
        ),
      );
    }
  }

  async function logout(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const s = current(req);
    if (s) {
      // Wait for a refresh in flight so that the newest refresh token is the one revoked.
      const grant = s.data.refreshing ? await s.data.refreshing.catch(() => s.data.grant) : s.data.grant;
      store.destroy(s);
      if (grant) {
        try {
          await opts.flow.revoke(grant);
        } catch (err) {
          log(`revocation failed: ${describeError(err)}`);
        }
      }
    }
    // RP-initiated logout (OIDC RP-Initiated Logout 2): end the provider session too, and come back
    // to the registered post-logout URI with a state this client issued.
    const grant = s?.data.grant;
    const state = randomBytes(16).toString('base64url');
    const endSession = grant && opts.postLogoutRedirectUri ? opts.flow.endSessionUrl?.(grant, state) : undefined;
    if (endSession) {
      logoutStates.add(state);
      redirect(res, endSession.href, { 'set-cookie': clearCookie() });
      return;
    }
    send(res, 200, page('Signed out', '<p>You have been signed out.</p>\n<p><a href="/">Home</a></p>'), {
      'set-cookie': clearCookie(),
    });
  }

  function signedOut(res: ServerResponse, url: URL): void {
    const state = url.searchParams.get('state');
    // A state this client did not issue is not an error to show: the person is signed out either way.
    if (state !== null && logoutStates.delete(state)) log('RP-initiated logout completed');
    send(res, 200, page('Signed out', '<p>You have been signed out.</p>\n<p><a href="/">Home</a></p>'));
  }

  /** OIDC Back-Channel Logout 2.5-2.8: validate, end the sessions named, answer 200 or 400. */
  async function backchannelLogout(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers = { 'cache-control': 'no-store', 'content-type': 'application/json' };
    const reject = (): void => {
      res.writeHead(400, headers).end(JSON.stringify({ error: 'invalid_request' }));
    };
    const verify = opts.flow.verifyLogoutToken;
    const type = (req.headers['content-type'] ?? '').toLowerCase();
    if (!verify || !type.startsWith('application/x-www-form-urlencoded')) return reject();
    const token = new URLSearchParams(await readBody(req)).get('logout_token');
    if (!token) return reject();
    let target;
    try {
      target = await verify(token);
    } catch (err) {
      log(`back-channel logout refused: ${describeError(err)}`);
      return reject();
    }
    const ended = store.destroyWhere(({ grant }) =>
      target.sid !== undefined ? grant?.sid === target.sid : grant !== undefined && grant.sub === target.sub,
    );
    log(`back-channel logout ended ${ended} session(s)`);
    res.writeHead(200, headers).end('{}');
  }

  function home(req: IncomingMessage, res: ServerResponse): void {
    const signedIn = Boolean(current(req)?.data.grant);
    const body = signedIn
      ? '<p>You are logged in with lexoffice.</p>\n<p><a href="/me">Your account</a> · <a href="/logout">Sign out</a></p>'
      : '<p><a href="/login">Sign in with lexoffice</a></p>';
    send(res, 200, page(opts.name, body));
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Resolved against the registered redirect URI's origin, so the callback URL a flow sees is the
    // one the provider redirected to (openid-client derives the token request's redirect_uri from it).
    const url = new URL(req.url ?? '/', redirect_.origin);
    if (backchannelPath !== undefined && url.pathname === backchannelPath) {
      if (req.method !== 'POST') {
        send(res, 405, page('Method not allowed', ''), { allow: 'POST' });
        return;
      }
      return backchannelLogout(req, res);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, page('Method not allowed', ''), { allow: 'GET, HEAD' });
      return;
    }
    switch (url.pathname) {
      case '/health':
        send(res, 200, 'ok\n', { 'content-type': 'text/plain; charset=utf-8' });
        return;
      case '/':
        return home(req, res);
      case '/login':
        return login(req, res, url);
      case redirect_.pathname:
        return callback(req, res, url);
      case '/me':
        return me(req, res);
      case '/logout':
        return logout(req, res);
      default:
        if (postLogoutPath !== undefined && url.pathname === postLogoutPath) return signedOut(res, url);
        send(res, 404, page('Not found', ''));
    }
  }

  return createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      // Only the path is logged: the query of a callback carries the code and state.
      log(`${req.method} ${(req.url ?? '').split('?')[0]}: ${describeError(err)}`);
      if (res.headersSent) {
        res.end();
        return;
      }
      // An unexpected failure still gets a clean page: no stack trace, no echo of the request.
      errorPage(
        res,
        err instanceof LoginError ? err : new LoginError('Sign-in failed', 'The sign-in could not be completed.'),
      );
    });
  });
}

/** A one-line, token-free description of an error for logs. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return redactTokenLike(`${err.name}${typeof code === 'string' ? ` ${code}` : ''}: ${err.message}`);
  }
  return 'unknown error';
}

function accountHtml(sub: string, status: number, body: unknown): string {
  const lines = [`<p>You are logged in as <code>${escapeHtml(sub)}</code>.</p>`];
  if (status === 200 && body && typeof body === 'object') {
    const profile = body as Record<string, unknown>;
    if (typeof profile.companyName === 'string') lines.push(`<p>Organisation: ${escapeHtml(profile.companyName)}</p>`);
    const created = profile.created as Record<string, unknown> | undefined;
    if (created && typeof created.userEmail === 'string') lines.push(`<p>E-mail: ${escapeHtml(created.userEmail)}</p>`);
  } else {
    lines.push(`<p>Your lexoffice profile is unavailable right now (status ${status}).</p>`);
  }
  lines.push('<p><a href="/">Home</a> · <a href="/logout">Sign out</a></p>');
  return lines.join('\n');
}
