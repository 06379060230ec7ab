/**
 * A driver target (TARGETS.md §3, §4): the client library is reached through the driver protocol; the
 * harness plays the person at the provider with its own HTTP agent and hands the redirect it receives
 * to `callback` without fetching it. The driver's answer is the end of the client's reaction.
 */
import { HttpAgent } from '../agents/http.js';
import { DriverError, type DriverAnswer, type DriverOp, type DriverProcess } from '../agents/driver.js';
import { CheckRunError } from '../runner/errors.js';
import type {
  AuthorizationRequest,
  AuthorizationResponse,
  CallbackResult,
  Session,
  SessionRequest,
  SessionResponse,
  TranscriptEntry,
} from '../types.js';
import { approveAuthorization, parseAuthorizationRequest } from './authorization.js';
import { byTime, loginThrough, type SessionContext } from './common.js';

/** The op a driver calls the lexoffice API with when no path is given (TARGETS.md §2). */
const DEFAULT_API_PATH = '/v1/profile';

/** One independent client state in the driver (`session` of the protocol). */
export class DriverSession implements Session {
  readonly id: string;
  readonly agent = 'driver' as const;
  readonly #ctx: SessionContext;
  readonly #driver: DriverProcess;
  /** The person's browser at the provider; the driver never sees it. */
  readonly #person: HttpAgent;
  #lastCallbackOk = false;

  constructor(ctx: SessionContext, driver: DriverProcess) {
    this.id = ctx.id;
    this.#ctx = ctx;
    this.#driver = driver;
    this.#person = new HttpAgent({ extraHeaders: ctx.tagHeaders, signal: ctx.signal });
  }

  async startLogin(): Promise<AuthorizationRequest> {
    const answer = await this.#send('authorize');
    if (!answer.ok)
      throw new CheckRunError(`the driver could not start a login: ${answer.error ?? 'no reason given'}`, 'target');
    if (typeof answer.url !== 'string')
      throw new CheckRunError('the driver answered authorize without a url', 'target');
    try {
      return parseAuthorizationRequest(answer.url, (uri) => this.#ctx.idp.pushedRequest(uri));
    } catch {
      throw new CheckRunError(`the driver answered authorize with a URL that does not parse: ${answer.url}`, 'target');
    }
  }

  async approve(request: AuthorizationRequest): Promise<AuthorizationResponse> {
    return approveAuthorization(this.#person, request);
  }

  async deliver(callbackUrl: string): Promise<CallbackResult> {
    const answer = await this.#send('callback', { url: callbackUrl });
    this.#lastCallbackOk = answer.ok;
    return answer.ok ? { ok: true } : { ok: false, error: answer.error ?? 'no reason given' };
  }

  async login(): ReturnType<Session['login']> {
    return loginThrough(this);
  }

  /** TARGETS.md §2: the last callback was accepted and the client can call the API (when it supports `api`). */
  async isSignedIn(): Promise<boolean> {
    if (!this.#lastCallbackOk) return false;
    return (await this.api()) !== 'failed';
  }

  async refresh(): Promise<'ok' | 'failed' | 'unsupported'> {
    return verdictOf(await this.#send('refresh'));
  }

  async api(path = DEFAULT_API_PATH): Promise<'ok' | 'failed' | 'unsupported'> {
    const answer = await this.#send('api', { path });
    const v = verdictOf(answer);
    if (v === 'ok' && typeof answer.status === 'number' && answer.status >= 400) return 'failed';
    return v;
  }

  async logout(): Promise<'ok' | 'failed' | 'unsupported'> {
    const v = verdictOf(await this.#send('logout'));
    if (v === 'ok') this.#lastCallbackOk = false;
    return v;
  }

  async request(_req: SessionRequest): Promise<SessionResponse> {
    throw new CheckRunError('a driver session has no user agent to send raw requests with', 'harness');
  }

  transcript(): TranscriptEntry[] {
    const mine = this.#driver.transcript().filter((e) => e.requestHeaders.session === this.id);
    return byTime(this.#person.transcript(), mine);
  }

  async close(): Promise<void> {
    // The driver process is shared; its sessions end with it. The person's connections end here.
    this.#person.close();
  }

  async #send(op: DriverOp, extra?: Record<string, string>): Promise<DriverAnswer> {
    this.#ctx.signal.throwIfAborted();
    try {
      return await this.#driver.send(this.id, op, extra);
    } catch (err) {
      // TARGETS.md §4: a driver that exits, writes garbage or does not answer ends the check in error.
      if (err instanceof DriverError) throw new CheckRunError(`driver ${err.kind}: ${err.message}`, 'target');
      throw err;
    }
  }
}

function verdictOf(answer: DriverAnswer): 'ok' | 'failed' | 'unsupported' {
  if (answer.ok) return 'ok';
  return answer.error === 'unsupported' ? 'unsupported' : 'failed';
}
