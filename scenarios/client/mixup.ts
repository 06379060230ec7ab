/**
 * mixup.iss and mixup.token-endpoint: a client of two providers keeps each login bound to the provider
 * it started at (RFC 9700 §4.4, RFC 9207). They apply to a manifest with `"providers": 2` (TARGETS.md
 * §1.1): the run then has a second mock issuer with the same client registered, and both issuers send
 * RFC 9207 `iss`. Logins start at the first provider (the manifest's `login.url` / driver `authorize`).
 */
import type { JournalEntry, MockIdp } from '../../mock-idp/types.js';
import type { AuthorizationRequest } from '../../harness/types.js';
import { defineClientCheck } from '../define.js';
import {
  approveToCallback,
  beginLogin,
  callbackParams,
  controlLogin,
  deliverCallback,
  rejectionOutcome,
} from '../lib/flow.js';
import { hasStackTrace } from '../lib/page.js';
import { fail, pass, stopError, stopNotApplicable } from '../lib/outcome.js';
import type { ClientCheckContext } from '../types.js';

const RATIONALE =
  'A client that signs people in with two providers must remember, for each login, which provider it sent the ' +
  'person to, and finish the login only with that provider. In a "mix-up" attack (RFC 9700 §4.4.1) one of the ' +
  'providers is the attacker’s: the person starts a login there, the attacker passes the request on to the honest ' +
  'provider, and the honest provider’s code comes back to the client. A client that then redeems the code at the ' +
  'token endpoint of the provider the login started at hands the code (and its PKCE verifier) to the attacker.';

/** RFC 9700 4.4.2: the rule both checks test, in its own words. */
const PREVENT_MIXUP =
  'In scenarios where an OAuth client interacts with two or more authorization servers, however, clients MUST ' +
  'prevent mix-up attacks.';

/** The run's second provider, or the check ends `not-applicable` naming the manifest field. */
export function secondProvider(ctx: ClientCheckContext): MockIdp {
  if ((ctx.target.providers ?? 1) < 2 || !ctx.idp2) {
    stopNotApplicable(
      'The manifest does not declare `providers`; set "providers": 2 for a client configured for two providers ' +
        '(the harness then runs a second issuer, {{idp2.*}}).',
    );
  }
  return ctx.idp2;
}

/**
 * With PAR the front channel carries only a `request_uri` the first provider issued; forwarding it means
 * nothing to the second, and pushing the request again takes the client's credentials there. The
 * staged attack needs a request it can pass on as it is.
 */
function forwardable(ctx: ClientCheckContext): void {
  if (ctx.target.client.par === true) {
    stopNotApplicable(
      'The client pushes its authorization requests (client.par): the request the person carries holds only a ' +
        '`request_uri` of the first provider, so it cannot be passed on to the second as in RFC 9700 §4.4.1.',
    );
  }
}

/** Token requests at `idp` that carried `code` (codes are unique per issuer; the journal is searched whole). */
function redemptionsAt(idp: MockIdp, code: string): JournalEntry[] {
  return idp.journal.entries({ endpoint: 'token' }).filter((e) => e.token?.code === code);
}

/** The authorization request as the attacker passes it on: same parameters, another authorization endpoint. */
function forwardTo(request: AuthorizationRequest, authorizationEndpoint: string): AuthorizationRequest {
  const url = new URL(authorizationEndpoint);
  for (const [k, v] of new URL(request.url).searchParams) url.searchParams.append(k, v);
  return { url: url.href, params: Object.fromEntries(url.searchParams) };
}

/** A response from the provider the login did not start at is refused. */
export const mixupIss = defineClientCheck({
  id: 'mixup.iss',
  title: 'A response from the other provider is refused',
  severity: 'high',
  refs: ['RFC9700-4.4.2', 'RFC9207-2.4'],
  requirement: {
    text: PREVENT_MIXUP,
    level: 'MUST',
    ref: 'RFC9700-4.4.2',
    // No allowance: RFC 9700 4.4.2.1 (compare `iss` with the stored issuer) and 4.4.2.2 (a distinct
    // redirect URI per issuer) are two ways to meet this MUST, not conditions under which it lapses; the
    // check observes the abort whichever defence produced it.
  },
  must: 'A client of two providers refuses an authorization response that comes from the provider the login did not start at.',
  rationale:
    `${RATIONALE} RFC 9207 lets the client notice: every response names its issuer in \`iss\`, and a client ` +
    'that compares it with the issuer it stored for the login refuses the honest provider’s response before the code ' +
    'goes anywhere.',
  remediation:
    'Store the issuer of the provider you send the person to together with `state`, in their session. On the ' +
    'callback, require `iss` to equal that stored issuer (simple string comparison, RFC 9207 §2.4) before anything ' +
    'else, and never redeem the code otherwise. openid-client and oauth4webapi do this when they are given the ' +
    'configuration of the provider the login started at.',
  async run(ctx) {
    const idp2 = secondProvider(ctx);
    forwardable(ctx);
    await controlLogin(ctx);
    const session = await ctx.session('mixup');
    const request = await beginLogin(ctx, session);
    // RFC 9700 4.4.1 step 3: the provider the login started at (the first, playing the attacker's) sends
    // the browser on to the other provider's authorization endpoint. The client is registered there with
    // the same id and redirect URI, so the request is passed on unchanged.
    const forwarded = forwardTo(request, idp2.endpoints.authorization);
    ctx.observe(`Passed the authorization request on to the second provider (${idp2.issuer}), unchanged.`);
    const { callbackUrl } = await approveToCallback(ctx, session, forwarded);
    const params = callbackParams(callbackUrl);
    const code = params.code;
    if (!code)
      stopError('The second provider redirected back without a code, so there is nothing to judge.', 'harness');
    ctx.observe(
      `The second provider redirected back with a code and iss ${params.iss === undefined ? 'absent' : JSON.stringify(params.iss)} ` +
        `(the login started at ${JSON.stringify(ctx.idp.issuer)}).`,
    );
    const callback = await deliverCallback(ctx, session, callbackUrl, 'callback from the second provider');
    const signedIn = await session.isSignedIn();
    const atFirst = redemptionsAt(ctx.idp, code);
    const atSecond = redemptionsAt(idp2, code);
    ctx.observe(
      `After the callback: ${atFirst.length} token request(s) with the code at the first provider (where the login ` +
        `started), ${atSecond.length} at the second (which issued it); ${signedIn ? 'signed in' : 'not signed in'}.`,
      {
        first: atFirst.map((e) => ({ seq: e.seq, outcome: e.token?.outcome })),
        second: atSecond.map((e) => ({ seq: e.seq, outcome: e.token?.outcome })),
      },
    );
    if (atFirst.length > 0) {
      return fail(
        'The client sent the code the second provider issued to the token endpoint of the provider the login ' +
          'started at: an attacker operating that provider would now hold the code and its PKCE verifier.',
      );
    }
    return rejectionOutcome(
      {
        redemptions: atSecond,
        signedIn,
        serverError: ctx.target.kind !== 'driver' && (callback.status ?? 0) >= 500,
        stackTrace: ctx.target.kind !== 'driver' && hasStackTrace(callback.body ?? ''),
      },
      'a response of the second provider to a login started at the first',
    );
  },
});

/** The code is redeemed only at the token endpoint of the provider the login started at. */
export const mixupTokenEndpoint = defineClientCheck({
  id: 'mixup.token-endpoint',
  title: 'Codes are redeemed at the provider the login started at',
  severity: 'high',
  refs: ['RFC9700-4.4.1', 'RFC9700-4.4.2'],
  requirement: {
    text:
      'For both defenses, clients MUST store, for each authorization request, the issuer they sent the ' +
      'authorization request to and bind this information to the user agent. The issuer serves, via the ' +
      'associated metadata, as an abstract identifier for the combination of the authorization endpoint and ' +
      'token endpoint that are to be used in the flow.',
    level: 'MUST',
    ref: 'RFC9700-4.4.2',
  },
  faults: ['callback.iss-other'],
  must: 'A client of two providers redeems a code only at the token endpoint of the provider the login started at.',
  rationale:
    `${RATIONALE} The token endpoint must therefore come from what the client stored when the login started, ` +
    'never from the response (its `iss`, a parameter) or from whichever provider was used last: the response ' +
    'passes through the browser, and an attacker who can name the provider there collects the code.',
  remediation:
    'Keep the provider (its issuer and configuration) in the person’s session with `state` when the login ' +
    'starts, and finish the login with exactly that configuration. Use `iss` only to compare, never to look a ' +
    'provider up; keep nothing about the login in process-wide variables.',
  async run(ctx) {
    const idp2 = secondProvider(ctx);
    await controlLogin(ctx);
    ctx.arm({ name: 'callback.iss-other', issuer: idp2.issuer });
    ctx.observe(`Armed callback.iss-other: the first provider's response names the second (${idp2.issuer}) in iss.`);
    const session = await ctx.session('mixup');
    const request = await beginLogin(ctx, session);
    const { callbackUrl } = await approveToCallback(ctx, session, request);
    const code = callbackParams(callbackUrl).code;
    if (!code) stopError('The provider redirected back without a code, so there is nothing to judge.', 'harness');
    await deliverCallback(ctx, session, callbackUrl, 'callback naming the second provider');
    // The signed-in oracle first: a browser application redeems asynchronously; by the time it has
    // answered, any redemption has been journaled.
    const signedIn = await session.isSignedIn();
    const atFirst = redemptionsAt(ctx.idp, code);
    const atSecond = redemptionsAt(idp2, code);
    ctx.observe(
      `After the callback: ${atFirst.length} token request(s) with the code at the first provider (where the login ` +
        `started and which issued it), ${atSecond.length} at the second; ${signedIn ? 'signed in' : 'not signed in'}.`,
    );
    if (atSecond.length > 0) {
      return fail(
        'The client redeemed the code at the token endpoint of the provider the response’s iss named, not of the ' +
          'provider the login started at: whoever controls that value collects the code.',
      );
    }
    if (atFirst.length > 0)
      return pass('The client redeemed the code only at the token endpoint of the provider the login started at.');
    return pass('The client refused the response that named the other provider and redeemed the code nowhere.');
  },
});
