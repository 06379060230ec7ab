/**
 * A web target driven by the plain HTTP agent: the harness is the person's browser reduced to HTTP
 * (TARGETS.md §3, kind `web`). One agent, one cookie jar, one transcript per session.
 *
 * The client's reaction to a callback ends with the callback's own response chain (the client's
 * redirects followed), so no wait is needed to know the client is done.
 */
import { HttpAgent, HttpAgentError, type HttpRequest } from '../agents/http.js';
import type {
  AuthorizationRequest,
  AuthorizationResponse,
  CallbackResult,
  Session,
  SessionRequest,
  SessionResponse,
  TranscriptEntry,
} from '../types.js';
import { approveAuthorization, isAuthorizationEndpoint, parseAuthorizationRequest } from './authorization.js';
import { CheckRunError } from '../runner/errors.js';
import { addQuery, loginThrough, providerOrigins, signedInByResponse, type SessionContext } from './common.js';

/** Errors of a connection closed under a request (undici, Node). */
const STALE_SOCKET = /UND_ERR_SOCKET|ECONNRESET|other side closed/;

/** A web session on the HTTP agent. */
export class HttpSession implements Session {
  readonly id: string;
  readonly agent = 'http' as const;
  readonly #ctx: SessionContext;
  readonly #agent: HttpAgent;

  constructor(ctx: SessionContext) {
    this.id = ctx.id;
    this.#ctx = ctx;
    this.#agent = new HttpAgent({ extraHeaders: ctx.tagHeaders, signal: ctx.signal });
  }

  async startLogin(opts?: { loginQuery?: Record<string, string> }): Promise<AuthorizationRequest> {
    const login = this.#ctx.target.login;
    if (!login)
      throw new CheckRunError('the manifest has no `login.url`, so a login cannot be started', 'configuration');
    const res = await this.#send({ url: addQuery(login.url, opts?.loginQuery), stopAt: this.#isAuthorization });
    if (res.stoppedAt) return parseAuthorizationRequest(res.stoppedAt, (uri) => this.#ctx.idp.pushedRequest(uri));
    throw new CheckRunError(
      `the login URL did not send the person to the provider's authorization endpoint (ended at ${res.url} with status ${res.status})`,
      'target',
    );
  }

  async approve(request: AuthorizationRequest): Promise<AuthorizationResponse> {
    // Same agent: the navigation stopped at the provider continues there, as in a browser.
    return approveAuthorization({ request: (req) => this.#send(req) }, request);
  }

  async deliver(callbackUrl: string): Promise<CallbackResult> {
    const res = await this.#send({ url: callbackUrl, stopAt: this.#isAuthorization });
    return { status: res.status, finalUrl: res.stoppedAt ?? res.url, body: res.body };
  }

  async login(opts?: { loginQuery?: Record<string, string> }): ReturnType<Session['login']> {
    return loginThrough(this, opts);
  }

  async isSignedIn(): Promise<boolean> {
    const signedIn = this.#ctx.target.signedIn;
    if (!signedIn || !('url' in signedIn)) {
      throw new CheckRunError('the manifest has no `signedIn.url` for a web target', 'configuration');
    }
    const res = await this.#send({ url: signedIn.url, stopAt: this.#isAuthorization });
    return !res.stoppedAt && signedInByResponse(signedIn, res);
  }

  async refresh(): Promise<'ok' | 'failed' | 'unsupported'> {
    // The client refreshes when its access token has expired and the person uses it again (TARGETS.md §1).
    return (await this.isSignedIn()) ? 'ok' : 'failed';
  }

  async api(): Promise<'ok' | 'failed' | 'unsupported'> {
    return (await this.isSignedIn()) ? 'ok' : 'failed';
  }

  async logout(): Promise<'ok' | 'failed' | 'unsupported'> {
    const logout = this.#ctx.target.logout;
    if (!logout) return 'unsupported';
    const res = await this.#send({ url: logout.url });
    return res.status < 400 ? 'ok' : 'failed';
  }

  async request(req: SessionRequest): Promise<SessionResponse> {
    return this.#send(req);
  }

  transcript(): TranscriptEntry[] {
    return this.#agent.transcript();
  }

  async close(): Promise<void> {
    // The jar dies with the session; its connections are closed now, not when the target times them out.
    this.#agent.close();
  }

  readonly #isAuthorization = (url: URL): boolean =>
    isAuthorizationEndpoint(url.href, this.#ctx.idp.endpoints.authorization);

  async #send(req: HttpRequest): Promise<SessionResponse & { stoppedAt?: string }> {
    this.#ctx.signal.throwIfAborted();
    try {
      return await this.#agent.request(req);
    } catch (err) {
      if (!(err instanceof HttpAgentError) || err.code !== 'network') throw err;
      const method = (req.method ?? 'GET').toUpperCase();
      // A reused keep-alive connection the server closed at the same moment fails without the request
      // having been processed; browsers retry an idempotent request once then. Only the first hop is
      // retried, so no earlier hop of a redirect chain (a callback with its code) is sent twice.
      if (
        (method === 'GET' || method === 'HEAD') &&
        err.url === new URL(req.url).href &&
        STALE_SOCKET.test(err.message)
      ) {
        this.#ctx.signal.throwIfAborted();
        try {
          return await this.#agent.request(req);
        } catch (retryErr) {
          throw this.#networkError(retryErr);
        }
      }
      throw this.#networkError(err);
    }
  }

  /** A network failure towards the target is the target's; towards the provider, the harness's. */
  #networkError(err: unknown): unknown {
    if (!(err instanceof HttpAgentError) || err.code !== 'network') return err;
    const toProvider = providerOrigins(this.#ctx.idp).has(new URL(err.url).origin);
    return new CheckRunError(err.message, toProvider ? 'harness' : 'target');
  }
}
