/** state.present: the authorization request carries `state` (RFC 6749 §10.12). */
import { ordinaryRequest } from '../lib/flow.js';
import { defineClientCheck } from '../define.js';
import { fail, pass } from '../lib/outcome.js';
import { CSRF_ALLOWANCES } from '../lib/allowances.js';

/** The authorization request carries a non-empty `state`. */
export const statePresent = defineClientCheck({
  id: 'state.present',
  title: 'Authorization request carries state',
  severity: 'high',
  refs: ['RFC6749-10.12', 'RFC9700-2.1'],
  requirement: {
    text: 'Clients MUST prevent Cross-Site Request Forgery (CSRF). [...] Otherwise, one-time use CSRF tokens carried in the state parameter that are securely bound to the user agent MUST be used for CSRF protection.',
    level: 'MUST',
    ref: 'RFC9700-2.1',
    allowances: CSRF_ALLOWANCES,
  },
  must: 'The authorization request carries `state`.',
  rationale:
    'When the provider sends the person back to your callback, your application needs a way to know that this ' +
    'person actually started that login in this browser. Without `state`, an attacker can start a login with ' +
    'their own account, stop before the callback, and trick a victim into opening the callback link: the victim ' +
    'is then signed in to the attacker’s account (login CSRF) and may enter private data into it.',
  remediation:
    'Before redirecting to the provider, generate a fresh random value (at least 128 bits from a cryptographic ' +
    'random generator), store it in the person’s session and send it as `state`. On the callback, compare the ' +
    'returned `state` with the stored one and refuse the callback when they differ or either is missing.',
  async run(ctx) {
    const request = await ordinaryRequest(ctx);
    const state = request.params.state;
    ctx.observe(state ? `state is present (${state.length} characters).` : 'The authorization request has no state.');
    return state
      ? pass('The authorization request carries a state parameter.')
      : fail('The authorization request carries no state parameter.');
  },
});
