/**
 * The web half of the lab base: the shared example shell (examples/shared/web-app.ts) with its
 * decisions cut into named steps. Every default is the reference behaviour; a lab replaces one.
 *
 * Routes: `/health`, `/`, `/login`, the redirect URI's path (callback), `/me`, `/logout`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { escapeHtml, page } from '../../shared/html.js';
import { readCookies, SECURITY_HEADERS, sessionCookie, type CookieOptions } from '../../shared/http.js';
import { LoginError, type Grant, type LoginFlow } from '../../shared/login-flow.js';
import { returnToFrom } from '../../shared/return-to.js';
import { SessionStore, type Session } from '../../shared/sessions.js';
import type { PendingLogin } from './flow.js';

/** A login waiting for its callback. */
export interface Pending {
  flow: PendingLogin;
  returnTo?: string;
}

/** What a session holds. */
export interface SessionData {
  pending?: Pending;
  grant?: Grant;
}

/** What {@link ShellSteps.afterSignIn} gets. */
export interface AfterSignIn {
  callbackUrl: URL;
  returnTo: string;
  /** The Set-Cookie value of the signed-in session. */
  cookie: string;
  grant: Grant;
  reply(status: number, body: string, headers?: Record<string, string | string[]>): void;
}

/** The web decisions a lab may replace. */
export interface ShellSteps {
  /** Headers sent with every response. */
  headers(): Record<string, string>;
  /** The Set-Cookie value of the session cookie. */
  cookie(name: string, value: string, opts: CookieOptions): string;
  /** The page to return to after sign-in, from the login URL's query. */
  returnTo(query: URLSearchParams): string | undefined;
  /** Called when a login starts, with what the session now holds for it. */
  loginStarted(pending: Pending): void;
  /** The login a callback completes: by default the one pending in this browser's session. */
  pendingFor(session: Session<SessionData> | undefined, callbackUrl: URL): Pending | undefined;
  /** Whether the pending login is spent by its first callback (RFC 9700 §4.7). */
  spendPending(session: Session<SessionData>): void;
  /** A grant this callback URL already produced, if the client keeps such a cache. */
  cachedGrant(callbackUrl: URL): Grant | undefined;
  /** Remembers the grant a callback URL produced. */
  rememberGrant(callbackUrl: URL, grant: Grant): void;
  /** Whether a new session id is issued at sign-in (CWE-384). */
  newSessionAtSignIn: boolean;
  /** Ends the server-side session at sign-out; `destroy` deletes it from the store (OWASP session management). */
  endSession(destroy: () => void): void;
  /** Answers the browser after a successful sign-in (`reply` writes a response with the lab's headers). */
  afterSignIn(ctx: AfterSignIn): void;
  /** The page shown when a sign-in is refused. */
  errorHtml(title: string, detail: string): string;
  /** The page shown to a signed-in person (`/me`). */
  accountHtml(grant: Grant, api: { status: number; body: unknown }): string;
  /** The home page. */
  homeHtml(signedIn: boolean): string;
  /** What is logged for a request (never codes or tokens). */
  logLine(req: IncomingMessage): string;
  /** The answer to an unexpected failure. */
  crashPage(err: unknown): { status: number; html: string };
}

/** Writes a response with the step's headers. */
export function send(
  steps: Pick<ShellSteps, 'headers'>,
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string | string[]> = {},
): void {
  res.writeHead(status, { ...steps.headers(), 'content-type': 'text/html; charset=utf-8', ...headers });
  res.end(body);
}

/** The reference shell's steps. */
export const CORRECT_SHELL: ShellSteps = {
  headers: () => ({ ...SECURITY_HEADERS }),
  cookie: (name, value, opts) => sessionCookie(name, value, opts),
  returnTo: (query) => returnToFrom(query),
  loginStarted: () => undefined,
  pendingFor: (session) => session?.data.pending,
  spendPending: (session) => {
    session.data.pending = undefined;
  },
  cachedGrant: () => undefined,
  rememberGrant: () => undefined,
  newSessionAtSignIn: true,
  endSession: (destroy) => destroy(),
  afterSignIn(ctx) {
    // Redirecting drops the code and state from the address bar (RFC 9700 §4.2.4).
    ctx.reply(303, '', { location: ctx.returnTo, 'set-cookie': ctx.cookie });
  },
  errorHtml: (title, detail) => page(title, `<p>${escapeHtml(detail)}</p>\n<p><a href="/login">Try again</a></p>`),
  accountHtml: (grant, api) =>
    [
      `<p>You are logged in as <code>${escapeHtml(grant.sub)}</code>.</p>`,
      `<p>lexoffice profile: status ${api.status}.</p>`,
      '<p><a href="/">Home</a> · <a href="/logout">Sign out</a></p>',
    ].join('\n'),
  homeHtml: (signedIn) =>
    signedIn
      ? '<p>You are logged in.</p>\n<p><a href="/me">Your account</a></p>'
      : '<p><a href="/login">Sign in with lexoffice</a></p>',
  logLine: (req) => `${req.method} ${(req.url ?? '').split('?')[0]}`,
  crashPage: () => ({ status: 500, html: page('Something went wrong', '<p>The request could not be completed.</p>') }),
};

/** Options of {@link createLabApp}. */
export interface LabAppOptions {
  name: string;
  flow: LoginFlow<PendingLogin>;
  redirectUri: string;
  steps?: Partial<ShellSteps>;
  log?: (line: string) => void;
}

/** Creates the lab's server (not yet listening). */
export function createLabApp(opts: LabAppOptions): Server {
  const steps: ShellSteps = { ...CORRECT_SHELL, ...opts.steps };
  const log = opts.log ?? ((line: string) => process.stdout.write(`[${opts.name}] ${line}\n`));
  const redirectUri = new URL(opts.redirectUri);
  const secure = redirectUri.protocol === 'https:';
  const cookieName = 'sid';
  const store = new SessionStore<SessionData>({ init: () => ({}) });
  const current = (req: IncomingMessage): Session<SessionData> | undefined =>
    store.get(readCookies(req).get(cookieName));
  const cookieFor = (s: Session<SessionData>): string => steps.cookie(cookieName, s.id, { secure });

  const replier =
    (res: ServerResponse) =>
    (status: number, body: string, headers: Record<string, string | string[]> = {}): void =>
      send(steps, res, status, body, headers);

  async function callback(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const s = current(req);
    const cached = steps.cachedGrant(url);
    if (cached) {
      const signedIn = store.create({ grant: cached });
      steps.afterSignIn({
        callbackUrl: url,
        returnTo: '/',
        cookie: cookieFor(signedIn),
        grant: cached,
        reply: replier(res),
      });
      return;
    }
    const pending = steps.pendingFor(s, url);
    if (s) steps.spendPending(s);
    if (!pending) {
      const error = url.searchParams.get('error');
      if (error !== null) throw new LoginError('Sign-in was not completed', `The provider answered: ${error}`);
      throw new LoginError('Sign-in failed', 'No sign-in was started in this browser, or it has expired.');
    }
    const grant = await opts.flow.complete(url, pending.flow);
    steps.rememberGrant(url, grant);
    let signedIn: Session<SessionData>;
    if (steps.newSessionAtSignIn || !s) signedIn = store.regenerate(s, { grant });
    else {
      s.data.grant = grant;
      signedIn = s;
    }
    log(`sign-in completed for subject ${grant.sub}`);
    steps.afterSignIn({
      callbackUrl: url,
      returnTo: pending.returnTo ?? '/',
      cookie: cookieFor(signedIn),
      grant,
      reply: replier(res),
    });
  }

  async function me(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const s = current(req);
    let grant = s?.data.grant;
    if (!s || !grant) {
      send(steps, res, 401, page('Sign-in required', '<p>You are not logged in.</p>'));
      return;
    }
    try {
      if (grant.expiresAt !== undefined && Date.now() >= grant.expiresAt - 1_000) {
        grant = await opts.flow.refresh(grant);
        s.data.grant = grant;
      }
      const api = await opts.flow.callApi(grant, '/v1/profile');
      if (api.status !== 200) throw new LoginError('Session ended', `The lexoffice API answered ${api.status}.`, 401);
      send(steps, res, 200, page('Signed in', steps.accountHtml(grant, api)));
    } catch {
      s.data.grant = undefined;
      send(steps, res, 401, page('Session ended', '<p>Your sign-in has expired. Please sign in again.</p>'));
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', redirectUri.origin);
    log(steps.logLine(req));
    switch (url.pathname) {
      case '/health':
        send(steps, res, 200, 'ok\n', { 'content-type': 'text/plain; charset=utf-8' });
        return;
      case '/': {
        send(steps, res, 200, page(opts.name, steps.homeHtml(Boolean(current(req)?.data.grant))));
        return;
      }
      case '/login': {
        const s = current(req) ?? store.create();
        const { url: authorizationUrl, pending } = await opts.flow.begin();
        s.data.pending = { flow: pending, returnTo: steps.returnTo(url.searchParams) };
        steps.loginStarted(s.data.pending);
        send(steps, res, 303, '', { location: authorizationUrl.href, 'set-cookie': cookieFor(s) });
        return;
      }
      case redirectUri.pathname:
        return callback(req, res, url);
      case '/me':
        return me(req, res);
      case '/logout': {
        const s = current(req);
        const grant = s?.data.grant;
        steps.endSession(() => store.destroy(s));
        if (grant) await opts.flow.revoke(grant).catch(() => undefined);
        send(steps, res, 200, page('Signed out', '<p>You have been signed out.</p>'), {
          'set-cookie': steps.cookie(cookieName, '', { secure, maxAge: 0 }),
        });
        return;
      }
      default:
        send(steps, res, 404, page('Not found', ''));
    }
  }

  return createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.end();
        return;
      }
      if (err instanceof LoginError) {
        send(steps, res, err.status, page(err.title, steps.errorHtml(err.title, err.detail)));
        return;
      }
      log(`unexpected failure on ${(req.url ?? '').split('?')[0]}`);
      const crash = steps.crashPage(err);
      send(steps, res, crash.status, crash.html);
    });
  });
}
