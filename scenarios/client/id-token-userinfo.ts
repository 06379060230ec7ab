/** id-token.sub-userinfo: a userinfo `sub` that differs from the ID token's is refused (OIDC Core §5.3.2). */
import { completeLogin } from '../lib/flow.js';
import { defineClientCheck } from '../define.js';
import { fail, pass, stopError, stopNotApplicable } from '../lib/outcome.js';
import { requireIdTokenControl } from './id-token-validation.js';

/** The client compares the userinfo `sub` with the ID token's. */
export const idTokenSubUserinfo = defineClientCheck({
  id: 'id-token.sub-userinfo',
  title: 'userinfo sub must match the ID token',
  severity: 'high',
  refs: ['OIDC-5.3.2'],
  requirement: {
    text: 'The sub Claim in the UserInfo Response MUST be verified to exactly match the sub Claim in the ID Token; if they do not match, the UserInfo Response values MUST NOT be used.',
    level: 'MUST',
    ref: 'OIDC-5.3.2',
  },
  faults: ['userinfo.wrong-sub'],
  must: "Userinfo `sub` differing from the ID token's is rejected.",
  rationale:
    'The userinfo response is not signed like the ID token, and a mix-up (a substituted access token, a ' +
    'misrouted request) can return the profile of a different person. OpenID Connect therefore requires the ' +
    'client to check that userinfo describes the same subject as the ID token before trusting it; otherwise ' +
    'the person may be shown, or signed in as, someone else.',
  remediation:
    'After fetching userinfo, compare its `sub` with the validated ID token’s `sub` and abort the login when ' +
    'they differ. Identify people by the ID token’s `iss` + `sub`, never by the email in userinfo.',
  async run(ctx) {
    await requireIdTokenControl(ctx);
    if (ctx.journal.entries({ endpoint: 'userinfo' }).length === 0) {
      stopNotApplicable('The client does not call the userinfo endpoint during login.');
    }
    const mark = Math.max(0, ...ctx.journal.entries().map((e) => e.seq));
    ctx.arm({ name: 'userinfo.wrong-sub' });
    ctx.observe('Armed userinfo.wrong-sub: userinfo answers with another subject than the ID token.');
    const session = await ctx.session('faulted');
    await completeLogin(ctx, session);
    const signedIn = await session.isSignedIn();
    // The faulted login's userinfo calls, not the control login's.
    const faultedCalls = ctx.journal.entries({ endpoint: 'userinfo' }).filter((e) => e.seq > mark).length;
    ctx.observe(
      `With a mismatching userinfo sub: ${signedIn ? 'SIGNED IN' : 'not signed in'}; ${faultedCalls} userinfo call(s) in that login.`,
    );
    if (signedIn)
      return fail('The client signed the person in although userinfo described another subject than the ID token.');
    // Not signed in means refused only if the client got as far as the mismatching answer.
    if (faultedCalls === 0)
      stopError(
        'The client did not call userinfo in the faulted login, so it never saw the mismatching subject.',
        'target',
      );
    return pass('The client refused a userinfo response whose sub differs from the ID token’s.');
  },
});
