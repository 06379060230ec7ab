/**
 * Steps of a login as the checks use them: start, approve at the provider, deliver the callback,
 * and the oracles that decide whether a client accepted or rejected a callback. Every step records
 * what it saw with `ctx.observe`, and a step that cannot observe what the check needs ends the check
 * through {@link stopError} / {@link stopNotApplicable} instead of letting it reach a verdict.
 */
import type { JournalEntry } from '../../mock-idp/types.js';
import type {
  AuthorizationRequest,
  AuthorizationResponse,
  CallbackResult,
  ResolvedTarget,
  Session,
} from '../../harness/types.js';
import type { ClientCheckContext } from '../types.js';
import { hasStackTrace } from './page.js';
import { stopError } from './outcome.js';

/** Message of anything thrown. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Origin the person uses the target at (login page, signed-in page, or redirect URI). */
export function targetOrigin(target: ResolvedTarget): string {
  const url =
    target.login?.url ??
    (target.signedIn && 'url' in target.signedIn ? target.signedIn.url : target.client.redirectUri);
  return new URL(url).origin;
}

/** Origins of the mock provider and the mock API. */
export function providerOrigins(ctx: ClientCheckContext): Set<string> {
  const origins = new Set<string>([new URL(ctx.idp.issuer).origin, new URL(ctx.idp.apiBaseUrl).origin]);
  for (const url of Object.values(ctx.idp.endpoints)) if (url) origins.add(new URL(url).origin);
  return origins;
}

/** Whether `url` is (a request to) the provider's authorization endpoint. */
export function isAuthorizationUrl(ctx: ClientCheckContext, url: string | undefined): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    const a = new URL(ctx.idp.endpoints.authorization);
    return u.origin === a.origin && u.pathname === a.pathname;
  } catch {
    return false;
  }
}

/** Parses an authorization URL into the shape `startLogin` returns. */
export function parseAuthorizationUrl(url: string): AuthorizationRequest {
  return { url, params: Object.fromEntries(new URL(url).searchParams) };
}

/** Query parameters of a callback URL. */
export function callbackParams(callbackUrl: string): Record<string, string> {
  return Object.fromEntries(new URL(callbackUrl).searchParams);
}

/** Starts a login; a client that does not send the person to the provider ends the check in `error`. */
export async function beginLogin(
  ctx: ClientCheckContext,
  session: Session,
  opts?: { loginQuery?: Record<string, string> },
): Promise<AuthorizationRequest> {
  let request: AuthorizationRequest;
  try {
    request = await session.startLogin(opts);
  } catch (err) {
    stopError(`The client did not send the person to the provider: ${messageOf(err)}`, 'target');
  }
  ctx.observe(`Session ${session.id}: the client sent the person to the authorization endpoint.`, {
    params: request.params,
  });
  return request;
}

/**
 * Approves an authorization request at the provider. When the provider does not redirect back (it
 * refused the request, e.g. an unregistered redirect URI), the check ends in `error`: nothing about
 * the callback can be observed.
 */
export async function approveToCallback(
  ctx: ClientCheckContext,
  session: Session,
  request: AuthorizationRequest,
): Promise<{ response: AuthorizationResponse; callbackUrl: string }> {
  const response = await session.approve(request);
  if (!response.callbackUrl) {
    ctx.observe(`The provider did not redirect back to the client (status ${response.status}).`, {
      status: response.status,
      body: response.body?.slice(0, 500),
    });
    stopError(
      `The provider refused the client's authorization request (status ${response.status}), so no callback could be tested.`,
      'target',
    );
  }
  return { response, callbackUrl: response.callbackUrl };
}

const DROPPED_CONNECTION = /UND_ERR_SOCKET|ECONNRESET|socket hang up|other side closed|ERR_EMPTY_RESPONSE/i;

/** Status recorded when a web client dropped the connection instead of answering (counts as a 5xx). */
export const DROPPED_STATUS = 599;

/** Delivers a callback and records what the client answered. */
export async function deliverCallback(
  ctx: ClientCheckContext,
  session: Session,
  callbackUrl: string,
  label = 'callback',
): Promise<CallbackResult> {
  let result: CallbackResult;
  try {
    result = await session.deliver(callbackUrl);
  } catch (err) {
    // A web client that drops the connection instead of answering has crashed on this callback; that is
    // an observation about the client (treated like a 5xx), not a failure of the check.
    if (ctx.target.kind === 'driver' || !DROPPED_CONNECTION.test(messageOf(err))) throw err;
    ctx.observe(`Session ${session.id}: the client dropped the connection on the ${label} (${messageOf(err)}).`);
    return { status: DROPPED_STATUS, error: messageOf(err) };
  }
  ctx.observe(`Session ${session.id}: delivered the ${label}; the client answered ${describeCallback(result)}.`, {
    status: result.status,
    finalUrl: result.finalUrl,
    ok: result.ok,
    error: result.error,
  });
  return result;
}

/** A callback result in words. */
export function describeCallback(result: CallbackResult): string {
  if (result.ok !== undefined) return result.ok ? 'ok' : `not ok (${result.error ?? 'no reason given'})`;
  return `status ${result.status ?? '?'} at ${result.finalUrl ?? '?'}`;
}

/** A full login: start, approve, deliver. */
export interface CompletedLogin {
  session: Session;
  request: AuthorizationRequest;
  response: AuthorizationResponse;
  callbackUrl: string;
  callback: CallbackResult;
  /** The code in the callback, if the provider sent one. */
  code?: string;
}

/** Runs a full login in `session`, observing each step. */
export async function completeLogin(
  ctx: ClientCheckContext,
  session: Session,
  opts?: { loginQuery?: Record<string, string> },
): Promise<CompletedLogin> {
  const request = await beginLogin(ctx, session, opts);
  const { response, callbackUrl } = await approveToCallback(ctx, session, request);
  const callback = await deliverCallback(ctx, session, callbackUrl);
  return { session, request, response, callbackUrl, callback, code: callbackParams(callbackUrl).code };
}

/**
 * The run's shared ordinary login: one login without any fault, its signed-in oracle and (signed in) one
 * API call, done once per environment and user agent for every check that asks
 * (harness/runner/shared-login.ts). What a step after the authorization request threw is kept in
 * `failure`: a check that needs only the request still gets it.
 */
export interface OrdinaryLogin {
  request: AuthorizationRequest;
  /** The whole login; absent when a later step threw (`failure`). */
  login?: CompletedLogin;
  signedIn: boolean;
  /** The API call through the client, when signed in. */
  api?: string;
  /** What the approval, the callback, the signed-in oracle or the API call threw. */
  failure?: unknown;
}

/** The run's shared ordinary login (see {@link OrdinaryLogin}). */
export function ordinaryLogin(ctx: ClientCheckContext): Promise<OrdinaryLogin> {
  return ctx.shared('ordinary', async (b): Promise<OrdinaryLogin> => {
    const session = await b.session('login');
    const request = await beginLogin(b, session);
    let login: CompletedLogin | undefined;
    let signedIn = false;
    let api: string | undefined;
    try {
      const { response, callbackUrl } = await approveToCallback(b, session, request);
      const callback = await deliverCallback(b, session, callbackUrl);
      login = { session, request, response, callbackUrl, callback, code: callbackParams(callbackUrl).code };
      signedIn = await session.isSignedIn();
      if (signedIn) api = await session.api();
    } catch (failure) {
      b.observe(`The ordinary login broke off: ${messageOf(failure)}`);
      return { request, ...(login ? { login } : {}), signedIn, failure };
    }
    b.observe(
      `Ordinary login without any fault: ${signedIn ? `signed in; API call through the client: ${api}` : 'NOT signed in'}.`,
    );
    return { request, login, signedIn, ...(api !== undefined ? { api } : {}) };
  });
}

/** The ordinary login's authorization request: for checks that judge only what the client asks for. */
export async function ordinaryRequest(ctx: ClientCheckContext): Promise<AuthorizationRequest> {
  return (await ordinaryLogin(ctx)).request;
}

/**
 * The ordinary login as a whole (signed in or not); a login that broke off before its callback was
 * answered ends the check as it would have.
 */
export async function ordinaryCompleted(ctx: ClientCheckContext): Promise<OrdinaryLogin & { login: CompletedLogin }> {
  const base = await ordinaryLogin(ctx);
  if (!base.login) throw base.failure;
  return { ...base, login: base.login };
}

/**
 * A login without any fault, which must end signed in. Checks that look for a rejection run one first:
 * "not signed in" only means "rejected" for a client that can sign in at all. It is the run's shared
 * ordinary login, used by every such check; {@link ownControlLogin} is a login of the check's own.
 */
export async function controlLogin(ctx: ClientCheckContext): Promise<CompletedLogin> {
  const base = await ordinaryCompleted(ctx);
  // The API call is no part of a control login: only what broke before it counts.
  if (!base.signedIn && base.failure !== undefined) throw base.failure;
  judgeControl(ctx, base.signedIn, " (the run's shared ordinary login)");
  return base.login;
}

/** Records how a control login ended, and ends the check in `error` when it did not sign in. */
function judgeControl(ctx: ClientCheckContext, signedIn: boolean, which = ''): void {
  ctx.observe(`Control login without any fault${which}: ${signedIn ? 'signed in' : 'NOT signed in'}.`);
  if (!signedIn) {
    stopError(
      'The client does not complete an ordinary login, so a rejected callback cannot be told apart from a broken client.',
      'target',
    );
  }
}

/**
 * {@link controlLogin} in a session of the check's own, right before what it tests: for a check whose
 * control also leaves state in the client that the test depends on (a cached JWKS).
 */
export async function ownControlLogin(ctx: ClientCheckContext, name = 'control'): Promise<CompletedLogin> {
  const session = await ctx.session(name);
  const login = await completeLogin(ctx, session);
  judgeControl(ctx, await session.isSignedIn());
  return login;
}

/** Token requests (anywhere in the provider journal) that tried to redeem `code`. */
export function tokenRequestsForCode(ctx: ClientCheckContext, code: string): JournalEntry[] {
  // Codes are unique, so the unfiltered journal is safe and does not depend on tag propagation.
  return ctx.fullJournal.entries({ endpoint: 'token' }).filter((e) => e.token?.code === code);
}

/** This check's authorization requests as the provider saw them. */
export function authorizationEntries(ctx: ClientCheckContext): JournalEntry[] {
  return ctx.journal.entries({ endpoint: 'authorization' }).filter((e) => e.authorization);
}

/** What a client did with a callback it should have refused. */
export interface RejectionAssessment {
  /** Token requests that redeemed (or tried to redeem) the callback's code. */
  redemptions: JournalEntry[];
  signedIn: boolean;
  /** web: the client answered with a 5xx. */
  serverError: boolean;
  /** web/spa: the page shows a stack trace. */
  stackTrace: boolean;
}

/**
 * The rejection oracle for a tampered callback: the code must not be redeemed, the session must not be
 * signed in, and a web client must not crash (5xx). The signed-in oracle runs first because a browser
 * application redeems asynchronously; by the time it has answered, any redemption has been journaled.
 */
export async function assessRejection(
  ctx: ClientCheckContext,
  session: Session,
  callback: CallbackResult,
  code: string | undefined,
): Promise<RejectionAssessment> {
  const signedIn = await session.isSignedIn();
  const redemptions = code ? tokenRequestsForCode(ctx, code) : [];
  const serverError = ctx.target.kind !== 'driver' && (callback.status ?? 0) >= 500;
  const stackTrace = ctx.target.kind !== 'driver' && hasStackTrace(callback.body ?? '');
  ctx.observe(
    `After the callback: ${redemptions.length} token request(s) redeeming its code, ${signedIn ? 'signed in' : 'not signed in'}` +
      `${serverError ? `, server error ${callback.status}` : ''}${stackTrace ? ', stack trace in the page' : ''}.`,
    { redemptions: redemptions.map((e) => ({ seq: e.seq, outcome: e.token?.outcome })), signedIn },
  );
  return { redemptions, signedIn, serverError, stackTrace };
}

/**
 * Verdict of a rejection: redeemed or signed in → `fail`; rejected but crashed (5xx, stack trace) →
 * `warn`; cleanly rejected → `pass`.
 */
export function rejectionOutcome(
  a: RejectionAssessment,
  what: string,
): { verdict: 'pass' | 'fail' | 'warn'; summary: string } {
  if (a.signedIn) return { verdict: 'fail', summary: `The client signed the person in from ${what}.` };
  if (a.redemptions.length > 0) {
    return { verdict: 'fail', summary: `The client redeemed the code from ${what} (though it did not sign in).` };
  }
  if (a.serverError || a.stackTrace) {
    return {
      verdict: 'warn',
      summary: `The client rejected ${what} but crashed doing so (${a.serverError ? 'server error' : 'stack trace shown'}).`,
    };
  }
  return { verdict: 'pass', summary: `The client rejected ${what}: code not redeemed, not signed in.` };
}

/**
 * Journal entries matching `predicate`, waiting a little for a browser application (which acts after
 * the page has loaded) when none is there yet. Web servers and drivers act before they answer.
 *
 * The wait for a browser application stays on a clock, and is not ended when its page has settled:
 * the requests asked about here (a refresh, a revocation, an end-session call) are the ones an app
 * sends from a timer (the reference SPA refreshes on a timer set from `expires_in`) or after a
 * navigation it starts itself, i.e. after its network has been quiet, so a settled page does not show
 * that they will not come. Callers pass the shortest wait that holds for them (`timeoutMs`).
 */
export async function entriesEventually(
  ctx: ClientCheckContext,
  predicate: (e: JournalEntry) => boolean,
  opts: { full?: boolean; timeoutMs?: number } = {},
): Promise<JournalEntry[]> {
  const journal = opts.full ? ctx.fullJournal : ctx.journal;
  const now = journal.entries().filter(predicate);
  if (now.length > 0 || ctx.target.kind !== 'spa') return now;
  try {
    await journal.waitFor(predicate, { timeoutMs: opts.timeoutMs ?? 2000, signal: ctx.signal });
  } catch {
    return [];
  }
  return journal.entries().filter(predicate);
}

/** Scopes of a space-separated scope string. */
export function scopesOf(scope: string | undefined): string[] {
  return (scope ?? '').split(' ').filter(Boolean);
}

/** Why a check that examines an ordinary use of the client ends in `error` when its login did not sign in. */
const NO_ORDINARY_USE = 'The login did not sign in, so there is no ordinary use of the client to examine.';

/**
 * The shared ordinary login as a complete, ordinary use of the client: login, the signed-in oracle, one
 * API call. Leak checks that only scan what it produced use it. Ends in `error` when the login does not
 * sign in (nothing representative to scan).
 */
export async function ordinaryUse(ctx: ClientCheckContext): Promise<CompletedLogin> {
  const base = await ordinaryCompleted(ctx);
  if (base.failure !== undefined) throw base.failure;
  if (!base.signedIn) stopError(NO_ORDINARY_USE, 'target');
  return base.login;
}

/**
 * A complete, ordinary use of the client in a session of the check's own: login, the signed-in oracle,
 * one API call. For checks that go on using the session (refresh, logout) or need another agent.
 * Ends in `error` when the login does not sign in (nothing representative to scan).
 */
export async function exerciseClient(
  ctx: ClientCheckContext,
  name = 'login',
  opts?: { agent?: 'http' },
): Promise<CompletedLogin> {
  const session = await ctx.session(name, opts);
  const login = await completeLogin(ctx, session);
  if (!(await session.isSignedIn())) stopError(NO_ORDINARY_USE, 'target');
  const api = await session.api();
  ctx.observe(`Signed in; API call through the client: ${api}.`);
  return login;
}
