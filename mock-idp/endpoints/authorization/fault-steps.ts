import { RedirectRefusal, type AuthorizationFlow } from './flow.js';

/**
 * The per-login faults applied at the authorization endpoint and in its response. They run only for a
 * login with the fault armed (see the table in `../authorization.ts`).
 */

/**
 * `authorize.reject-s256`: an S256 request is refused with `invalid_request`, and `plain` is accepted
 * for the login so that a downgrade retry is observable.
 */
export function rejectS256(flow: AuthorizationFlow): void {
  if (flow.ctx.built.pkceMethods.length === 0 || flow.responseType !== 'code') return;
  const challenge = flow.params.code_challenge;
  if (challenge !== undefined && challenge !== '' && flow.params.code_challenge_method === 'S256') {
    throw new RedirectRefusal('invalid_request', 'code_challenge_method S256 is not supported');
  }
  flow.allows.add('plain-pkce');
}

/** The `callback.*` faults: change the success response's parameters. */
export function applyCallbackFault(flow: AuthorizationFlow): void {
  const { ctx, tag } = flow;
  const fault = ctx.faults.at(tag, 'authorization response');
  const out = flow.response;
  switch (fault?.name) {
    case 'callback.state-altered':
      out.state = ctx.values.next('state', tag);
      break;
    case 'callback.state-missing':
      delete out.state;
      break;
    case 'callback.code-missing':
      delete out.code;
      break;
    case 'callback.error': {
      const { state, iss } = out;
      flow.response = {
        error: fault.error,
        ...(fault.errorDescription !== undefined ? { error_description: fault.errorDescription } : {}),
        ...(state !== undefined ? { state } : {}),
        ...(iss !== undefined ? { iss } : {}),
      };
      break;
    }
    case 'callback.iss-wrong':
      out.iss = 'https://issuer.invalid';
      break;
    case 'callback.iss-other':
      out.iss = fault.issuer;
      break;
    case 'callback.iss-missing':
      delete out.iss;
      break;
    default:
      break;
  }
}
