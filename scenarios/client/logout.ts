/**
 * Signing out: the old session ends at the client (logout.session, web), RP-initiated logout at the
 * provider's end_session_endpoint (logout.rp-initiated, OIDC RP-Initiated Logout 1.0; web and spa,
 * whose sign-out redirects the person's user agent), and back-channel logout from the provider
 * (logout.backchannel and logout.backchannel-validation, OIDC Back-Channel Logout 1.0; web, which has a
 * server to receive it). The provider-side checks need the manifest fields of TARGETS.md §1.1
 * (`client.postLogoutRedirectUris`, `client.backchannelLogoutUri`); without them they are not applicable.
 */
import type { BackchannelLogoutDelivery, Fault, JournalEntry } from '../../mock-idp/types.js';
import type { Session } from '../../harness/types.js';
import type { ClientCheckContext, Outcome, Requirement } from '../types.js';
import { completeLogin, entriesEventually } from '../lib/flow.js';
import { BROWSER_KINDS, defineClientCheck } from '../define.js';
import { fail, pass, stopError, stopNotApplicable } from '../lib/outcome.js';

/** A signed-in session (a login that does not sign in ends the check in `error`). */
async function signedInSession(ctx: ClientCheckContext, name: string): Promise<Session> {
  const session = await ctx.session(name);
  await completeLogin(ctx, session);
  if (!(await session.isSignedIn())) stopError('The login did not sign in.', 'target');
  return session;
}

/** The target's signed-in oracle as a URL with its expected answer (web targets). */
function signedInOracle(ctx: ClientCheckContext): { url: string; status: number; text?: string } {
  const s = ctx.target.signedIn;
  if (!s || !('url' in s)) stopError('The manifest has no `signedIn.url`.', 'configuration');
  return s;
}

/** Why the back-channel checks do not apply to the kinds without a server of their own. */
const BACKCHANNEL_OTHER_KINDS = {
  spa:
    'the provider posts logout tokens to a server of the client (OIDC Back-Channel Logout 2.5), and a browser ' +
    'application has none; its sign-out is tested by logout.rp-initiated and logout.revoke',
  driver:
    'the driver protocol defines no way for a driver to serve the back-channel logout URI; its sign-out is tested ' +
    'by logout.revoke',
} as const;

/** Largest journal sequence number so far, to find what happens after a moment. */
function journalMark(ctx: ClientCheckContext): number {
  return Math.max(0, ...ctx.fullJournal.entries().map((e) => e.seq));
}

/** OWASP: the server side of a session is invalidated when it ends. */
export const logoutSession = defineClientCheck({
  id: 'logout.session',
  title: 'Sign-out ends the session on the server',
  severity: 'medium',
  refs: ['OWASP-SESSION'],
  kinds: ['web'],
  otherKinds: {
    spa:
      'it replays the session cookie of a server-side session, and a browser application keeps its session in the ' +
      'page; its sign-out is tested by logout.revoke and logout.rp-initiated',
    driver: 'a driver has no cookie session to replay; its sign-out is tested by logout.revoke',
  },
  must: 'After sign-out the old session no longer opens the signed-in page.',
  requirement: {
    text:
      'When the session expires, the web application must take active actions to invalidate the session on both ' +
      'sides, client and server. The latter is the most relevant and mandatory from a security perspective.',
    level: 'MUST',
    ref: 'OWASP-SESSION',
  },
  rationale:
    'Signing out must end the session where it lives: on the server. A client that only deletes the cookie in the ' +
    'browser leaves the session valid, so anyone who copied the cookie (a shared computer, malware, a proxy log) ' +
    'stays signed in after the person believes they signed out.',
  remediation:
    'On sign-out, delete the server-side session (or mark it ended) before answering, then clear the cookie. With ' +
    'stateless session cookies, keep a deny-list of ended session ids until they expire.',
  async run(ctx) {
    if (!ctx.target.logout)
      stopNotApplicable('The manifest declares no `logout` URL, so there is no sign-out to test.');
    const oracle = signedInOracle(ctx);
    const session = await signedInSession(ctx, 'login');
    const sent = session
      .transcript()
      .filter((e) => e.url === oracle.url && e.requestHeaders.cookie)
      .at(-1)?.requestHeaders.cookie;
    if (!sent)
      stopError('The signed-in page was opened without any cookie, so there is no session to replay.', 'target');
    const answer = await session.logout();
    ctx.observe(`Sign-out answered ${answer}.`);
    if (answer === 'unsupported') stopNotApplicable('The target declares no way to sign out.');
    const stillIn = await session.isSignedIn();
    ctx.observe(`After sign-out, the same browser is ${stillIn ? 'STILL signed in' : 'signed out'}.`);
    if (stillIn) return fail('After sign-out the same browser still opens the signed-in page.');
    const replay = await ctx.session('replay');
    const res = await replay.request({ url: oracle.url, headers: { cookie: sent } });
    const reopened = res.status === oracle.status && (oracle.text === undefined || res.body.includes(oracle.text));
    ctx.observe(
      `The session cookies from before sign-out, sent again: status ${res.status}, ${reopened ? 'SIGNED IN' : 'not signed in'}.`,
    );
    if (reopened) return fail('The session cookie from before sign-out still opens the signed-in page.');
    return pass('After sign-out the old session cookie no longer opens the signed-in page.');
  },
});

/** The parameters of an end-session request (query, or form body for POST). */
function endSessionParams(e: JournalEntry): URLSearchParams {
  if (e.request.method === 'POST') return new URLSearchParams(e.request.body ?? '');
  return new URL(e.request.url).searchParams;
}

/** OIDC RP-Initiated Logout 2: id_token_hint is RECOMMENDED with a post_logout_redirect_uri. */
const HINT_RECOMMENDED: Requirement = {
  text:
    'id_token_hint RECOMMENDED. ID Token previously issued by the OP to the RP passed to the Logout Endpoint as a ' +
    "hint about the End-User's current authenticated session with the Client. [...] An id_token_hint is also " +
    'RECOMMENDED when this parameter [post_logout_redirect_uri] is included.',
  level: 'RECOMMENDED',
  ref: 'OIDC-RPINIT-2',
};

/** OIDC RP-Initiated Logout 2: the RP requests logout by redirecting to the Logout Endpoint. */
const USES_END_SESSION: Requirement = {
  text:
    "An RP requests that the OP log out the End-User by redirecting the End-User's User Agent to the OP's Logout " +
    'Endpoint.',
  level: 'RECOMMENDED',
  ref: 'OIDC-RPINIT-2',
};

/** RP-initiated logout sends a hint and only a registered post-logout redirect URI. */
export const logoutRpInitiated = defineClientCheck({
  id: 'logout.rp-initiated',
  title: 'RP-initiated logout sends a hint and a registered post-logout URI',
  severity: 'low',
  refs: ['OIDC-RPINIT-2'],
  kinds: BROWSER_KINDS,
  otherKinds: {
    driver:
      "RP-initiated logout redirects the person's user agent to the end_session_endpoint, and the driver " +
      "protocol's `logout` answer carries no URL for the harness to follow",
  },
  must:
    "Signing out at the provider's `end_session_endpoint` sends `id_token_hint` (or `client_id`) and only a registered " +
    '`post_logout_redirect_uri`.',
  requirement: {
    text:
      "post_logout_redirect_uri OPTIONAL. URI to which the RP is requesting that the End-User's User Agent be " +
      'redirected after a logout has been performed. [...] The value MUST have been previously registered with the ' +
      'OP, either using the post_logout_redirect_uris Registration parameter or via another mechanism.',
    level: 'MUST',
    ref: 'OIDC-RPINIT-2',
  },
  rationale:
    'Signing out of your application leaves the person signed in at the provider; the next "Sign in" then succeeds ' +
    'without a password. RP-initiated logout ends the provider session too. The provider sends the person back only ' +
    'to a post-logout URI registered beforehand (anything else would make it an open redirector), and it needs the ' +
    'ID token (`id_token_hint`) or the client id to know which application is asking.',
  remediation:
    'On sign-out, end your own session, then redirect to the `end_session_endpoint` from the discovery document with ' +
    '`id_token_hint` (the ID token of the session), `post_logout_redirect_uri` exactly as registered, and a `state` ' +
    'you check when the person comes back. openid-client builds this URL with `buildEndSessionUrl`.',
  async run(ctx) {
    const registered = ctx.target.client.postLogoutRedirectUris;
    if (!registered) {
      stopNotApplicable(
        'The manifest declares no `client.postLogoutRedirectUris`; declare them to test RP-initiated logout.',
      );
    }
    if (!ctx.idp.endpoints.endSession) stopNotApplicable('The provider profile has no end_session_endpoint.');
    if (!ctx.target.logout)
      stopNotApplicable('The manifest declares no `logout` URL, so there is no sign-out to test.');
    const session = await signedInSession(ctx, 'login');
    const idTokens = new Set(ctx.journal.issued({ kind: 'id_token' }).map((a) => a.value));
    const mark = journalMark(ctx);
    const answer = await session.logout();
    // A browser application redirects once its sign-out work (revocation) is done, after the page answered.
    const requests = await entriesEventually(ctx, (e) => e.endpoint === 'end-session' && e.seq > mark);
    ctx.observe(`Sign-out answered ${answer}; ${requests.length} request(s) reached the end_session_endpoint.`);
    if (requests.length === 0) {
      return {
        verdict: 'fail',
        summary: 'Signing out never sent the person to the provider’s end_session_endpoint.',
        requirement: USES_END_SESSION,
      };
    }
    for (const e of requests) {
      const p = endSessionParams(e);
      const redirect = p.get('post_logout_redirect_uri');
      const hint = p.get('id_token_hint');
      ctx.observe(
        `end_session request: id_token_hint ${hint === null ? 'absent' : idTokens.has(hint) ? 'this login’s ID token' : 'another token'}, ` +
          `client_id ${p.get('client_id') === null ? 'absent' : 'present'}, post_logout_redirect_uri ` +
          `${redirect === null ? 'absent' : JSON.stringify(redirect)}, state ${p.has('state') ? 'present' : 'absent'}; ` +
          `the provider answered ${e.response.status}.`,
      );
      if (redirect !== null && !registered.includes(redirect)) {
        return fail(
          `Signing out asked the provider to redirect to ${JSON.stringify(redirect)}, which is not a registered ` +
            'post_logout_redirect_uri; the provider refused it.',
        );
      }
      if (hint === null && p.get('client_id') === null) {
        return {
          verdict: 'fail',
          summary: 'Signing out sent neither id_token_hint nor client_id, so the provider cannot tell who is asking.',
          requirement: HINT_RECOMMENDED,
        };
      }
    }
    return pass(
      'Signing out went to the provider’s end_session_endpoint with a hint and only a registered post-logout URI.',
    );
  },
});

/** Has the provider end the tag's latest login over the back channel, observing the answer. */
async function deliver(ctx: ClientCheckContext, label: string): Promise<BackchannelLogoutDelivery> {
  const delivery = await ctx.idp.logout.backchannel(ctx.tag);
  ctx.observe(
    `Back-channel logout (${label}) to ${delivery.uri}: the client answered ${delivery.status || `nothing (${delivery.error ?? 'no answer'})`}.`,
    { status: delivery.status, claims: Object.keys(delivery.claims) },
  );
  if (delivery.status === 0) stopError(`The back-channel logout URI did not answer: ${delivery.error ?? ''}`, 'target');
  return delivery;
}

/** Precondition of the back-channel checks: the manifest's URI and a provider that sends logout tokens. */
function requireBackchannel(ctx: ClientCheckContext): void {
  if (!ctx.target.client.backchannelLogoutUri) {
    stopNotApplicable(
      'The manifest declares no `client.backchannelLogoutUri`; declare it to test back-channel logout.',
    );
  }
  if (ctx.idp.metadata.backchannel_logout_supported !== true)
    stopNotApplicable('The provider profile does not support back-channel logout.');
}

const is2xx = (status: number): boolean => status >= 200 && status < 300;

/** OIDC Back-Channel Logout 2.7: the session a valid logout token names ends. */
const CLEARS_SESSION: Requirement = {
  text:
    'After receiving a valid Logout Token from the OpenID Provider, the RP locates the session(s) identified by the ' +
    'iss and sub Claims and/or the sid Claim. The RP then clears any state associated with the identified session(s).',
  level: 'SHOULD',
  ref: 'OIDC-BCL-2.7',
};

/** A valid back-channel logout token ends the person's session. */
export const logoutBackchannel = defineClientCheck({
  id: 'logout.backchannel',
  title: 'A valid back-channel logout token ends the session',
  severity: 'medium',
  refs: ['OIDC-BCL-2.6', 'OIDC-BCL-2.7', 'OIDC-BCL-2.8'],
  kinds: ['web'],
  otherKinds: BACKCHANNEL_OTHER_KINDS,
  must: "A valid back-channel logout token ends the person's session.",
  requirement: {
    text:
      'If the logout succeeded, the RP MUST respond with HTTP 200 OK. [...] If the logout request was invalid or the ' +
      'logout failed, the RP MUST respond with HTTP 400 Bad Request.',
    level: 'MUST',
    ref: 'OIDC-BCL-2.8',
  },
  rationale:
    'When a person signs out at the provider, or an administrator ends their session there, the provider tells every ' +
    'application of that session over the back channel. An application that registered a back-channel logout URI ' +
    'but does not end the session keeps a person signed in whom the provider has signed out, for example after a ' +
    'stolen laptop was reported; answering 200 then tells the provider the logout worked when it did not.',
  remediation:
    'At the back-channel logout URI, validate the logout token (see logout.backchannel-validation), find the sessions ' +
    'of its `sid` (or of `iss` + `sub`), delete them, and answer 200 with `Cache-Control: no-store`; answer 400 when ' +
    'the token is invalid or the logout failed. Store `sid` from the ID token with the session so it can be found.',
  async run(ctx) {
    requireBackchannel(ctx);
    const session = await signedInSession(ctx, 'login');
    const delivery = await deliver(ctx, 'valid token');
    const stillIn = await session.isSignedIn();
    ctx.observe(`After the logout token the person is ${stillIn ? 'STILL signed in' : 'signed out'}.`);
    if (stillIn && is2xx(delivery.status))
      return fail(`The client answered ${delivery.status} to a valid logout token but kept the session.`);
    if (stillIn) {
      return {
        verdict: 'fail',
        summary: `The client refused a valid logout token (status ${delivery.status}) and kept the session.`,
        requirement: CLEARS_SESSION,
      };
    }
    if (!is2xx(delivery.status))
      return fail(`The client ended the session but answered ${delivery.status} instead of 200.`);
    return pass('A valid back-channel logout token ended the session, and the client answered 200.');
  },
});

/** OIDC Back-Channel Logout 2.8: an invalid logout request is answered 400. */
const ANSWER_400: Requirement = {
  text: 'If the logout request was invalid or the logout failed, the RP MUST respond with HTTP 400 Bad Request.',
  level: 'MUST',
  ref: 'OIDC-BCL-2.8',
};

/** The invalid variants, in the order of the validation steps of section 2.6. */
const INVALID_TOKENS: ReadonlyArray<{ fault: Fault; what: string }> = [
  { fault: { name: 'logout-token.alg-none' }, what: 'an unsigned logout token (alg none)' },
  { fault: { name: 'logout-token.bad-signature' }, what: 'a logout token with an invalid signature' },
  {
    fault: { name: 'logout-token.hs256-public-key' },
    what: 'a logout token signed with an unexpected algorithm (HS256 keyed with the provider’s public key)',
  },
  { fault: { name: 'logout-token.wrong-iss' }, what: 'a logout token from another issuer' },
  { fault: { name: 'logout-token.wrong-aud' }, what: 'a logout token for another client' },
  { fault: { name: 'logout-token.expired' }, what: 'an expired logout token' },
  { fault: { name: 'logout-token.no-events' }, what: 'a logout token without the events claim' },
  { fault: { name: 'logout-token.wrong-event' }, what: 'a logout token whose events claim names another event' },
  { fault: { name: 'logout-token.nonce' }, what: 'a logout token with a nonce' },
];

/** Invalid logout tokens are refused and end nothing. */
export const logoutBackchannelValidation = defineClientCheck({
  id: 'logout.backchannel-validation',
  title: 'Invalid back-channel logout tokens are refused',
  severity: 'high',
  refs: ['OIDC-BCL-2.6', 'OIDC-BCL-2.4', 'OIDC-BCL-2.8'],
  kinds: ['web'],
  otherKinds: BACKCHANNEL_OTHER_KINDS,
  faults: INVALID_TOKENS.map((t) => t.fault.name),
  must:
    'Logout tokens with `alg: none`, an unexpected algorithm, a bad signature, a wrong `iss` or `aud`, no `events` ' +
    'claim or one without the back-channel logout event, a `nonce`, or expired are refused and end nothing.',
  requirement: {
    text:
      'Upon receiving a logout request at the back-channel logout URI, the RP MUST validate the Logout Token as ' +
      'follows: [...] If any of the validation steps fails, reject the Logout Token and return an HTTP 400 Bad ' +
      'Request error.',
    level: 'MUST',
    ref: 'OIDC-BCL-2.6',
  },
  rationale:
    'The back-channel logout URI is reachable by anyone who can send it a request. If it ends sessions on tokens it ' +
    'has not validated, an attacker signs every user out at will (denial of service), and an ID token replayed as a ' +
    'logout token (hence the `events` claim and the ban on `nonce`) ends sessions the provider never ended.',
  remediation:
    'Validate a logout token like an ID token (signature with the provider’s keys, `alg` from an allow-list and never ' +
    '`none`, `iss`, `aud`, `iat`, `exp`), then require `sub` or `sid`, an `events` claim containing ' +
    '`http://schemas.openid.net/event/backchannel-logout`, and no `nonce`; answer 400 and end nothing when any step ' +
    'fails. Prefer a library that implements it (openid-client has no helper; jose `jwtVerify` with `typ`, issuer, ' +
    'audience and required claims does most of it).',
  async run(ctx): Promise<Outcome> {
    requireBackchannel(ctx);
    // Control: a client that ends nothing on a valid token refuses invalid ones trivially; that shows nothing.
    const control = await signedInSession(ctx, 'control');
    const valid = await deliver(ctx, 'valid control token');
    if (await control.isSignedIn()) {
      stopNotApplicable(
        `A valid logout token did not end the session (status ${valid.status}), so refusing invalid ones would show ` +
          'nothing (see logout.backchannel).',
      );
    }
    // One session receives every invalid token in turn: a client that refuses one keeps the session as it
    // was, and the first token that ends it fails the check (then no later token is sent). A session that
    // only ends after several invalid tokens is a failure as well, which a fresh session per token would
    // not show. The tokens name the session's `sid` and `sub`, each with its own `jti`.
    const session = await signedInSession(ctx, 'faulted');
    for (const { fault, what } of INVALID_TOKENS) {
      ctx.idp.faults.clear(ctx.tag);
      ctx.arm(fault);
      const delivery = await deliver(ctx, fault.name);
      ctx.idp.faults.clear(ctx.tag);
      const stillIn = await session.isSignedIn();
      ctx.observe(`After ${what}: ${stillIn ? 'still signed in' : 'SIGNED OUT'}.`);
      if (!stillIn) return fail(`The client ended the session on ${what}.`);
      if (is2xx(delivery.status)) {
        return {
          verdict: 'fail',
          summary: `The client answered ${delivery.status} to ${what} instead of 400 (the session was kept).`,
          requirement: ANSWER_400,
        };
      }
    }
    return pass('The client refused every invalid logout token with an error and kept the session.');
  },
});
