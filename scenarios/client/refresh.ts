/**
 * refresh.rotation and refresh.scope: after the access token expires, the client refreshes with the
 * newest refresh token and does not ask for more scope than it was granted (RFC 6749 §6, RFC 9700 §4.14).
 */
import type { JournalEntry } from '../../mock-idp/types.js';
import type { Session } from '../../harness/types.js';
import type { ClientCheckContext } from '../types.js';
import { completeLogin, entriesEventually, scopesOf, waitMs } from '../lib/flow.js';
import { ALL_KINDS, defineClientCheck, fail, pass, stopError, stopNotApplicable } from '../lib/outcome.js';

/**
 * Access token lifetime the checks ask the provider for, in seconds: long enough for a loaded machine
 * to finish the login (token response, userinfo, first API call) before the token expires, short
 * enough that waiting it out twice stays cheap.
 */
const SHORT_LIFETIME_S = 3;
/** Margin past the expiry, for clock granularity between the provider and the client. */
const EXPIRY_MARGIN_MS = 150;

function newestIssued(ctx: ClientCheckContext, kind: 'access_token' | 'refresh_token') {
  const all = ctx.journal.issued({ kind });
  return all.length ? all.reduce((a, b) => (b.at >= a.at ? b : a)) : undefined;
}

/** Signs in with short-lived access tokens; ends as not applicable when no refresh token was issued. */
async function loginWithShortLivedTokens(
  ctx: ClientCheckContext,
): Promise<{ session: Session; requestedScope?: string }> {
  ctx.arm({ name: 'token.short-lived', expiresIn: SHORT_LIFETIME_S });
  ctx.observe(`Armed token.short-lived: access tokens expire after ${SHORT_LIFETIME_S} s.`);
  let session = await ctx.session('login');
  let login = await completeLogin(ctx, session);
  if (!(await session.isSignedIn())) {
    // On a loaded machine the short-lived token can expire while the client is still signing in: once more.
    ctx.observe('The first login with short-lived tokens did not sign in; trying once more.');
    session = await ctx.session('login-again');
    login = await completeLogin(ctx, session);
    if (!(await session.isSignedIn())) stopError('The login with short-lived access tokens did not sign in.', 'target');
  }
  if (!newestIssued(ctx, 'refresh_token')) {
    stopNotApplicable(
      'The provider issued no refresh token to this client (the profile or the requested scopes give none).',
    );
  }
  return { session, requestedScope: login.request.params.scope };
}

/**
 * Waits until the newest access token has expired (its issue time on the provider's clock plus its
 * lifetime), then makes the client refresh. Returns the refresh requests it sent.
 */
async function refreshAfterExpiry(ctx: ClientCheckContext, session: Session, round: number): Promise<JournalEntry[]> {
  const access = newestIssued(ctx, 'access_token');
  if (!access) stopError('No access token was issued.', 'target');
  await waitMs(access.at + SHORT_LIFETIME_S * 1000 + EXPIRY_MARGIN_MS - Date.now(), ctx.signal);
  const mark = Math.max(0, ...ctx.journal.entries().map((e) => e.seq));
  const answer = await session.refresh();
  if (answer === 'unsupported') stopNotApplicable('The driver does not implement refresh.');
  const isRefresh = (e: JournalEntry): boolean =>
    e.seq > mark && e.endpoint === 'token' && e.token?.grantType === 'refresh_token';
  const requests = await entriesEventually(ctx, isRefresh);
  ctx.observe(`Refresh round ${round}: the client answered ${answer} and sent ${requests.length} refresh request(s).`);
  if (requests.length === 0) {
    stopNotApplicable('The client did not use its refresh token after the access token had expired.');
  }
  return requests;
}

/** The client uses the newest refresh token after each rotation. */
export const refreshRotation = defineClientCheck({
  id: 'refresh.rotation',
  target: 'client',
  title: 'Newest refresh token is used after rotation',
  severity: 'medium',
  refs: ['RFC6749-6', 'RFC9700-4.14'],
  kinds: ALL_KINDS,
  agent: 'default',
  fault: 'token.short-lived',
  must: 'The client uses the newest refresh token after the provider rotates it.',
  rationale:
    'Providers rotate refresh tokens: every refresh returns a new refresh token and retires the old one. If the ' +
    'old one is ever used again, the provider assumes it was stolen and revokes the whole grant (RFC 9700). A ' +
    'client that keeps using the first refresh token therefore logs people out at random, and one that ignores ' +
    'the new token cannot be told apart from an attacker.',
  remediation:
    'After every refresh, replace the stored refresh token with the one in the response (when present) before ' +
    'using it again. Make concurrent refreshes share one request, so two of them do not race with the same ' +
    'old token.',
  async run(ctx) {
    const { session } = await loginWithShortLivedTokens(ctx);
    const first = newestIssued(ctx, 'refresh_token')!;
    const round1 = await refreshAfterExpiry(ctx, session, 1);
    const used1 = round1.map((e) => e.token!.refreshToken);
    if (!used1.includes(first.value))
      return fail('The first refresh request did not use the refresh token the client was issued.');
    const rotated = newestIssued(ctx, 'refresh_token')!;
    if (rotated.value === first.value)
      stopNotApplicable('The provider did not rotate the refresh token, so rotation handling cannot be observed.');
    ctx.observe('The provider rotated the refresh token on the first refresh.');
    const round2 = await refreshAfterExpiry(ctx, session, 2);
    const used2 = round2.map((e) => e.token!.refreshToken);
    ctx.observe(
      `Second refresh used ${used2.map((t) => (t === rotated.value ? 'the rotated (newest) token' : t === first.value ? 'the retired first token' : 'an unknown token')).join(', ')}.`,
    );
    if (used2.some((t) => t !== rotated.value))
      return fail('After rotation the client refreshed with a retired refresh token.');
    return pass('The client used the newest refresh token after each rotation.');
  },
});

/** A refresh request does not ask for more than was granted. */
export const refreshScope = defineClientCheck({
  id: 'refresh.scope',
  target: 'client',
  title: 'Refresh does not widen scope',
  severity: 'low',
  refs: ['RFC6749-6'],
  kinds: ALL_KINDS,
  agent: 'default',
  fault: 'token.short-lived',
  must: 'A refresh request does not widen scope.',
  rationale:
    'A refresh request may name a `scope`, but only to ask for the same or less than the person originally ' +
    'approved. A client that asks for more during a silent refresh is trying to gain access the person never ' +
    'agreed to; providers refuse it with `invalid_scope`, which breaks the session.',
  remediation:
    'Omit `scope` from refresh requests; the original scope is then kept. Send a subset of the granted scope ' +
    'only when you deliberately want a narrower token, and start a new login when a feature needs more.',
  async run(ctx) {
    const { session, requestedScope } = await loginWithShortLivedTokens(ctx);
    const code = ctx.journal.issued({ kind: 'code' }).at(-1);
    const granted = new Set(
      scopesOf(code?.scope ?? ctx.journal.issued({ kind: 'access_token' })[0]?.scope ?? requestedScope),
    );
    const requests = await refreshAfterExpiry(ctx, session, 1);
    const asked = requests.map((e) => scopesOf(e.token!.scope ?? e.token!.params.scope));
    ctx.observe(
      `Granted scope: ${[...granted].join(' ') || '(unknown)'}; refresh requests asked for: ${asked.map((a) => a.join(' ') || '(no scope)').join(' | ')}.`,
    );
    const wider = asked.flat().filter((s) => !granted.has(s));
    if (wider.length > 0)
      return fail(`A refresh request asked for scope the login was not granted: ${[...new Set(wider)].join(' ')}.`);
    return pass('Refresh requests asked for no scope beyond what was granted.');
  },
});
