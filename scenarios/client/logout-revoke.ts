/** logout.revoke: signing out revokes the refresh token at the provider (RFC 7009 §2). */
import { completeLogin, entriesEventually } from '../lib/flow.js';
import { defineClientCheck } from '../define.js';
import { fail, pass, stopError, stopNotApplicable } from '../lib/outcome.js';

/** After sign-out the provider has been asked to revoke the refresh token. */
export const logoutRevoke = defineClientCheck({
  id: 'logout.revoke',
  title: 'Sign-out revokes the refresh token',
  severity: 'low',
  refs: ['RFC7009-2'],
  requirement: {
    text: 'Revocation lets a client invalidate its tokens when the end-user logs out (RFC 7009 1 names the use case; it requires no client to revoke).',
    level: 'RECOMMENDED',
    ref: 'RFC7009-2',
  },
  must: 'Signing out revokes the refresh token at the provider.',
  rationale:
    'Deleting the local session on sign-out does not invalidate the tokens: the refresh token stays valid at ' +
    'the provider for weeks. If it was copied anywhere (a log, a backup, a stolen database), it keeps working ' +
    'after the person believes they signed out.',
  remediation:
    'On sign-out, call the provider’s revocation endpoint (RFC 7009) with the refresh token ' +
    '(`token_type_hint=refresh_token`) before deleting the session. Revoking the refresh token also ends the ' +
    'access tokens issued from it.',
  async run(ctx) {
    if (!ctx.idp.endpoints.revocation) stopNotApplicable('The provider profile has no revocation endpoint.');
    const session = await ctx.session('login');
    await completeLogin(ctx, session);
    if (!(await session.isSignedIn())) stopError('The login did not sign in.', 'target');
    const refreshTokens = new Set(ctx.journal.issued({ kind: 'refresh_token' }).map((a) => a.value));
    const accessTokens = new Set(ctx.journal.issued({ kind: 'access_token' }).map((a) => a.value));
    if (refreshTokens.size === 0) stopNotApplicable('The provider issued no refresh token to this client.');
    const answer = await session.logout();
    if (answer === 'unsupported') stopNotApplicable('The target declares no way to sign out.');
    const revocations = await entriesEventually(
      ctx,
      (e) =>
        e.endpoint === 'revocation' &&
        Boolean(e.revocation?.token) &&
        (refreshTokens.has(e.revocation!.token!) || accessTokens.has(e.revocation!.token!)),
      { full: true },
    );
    const revokedRefresh = revocations.filter((e) => refreshTokens.has(e.revocation!.token!));
    ctx.observe(
      `Sign-out answered ${answer}; the provider received ${revocations.length} revocation(s) of this login's tokens, ` +
        `${revokedRefresh.length} of the refresh token.`,
    );
    if (revokedRefresh.length > 0) return pass('Signing out revoked the refresh token at the provider.');
    if (revocations.length > 0)
      return fail('Signing out revoked only the access token; the refresh token stays valid.');
    return fail('Signing out did not revoke the refresh token at the provider.');
  },
});
