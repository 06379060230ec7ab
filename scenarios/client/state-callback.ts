/**
 * state.mismatch and state.missing: a callback whose state was altered or removed by the provider is
 * refused (RFC 6749 §10.12, RFC 9700 §4.7).
 */
import type { Fault } from '../../mock-idp/types.js';
import type { ClientCheck } from '../types.js';
import {
  approveToCallback,
  assessRejection,
  beginLogin,
  callbackParams,
  controlLogin,
  deliverCallback,
  rejectionOutcome,
} from '../lib/flow.js';
import { defineClientCheck } from '../define.js';
import { stopNotApplicable } from '../lib/outcome.js';
import { CSRF_ALLOWANCES } from '../lib/allowances.js';

/**
 * Runs a control login, then a login with `fault` armed, and applies the rejection oracle to the
 * tampered callback.
 */
export function tamperedCallbackRun(
  fault: Fault,
  what: string,
  opts: { needsState?: boolean } = {},
): ClientCheck['run'] {
  return async (ctx) => {
    await controlLogin(ctx);
    ctx.arm(fault);
    ctx.observe(`Armed the provider fault ${fault.name}.`);
    const session = await ctx.session('tampered');
    const request = await beginLogin(ctx, session);
    // RFC 6749 4.1.2: state comes back "if the "state" parameter was present in the client authorization
    // request". Without one there is nothing to alter or remove; state.present judges its absence.
    if (opts.needsState && !request.params.state)
      stopNotApplicable(
        'The authorization request carries no state, so there is none to tamper with (see state.present).',
      );
    const { callbackUrl } = await approveToCallback(ctx, session, request);
    const params = callbackParams(callbackUrl);
    ctx.observe(`The provider's redirect carries ${Object.keys(params).join(', ') || 'no parameters'}.`, {
      sentState: request.params.state,
      returnedState: params.state,
    });
    const callback = await deliverCallback(ctx, session, callbackUrl, 'tampered callback');
    const a = await assessRejection(ctx, session, callback, params.code);
    return rejectionOutcome(a, what);
  };
}

/** A callback with an altered state is refused. */
export const stateMismatch = defineClientCheck({
  id: 'state.mismatch',
  title: 'Callback with an altered state is rejected',
  severity: 'high',
  refs: ['RFC6749-10.12', 'RFC9700-4.7'],
  requirement: {
    text: "The client MUST implement CSRF protection for its redirection URI [...] by requiring any request sent to the redirection URI endpoint to include a value that binds the request to the user-agent's authenticated state.",
    level: 'MUST',
    ref: 'RFC6749-10.12',
    allowances: CSRF_ALLOWANCES,
  },
  faults: ['callback.state-altered'],
  must: 'A callback with an altered state is rejected: code not redeemed, not signed in.',
  rationale:
    'Sending `state` is only half of the protection: the callback must also be compared with what was stored. ' +
    'A client that accepts any state value redeems codes an attacker injected into the victim’s browser, which ' +
    'signs the victim in to the attacker’s account (login CSRF) or attaches the attacker’s account to theirs.',
  remediation:
    'On the callback, look up the state stored in the person’s session and compare it with the `state` ' +
    'parameter using a constant-time comparison. If they differ, show an error and stop before calling the ' +
    'token endpoint. Delete the stored state after the first callback, whatever its outcome.',
  run: tamperedCallbackRun({ name: 'callback.state-altered' }, 'a callback whose state had been altered', {
    needsState: true,
  }),
});

/** A callback without state is refused. */
export const stateMissing = defineClientCheck({
  id: 'state.missing',
  title: 'Callback without state is rejected',
  severity: 'high',
  refs: ['RFC6749-10.12'],
  requirement: {
    text: "The client MUST implement CSRF protection for its redirection URI [...] by requiring any request sent to the redirection URI endpoint to include a value that binds the request to the user-agent's authenticated state.",
    level: 'MUST',
    ref: 'RFC6749-10.12',
    allowances: CSRF_ALLOWANCES,
  },
  faults: ['callback.state-missing'],
  must: 'A callback without state is rejected.',
  rationale:
    'A common bug checks state only when it is present, e.g. `if (query.state && query.state !== saved)`. An ' +
    'attacker then simply leaves `state` out of the forged callback link and the check is skipped, which ' +
    're-opens login CSRF.',
  remediation:
    'Treat a missing `state` exactly like a wrong one: refuse the callback before redeeming the code. Write the ' +
    'comparison so that both sides must be present and equal (e.g. `if (!saved || query.state !== saved) reject()`).',
  run: tamperedCallbackRun({ name: 'callback.state-missing' }, 'a callback without state', { needsState: true }),
});
