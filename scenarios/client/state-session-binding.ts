/**
 * state.session-binding: a valid callback of session A delivered in session B is refused (login CSRF,
 * RFC 9700 §4.7, RFC 6819 §5.3.5).
 */
import {
  approveToCallback,
  assessRejection,
  beginLogin,
  callbackParams,
  deliverCallback,
  rejectionOutcome,
} from '../lib/flow.js';
import { defineClientCheck } from '../define.js';
import { stopError } from '../lib/outcome.js';
import type { Requirement } from '../types.js';

/** Defence in depth beyond the CSRF MUST: the client refuses the foreign callback itself. */
const REFUSE_BEFORE_REDEEMING: Requirement = {
  text: 'A callback the session did not start is refused before the code is redeemed, so the defence does not rest on the provider alone (defence in depth beyond RFC 9700 2.1).',
  level: 'RECOMMENDED',
  ref: 'RFC9700-2.1',
};

/** Session A's state+code must not sign in session B. */
export const stateSessionBinding = defineClientCheck({
  id: 'state.session-binding',
  title: 'Callback is bound to the session that started the login',
  severity: 'high',
  refs: ['RFC9700-4.7', 'RFC6819-5.3.5'],
  requirement: {
    text: 'Clients MUST prevent Cross-Site Request Forgery (CSRF). In this context, CSRF refers to requests to the redirection endpoint that do not originate at the authorization server, but a malicious third party.',
    level: 'MUST',
    ref: 'RFC9700-2.1',
  },
  must: "Session A's valid state+code delivered in session B is rejected (login CSRF).",
  rationale:
    'This is the login CSRF attack itself: the attacker starts a login in their own browser, approves it with ' +
    'their own account, and instead of finishing sends the callback link to a victim. If the client accepts a ' +
    'state that belongs to another browser session (for example because it keeps valid states in one global ' +
    'list, or skips the check when the session has none), the victim ends up signed in as the attacker.',
  remediation:
    'Store the state in the session of the browser that started the login (a server-side session keyed by an ' +
    'HttpOnly cookie, or sessionStorage in a browser app), never in a process-wide list. On the callback, ' +
    'refuse it when this session has no pending login or its state differs.',
  async run(ctx) {
    const a = await ctx.session('A');
    const request = await beginLogin(ctx, a);
    const { callbackUrl } = await approveToCallback(ctx, a, request);
    const code = callbackParams(callbackUrl).code;
    ctx.observe(
      'Session A approved its login at the provider; its callback is delivered in a fresh session B instead.',
    );
    const b = await ctx.session('B');
    const inB = await deliverCallback(ctx, b, callbackUrl, "session A's callback in session B");
    const assessment = await assessRejection(ctx, b, inB, code);
    const outcome = rejectionOutcome(assessment, "another session's callback");
    // Redeemed but nobody signed in: the provider refused the code (PKCE bound it to session A), so
    // the CSRF defence held; only the client's own refusal before redeeming was missing.
    if (outcome.verdict === 'fail' && !assessment.signedIn) return { ...outcome, requirement: REFUSE_BEFORE_REDEEMING };
    if (outcome.verdict !== 'pass') return outcome;
    // Positive control: the same callback in the session that started the login is accepted, so B's
    // refusal was about the session and not a broken client.
    await deliverCallback(ctx, a, callbackUrl, "session A's own callback");
    const signedInA = await a.isSignedIn();
    ctx.observe(`Session A with its own callback: ${signedInA ? 'signed in' : 'NOT signed in'}.`);
    if (!signedInA) {
      stopError('The client did not accept the callback in the session that started the login either.', 'target');
    }
    return outcome;
  },
});
