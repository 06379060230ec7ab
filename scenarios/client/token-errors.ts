/**
 * token-error.handled and token-response.malformed: an error or garbage from the token endpoint ends
 * the login with a clean error, never a crash or a session (RFC 6749 §5.1, §5.2).
 */
import type { Fault } from '../../mock-idp/types.js';
import type { ClientCheckContext, Requirement } from '../types.js';
import { completeLogin, controlLogin, tokenRequestsForCode } from '../lib/flow.js';
import { hasStackTrace, mentionsError } from '../lib/page.js';
import { defineClientCheck } from '../define.js';
import { fail, pass, stopError, warn } from '../lib/outcome.js';

interface FaultedTokenResult {
  signedIn: boolean;
  serverError: boolean;
  stackTrace: boolean;
  errorShown: boolean;
}

async function loginWithTokenFault(ctx: ClientCheckContext, fault: Fault, label: string): Promise<FaultedTokenResult> {
  ctx.idp.faults.clear(ctx.tag);
  ctx.arm(fault);
  ctx.observe(`Armed ${fault.name}${'variant' in fault ? ` (${fault.variant})` : ''}.`);
  const session = await ctx.session(label);
  const login = await completeLogin(ctx, session);
  if (!login.code || tokenRequestsForCode(ctx, login.code).length === 0) {
    stopError('The client did not send a token request, so it never saw the token endpoint’s answer.', 'target');
  }
  const signedIn = await session.isSignedIn();
  const body = login.callback.body ?? '';
  const web = ctx.target.kind !== 'driver';
  const r: FaultedTokenResult = {
    signedIn,
    serverError: web && (login.callback.status ?? 0) >= 500,
    stackTrace: web && hasStackTrace(body),
    errorShown: web ? mentionsError(body) : login.callback.ok === false,
  };
  ctx.observe(
    `${signedIn ? 'SIGNED IN' : 'not signed in'}${web ? `, status ${login.callback.status}` : ''}` +
      `${r.stackTrace ? ', stack trace in the page' : ''}${r.errorShown ? ', an error is shown' : ', no error shown'}.`,
  );
  return r;
}

/** `invalid_grant` from the token endpoint: error shown, no 5xx, no stack trace. */
export const tokenErrorHandled = defineClientCheck({
  id: 'token-error.handled',
  title: 'Token endpoint errors are handled',
  severity: 'low',
  refs: ['RFC6749-5.2'],
  requirement: {
    text: "An error response of the token endpoint ends the login: a robust client tells the person and does not fail with a server error (RFC 6749 5.2 defines the response, not the client's reaction).",
    level: 'RECOMMENDED',
    ref: 'RFC6749-5.2',
  },
  faults: ['token.invalid-grant'],
  must: 'Token endpoint answers `invalid_grant`: error shown, no 5xx, no stack trace.',
  rationale:
    'Codes expire after a minute, are single-use, and can be refused for many reasons, so the token endpoint ' +
    'answering `invalid_grant` is normal. Clients that only handle success crash with a 500 or print a stack ' +
    'trace that reveals internals, and leave the person stuck.',
  remediation:
    'Check the token response status; on a 4xx, read the RFC 6749 error JSON, log the `error` code (not the ' +
    'code or tokens), and show a short "sign-in failed, please try again" page with a 4xx status. Never let ' +
    'the exception reach the framework’s default error handler.',
  async run(ctx) {
    await controlLogin(ctx);
    const r = await loginWithTokenFault(ctx, { name: 'token.invalid-grant' }, 'invalid-grant');
    if (r.signedIn) return fail('The client signed the person in although the token endpoint answered invalid_grant.');
    if (r.serverError) return fail('The client answered invalid_grant with a server error (5xx).');
    if (r.stackTrace) return fail('The client showed a stack trace for invalid_grant.');
    if (!r.errorShown) return warn('The client refused the login but told the person nothing about an error.');
    return pass('The client handled invalid_grant with a clean error.');
  },
});

const VARIANTS = ['no-access-token', 'wrong-token-type', 'not-json'] as const;

/** What a client that refused the token without using it, but crashed, falls short of. */
const CLEAN_REFUSAL: Requirement = {
  text: 'A refused token response ends the login with a clean error page, not a server error or a stack trace (robustness; RFC 6749 5.1 defines the response, not the reaction).',
  level: 'RECOMMENDED',
  ref: 'RFC6749-5.1',
};

/** A malformed token response is refused without a crash. */
export const tokenResponseMalformed = defineClientCheck({
  id: 'token-response.malformed',
  title: 'Malformed token response is rejected',
  severity: 'medium',
  refs: ['RFC6749-5.1'],
  requirement: {
    text: 'The client MUST NOT use an access token if it does not understand the token type.',
    level: 'MUST',
    ref: 'RFC6749-7.1',
  },
  faults: ['token.malformed'],
  must: 'A malformed token response (no access_token, wrong token_type) is rejected, no crash.',
  rationale:
    'A token response without `access_token`, with a `token_type` the client does not understand, or that is ' +
    'not JSON at all must not produce a session. Clients that do not validate it store `undefined` as the token ' +
    'and sign the person in anyway, or crash; RFC 6749 §7.1 says a client must not use a token whose type it ' +
    'does not understand.',
  remediation:
    'Validate the token response with a schema: JSON object, `access_token` a non-empty string, `token_type` ' +
    'equal to "Bearer" (case-insensitive). Treat anything else as a failed login with a clean error page.',
  async run(ctx) {
    await controlLogin(ctx);
    for (const variant of VARIANTS) {
      const r = await loginWithTokenFault(ctx, { name: 'token.malformed', variant }, variant);
      if (r.signedIn) return fail(`The client signed the person in with a malformed token response (${variant}).`);
      if (r.serverError || r.stackTrace) {
        return {
          ...fail(
            `The client refused a malformed token response (${variant}) but crashed doing so: ${r.serverError ? 'server error' : 'stack trace'}.`,
          ),
          requirement: CLEAN_REFUSAL,
        };
      }
    }
    return pass(`The client refused all malformed token responses (${VARIANTS.join(', ')}) without crashing.`);
  },
});
