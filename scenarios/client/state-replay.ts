/** state.replay: replaying a used callback URL does not sign in again (RFC 9700 §4.2.4). */
import { assessRejection, completeLogin, deliverCallback, tokenRequestsForCode } from '../lib/flow.js';
import { defineClientCheck } from '../define.js';
import { fail, pass, stopError } from '../lib/outcome.js';
import type { Requirement } from '../types.js';
import { CSRF_ALLOWANCES } from '../lib/allowances.js';

/** RFC 6749 4.1.2: a second redemption breaks this MUST whatever protects the login against CSRF. */
const CODE_USED_ONCE: Requirement = {
  text: 'The client MUST NOT use the authorization code more than once.',
  level: 'MUST',
  ref: 'RFC6749-4.1.2',
};

/** A used callback URL, replayed in a fresh session and in the same one, signs nobody in. */
export const stateReplay = defineClientCheck({
  id: 'state.replay',
  title: 'Replayed callback does not sign in again',
  severity: 'medium',
  refs: ['RFC9700-4.2.4'],
  requirement: {
    text: 'Otherwise, one-time use CSRF tokens carried in the state parameter that are securely bound to the user agent MUST be used for CSRF protection.',
    level: 'MUST',
    ref: 'RFC9700-2.1',
    allowances: CSRF_ALLOWANCES,
  },
  must: 'Replaying an already used callback URL does not sign in again.',
  rationale:
    'Callback URLs end up in browser history, proxy logs and Referer headers. If the client keeps the state ' +
    'valid after use, anyone who later gets hold of the URL can replay it: the client will try to redeem the ' +
    'code again, and a client that does not consume state relies entirely on the provider to refuse.',
  remediation:
    'Delete the pending state (and PKCE verifier and nonce) from the session as soon as the first callback ' +
    'arrives, before doing anything else, so a second delivery of the same URL finds nothing to match. After ' +
    'a successful login, redirect to a URL without the code and state.',
  async run(ctx) {
    const a = await ctx.session('A');
    const first = await completeLogin(ctx, a);
    if (!first.code) stopError('The provider sent no code in the first callback.', 'harness');
    if (!(await a.isSignedIn())) stopError('The first, untampered login did not sign in.', 'target');
    ctx.observe('The first delivery of the callback signed session A in.');

    const b = await ctx.session('B');
    const inB = await deliverCallback(ctx, b, first.callbackUrl, 'same callback URL again in a fresh session');
    const assessment = await assessRejection(ctx, b, inB, first.code);
    await deliverCallback(ctx, a, first.callbackUrl, 'same callback URL again in session A');
    const redemptions = tokenRequestsForCode(ctx, first.code);
    ctx.observe(`The code was sent to the token endpoint ${redemptions.length} time(s) in total.`);
    if (assessment.signedIn) return fail('Replaying the used callback URL in a fresh session signed that session in.');
    if (redemptions.length > 1) {
      return {
        ...fail(
          'The replayed callback was not accepted, but the client sent the used code to the token endpoint again: it ' +
            'does not consume state on use and relied on the provider refusing the code.',
        ),
        requirement: CODE_USED_ONCE,
      };
    }
    return pass('The replayed callback URL was refused without a second token request.');
  },
});
