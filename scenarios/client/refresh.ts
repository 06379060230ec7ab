/**
 * refresh.rotation and refresh.scope: after the access token expires, the client refreshes with the
 * newest refresh token and does not ask for more scope than it was granted (RFC 6749 §6, RFC 9700 §4.14).
 */
import type { IssuedArtifact, JournalEntry } from '../../mock-idp/types.js';
import type { Session } from '../../harness/types.js';
import type { ClientCheckContext } from '../types.js';
import { completeLogin, entriesEventually, scopesOf } from '../lib/flow.js';
import { defineClientCheck } from '../define.js';
import { fail, pass, stopError, stopNotApplicable } from '../lib/outcome.js';

/**
 * Access token lifetime the provider advertises (`expires_in`), in seconds. The provider keeps accepting
 * the tokens until the check ends their life (`expireAccessTokens`), so a slow login never races the
 * expiry; a client that tracks `expires_in` sees its token expire after this long.
 */
const SHORT_LIFETIME_S = 1;
/** Margin past the expiry, for clock granularity between the provider and the client. */
const EXPIRY_MARGIN_MS = 150;

/** How long a browser application gets to refresh when asked before the advertised expiry. */
const EARLY_LOOK_MS = 500;

/** Whether `value` is an authorization code issued for this check's logins. */
function isCode(ctx: ClientCheckContext, value: string): boolean {
  return ctx.journal.issued({ kind: 'code' }).some((c) => c.value === value);
}

function newestIssued(ctx: ClientCheckContext, kind: 'access_token' | 'refresh_token') {
  const all = ctx.journal.issued({ kind });
  return all.length ? all.reduce((a, b) => (b.at >= a.at ? b : a)) : undefined;
}

/** Every refresh request this check's logins sent, oldest first. */
function refreshRequests(ctx: ClientCheckContext): JournalEntry[] {
  return ctx.journal.entries({ endpoint: 'token' }).filter((e) => e.token?.grantType === 'refresh_token');
}

/**
 * Signs in with short-lived access tokens; ends as not applicable when no refresh token was issued.
 * A client that tracks `expires_in` may already refresh while the harness checks that it is signed in;
 * such early refreshes count as observations (the checks judge every refresh request of their logins).
 */
export async function loginWithShortLivedTokens(
  ctx: ClientCheckContext,
): Promise<{ session: Session; requestedScope?: string }> {
  ctx.arm({ name: 'token.short-lived', expiresIn: SHORT_LIFETIME_S });
  ctx.observe(`Armed token.short-lived: access tokens are advertised to expire after ${SHORT_LIFETIME_S} s.`);
  const session = await ctx.session('login');
  const login = await completeLogin(ctx, session);
  const signedIn = await session.isSignedIn();
  if (!signedIn && refreshRequests(ctx).length === 0)
    stopError('The login with short-lived access tokens did not sign in.', 'target');
  if (!signedIn) ctx.observe('The client refreshed while signing in, and is not signed in afterwards.');
  if (!newestIssued(ctx, 'refresh_token')) {
    stopNotApplicable(
      'The provider issued no refresh token to this client (the profile or the requested scopes give none).',
    );
  }
  return { session, requestedScope: login.request.params.scope };
}

/**
 * Makes the client refresh once its access token has expired, without sleeping out the token's life
 * when the client does not need it: first the client is asked as it is (a client that refreshes ahead
 * of the advertised expiry, as most do with a margin for clock skew, refreshes now). Only when it sent
 * no refresh request does the check wait until the newest access token has expired as advertised (its
 * issue time on the provider's clock plus `expires_in`; the client's own clock is the one that counts
 * for a client that tracks `expires_in`), end the life of the tag's access tokens at the provider (so a
 * client that only refreshes on a 401 is served one), and ask again. Returns the refresh requests sent.
 */
export async function refreshAfterExpiry(
  ctx: ClientCheckContext,
  session: Session,
  round: number,
): Promise<JournalEntry[]> {
  const access = newestIssued(ctx, 'access_token');
  if (!access) stopError('No access token was issued.', 'target');
  // A browser application that refreshes ahead of time does so while the page loads; a short look suffices.
  const early = await askToRefresh(ctx, session, EARLY_LOOK_MS);
  if (early.requests.length > 0) {
    ctx.observe(
      `Refresh round ${round}: asked before the advertised expiry had passed, the client answered ${early.answer} and sent ${early.requests.length} refresh request(s).`,
    );
    return early.requests;
  }
  await ctx.wait(access.at + SHORT_LIFETIME_S * 1000 + EXPIRY_MARGIN_MS - Date.now());
  ctx.idp.faults.expireAccessTokens(ctx.tag);
  const { answer, requests } = await askToRefresh(ctx, session);
  ctx.observe(`Refresh round ${round}: the client answered ${answer} and sent ${requests.length} refresh request(s).`);
  if (requests.length === 0) {
    stopNotApplicable('The client did not use its refresh token after the access token had expired.');
  }
  return requests;
}

/** Makes the client refresh (the signed-in request, or the driver's `refresh`) and collects the refresh requests it sent. */
async function askToRefresh(
  ctx: ClientCheckContext,
  session: Session,
  timeoutMs?: number,
): Promise<{ answer: 'ok' | 'failed'; requests: JournalEntry[] }> {
  const mark = Math.max(0, ...ctx.journal.entries().map((e) => e.seq));
  const answer = await session.refresh();
  if (answer === 'unsupported') stopNotApplicable('The driver does not implement refresh.');
  const isRefresh = (e: JournalEntry): boolean =>
    e.seq > mark && e.endpoint === 'token' && e.token?.grantType === 'refresh_token';
  return { answer, requests: await entriesEventually(ctx, isRefresh, timeoutMs !== undefined ? { timeoutMs } : {}) };
}

/** The client uses the newest refresh token after each rotation. */
export const refreshRotation = defineClientCheck({
  id: 'refresh.rotation',
  title: 'Newest refresh token is used after rotation',
  severity: 'medium',
  refs: ['RFC6749-6', 'RFC9700-4.14'],
  requirement: {
    text: 'The authorization server MAY issue a new refresh token, in which case the client MUST discard the old refresh token and replace it with the new refresh token.',
    level: 'MUST',
    ref: 'RFC6749-6',
  },
  faults: ['token.short-lived'],
  // A client that tracks expires_in refreshes only once its own clock says the token expired.
  waitsForClientClock: true,
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
    // Two refreshes are needed: the second shows whether the client kept the token the first rotated in.
    for (let round = 1; refreshRequests(ctx).length < 2 && round <= 2; round++) {
      await refreshAfterExpiry(ctx, session, round);
    }
    // Walk the refreshes in order: each must use the newest refresh token the client had been issued.
    const issuedAtExchange = ctx.journal
      .issued({ kind: 'refresh_token' })
      .find((a) => !a.parent || isCode(ctx, a.parent));
    if (!issuedAtExchange) stopError('No refresh token was issued at the code exchange.', 'target');
    let current: IssuedArtifact = issuedAtExchange;
    const first = current.value;
    let rotations = 0;
    for (const [i, e] of refreshRequests(ctx).entries()) {
      const used = e.token!.refreshToken;
      const which = used === current.value ? 'the newest' : used === first ? 'the retired first' : 'a retired';
      ctx.observe(`Refresh request ${i + 1} used ${which} refresh token (${e.token!.outcome}).`);
      if (used !== current.value)
        return fail(
          i === 0
            ? 'The first refresh request did not use the refresh token the client was issued.'
            : 'After rotation the client refreshed with a retired refresh token.',
        );
      const next: IssuedArtifact | undefined = ctx.journal
        .issued({ kind: 'refresh_token' })
        .find((a) => a.parent === used);
      if (e.token!.outcome === 'issued' && next) {
        if (next.value !== used) rotations++;
        current = next;
      }
    }
    if (rotations === 0)
      stopNotApplicable('The provider did not rotate the refresh token, so rotation handling cannot be observed.');
    if (refreshRequests(ctx).length < 2)
      stopNotApplicable('The client refreshed only once, so the use of the rotated token cannot be observed.');
    return pass('The client used the newest refresh token after each rotation.');
  },
});

/** A refresh request does not ask for more than was granted. */
export const refreshScope = defineClientCheck({
  id: 'refresh.scope',
  title: 'Refresh does not widen scope',
  severity: 'low',
  refs: ['RFC6749-6'],
  requirement: {
    text: 'The requested scope MUST NOT include any scope not originally granted by the resource owner.',
    level: 'MUST',
    ref: 'RFC6749-6',
  },
  faults: ['token.short-lived'],
  // A client that tracks expires_in refreshes only once its own clock says the token expired.
  waitsForClientClock: true,
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
    if (refreshRequests(ctx).length === 0) await refreshAfterExpiry(ctx, session, 1);
    const requests = refreshRequests(ctx);
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
