/**
 * callback.missing-code and callback.error-response: an authorization response without a code, or
 * with an error, ends in a clean error page (RFC 6749 §4.1.2, §4.1.2.1).
 */
import type { Fault, JournalEntry } from '../../mock-idp/types.js';
import type { ClientCheck, ClientCheckContext, Outcome } from '../types.js';
import { approveToCallback, beginLogin, controlLogin, deliverCallback } from '../lib/flow.js';
import { hasStackTrace, mentionsError } from '../lib/page.js';
import { s256 } from '../lib/pkce.js';
import { defineClientCheck } from '../define.js';
import { fail, pass, warn } from '../lib/outcome.js';

/**
 * Token requests after `mark` that belong to this check: tagged with its tag, or redeeming a code the
 * provider never issued (`code=`, `code=undefined`): a client that redeems a missing code sends junk the
 * provider cannot attribute to any login by its code. Such a request is attributed by its PKCE verifier
 * instead: it belongs to the login whose authorization request carried the matching challenge, so a
 * concurrent check's junk request is not counted here. Without a verifier that matches any
 * authorization request, it cannot be attributed and counts.
 */
function tokenRequestsSince(ctx: ClientCheckContext, mark: number): JournalEntry[] {
  const issued = new Set(ctx.fullJournal.secrets().map((a) => a.value));
  const authorizations = ctx.fullJournal.entries({ endpoint: 'authorization' });
  const loginOf = (verifier: string | undefined): JournalEntry | undefined => {
    if (!verifier) return undefined;
    const challenges = new Set([s256(verifier), verifier]);
    return authorizations.find((a) => challenges.has(a.authorization?.params.code_challenge ?? ''));
  };
  return ctx.fullJournal.entries({ endpoint: 'token' }).filter((e) => {
    if (e.seq <= mark) return false;
    if (e.tag === ctx.tag) return true;
    const junk =
      e.token?.grantType === 'authorization_code' &&
      e.token.clientId === ctx.target.client.id &&
      !issued.has(e.token.code ?? '');
    if (!junk) return false;
    const login = loginOf(e.token?.codeVerifier);
    return login === undefined || login.tag === ctx.tag;
  });
}

/**
 * Control login, then a login whose callback carries no code (or an error). Passes when the client
 * sent no token request, did not sign in, did not crash, and (web/spa) showed an error.
 */
function unsuccessfulCallbackRun(fault: Fault, what: string): ClientCheck['run'] {
  return async (ctx: ClientCheckContext): Promise<Outcome> => {
    await controlLogin(ctx);
    const mark = Math.max(0, ...ctx.fullJournal.entries().map((e) => e.seq));
    ctx.arm(fault);
    ctx.observe(`Armed the provider fault ${fault.name}.`);
    const session = await ctx.session('faulted');
    const request = await beginLogin(ctx, session);
    const { callbackUrl } = await approveToCallback(ctx, session, request);
    const callback = await deliverCallback(ctx, session, callbackUrl, what);
    const signedIn = await session.isSignedIn();
    const tokenRequests = tokenRequestsSince(ctx, mark).length;
    const body = callback.body ?? '';
    const serverError = ctx.target.kind !== 'driver' && (callback.status ?? 0) >= 500;
    const stackTrace = hasStackTrace(body);
    ctx.observe(
      `After ${what}: ${tokenRequests} token request(s), ${signedIn ? 'signed in' : 'not signed in'}, ` +
        `${ctx.target.kind === 'driver' ? `driver answered ${callback.ok ? 'ok' : 'not ok'}` : `status ${callback.status}`}` +
        `${stackTrace ? ', stack trace in the page' : ''}.`,
    );
    if (signedIn) return fail(`The client signed the person in after ${what}.`);
    if (tokenRequests > 0) return fail(`The client called the token endpoint after ${what}.`);
    if (serverError) return fail(`The client crashed on ${what} (status ${callback.status}).`);
    if (stackTrace) return fail(`The client showed a stack trace for ${what}.`);
    if (ctx.target.kind !== 'driver' && !mentionsError(body)) {
      return warn(`The client refused ${what} but its page says nothing about an error.`);
    }
    return pass(`The client refused ${what} cleanly: no token request, not signed in, no crash.`);
  };
}

/** A callback with state but no code: clean error, no token request, no 5xx. */
export const callbackMissingCode = defineClientCheck({
  id: 'callback.missing-code',
  title: 'Callback without code is handled cleanly',
  severity: 'low',
  refs: ['RFC6749-4.1.2'],
  requirement: {
    text: "A callback without a code is an invalid authorization response: a robust client shows a clean error and sends no token request (no sentence of RFC 6749 4.1.2 prescribes the client's reaction).",
    level: 'RECOMMENDED',
    ref: 'RFC6749-4.1.2',
  },
  faults: ['callback.code-missing'],
  must: 'Valid state but no code: clean error, no token request, no 5xx.',
  rationale:
    'Anyone can open your callback URL with whatever parameters they like. Code that assumes `code` is always ' +
    'there crashes with an exception, returns a 500 and sometimes a stack trace that reveals file paths and ' +
    'library versions, or sends `code=undefined` to the provider.',
  remediation:
    'Validate the callback parameters before using them: when `code` is missing or empty, show a short error ' +
    'page ("the sign-in could not be completed") with a 400 status and do not call the token endpoint. Wrap the ' +
    'whole callback handler so that no unexpected input can reach the framework’s default error page.',
  run: unsuccessfulCallbackRun({ name: 'callback.code-missing' }, 'a callback without code'),
});

/** `error=access_denied`: no token request, error shown, no 5xx. */
export const callbackErrorResponse = defineClientCheck({
  id: 'callback.error-response',
  title: 'Error callback is handled cleanly',
  severity: 'low',
  refs: ['RFC6749-4.1.2.1'],
  requirement: {
    text: 'An error response (RFC 6749 4.1.2.1) ends the login: a robust client tells the person and sends no token request (the RFC prescribes no client reaction).',
    level: 'RECOMMENDED',
    ref: 'RFC6749-4.1.2.1',
  },
  faults: ['callback.error'],
  must: '`error=access_denied`: no token request, error shown, no 5xx.',
  rationale:
    'When a person declines the consent screen or the provider refuses the request, the provider redirects back ' +
    'with `error=access_denied` instead of a code. Clients that do not expect this crash, loop back to the ' +
    'provider forever, or leave the person on a blank page without knowing what happened.',
  remediation:
    'Check for the `error` parameter first on the callback. If present, clear the pending login, show a ' +
    'friendly message (optionally mentioning the escaped `error` code) and a link to try again; never call the ' +
    'token endpoint.',
  run: unsuccessfulCallbackRun(
    { name: 'callback.error', error: 'access_denied', errorDescription: 'The person declined the request' },
    'a callback with error=access_denied',
  ),
});
