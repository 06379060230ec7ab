/**
 * native.loopback-redirect: a native or CLI app (manifest `native: true`, kind `driver`) receives its
 * authorization response on the loopback interface: an `http` redirect URI with the loopback IP literal
 * (not `localhost`) on a port it opened for this login, and it uses PKCE with S256 (RFC 8252 6, 7.3,
 * 8.3). The check reads the authorization requests the driver produces for two logins held open at
 * once, then signs both in.
 */
import type { AuthorizationRequest, Session } from '../../harness/types.js';
import { defineClientCheck } from '../define.js';
import { approveToCallback, beginLogin, deliverCallback, messageOf } from '../lib/flow.js';
import { notApplicable, pass, stopError } from '../lib/outcome.js';
import { sentPkce } from '../lib/pkce.js';
import type { ClientCheckContext, Outcome, Requirement } from '../types.js';

/** RFC 8252 8.3: the loopback IP literal, not `localhost`. NOT RECOMMENDED is SHOULD NOT (RFC 2119 4). */
const LOOPBACK_LITERAL: Requirement = {
  text: 'While redirect URIs using localhost (i.e., "http://localhost:{port}/{path}") function similarly to loopback IP redirects described in Section 7.3, the use of localhost is NOT RECOMMENDED. Specifying a redirect URI with the loopback IP literal rather than localhost avoids inadvertently listening on network interfaces other than the loopback interface.',
  level: 'SHOULD',
  ref: 'RFC8252-8.3',
};

/**
 * RFC 8252 8.3 on the port: lower-case "should", so a recommended practice, not an RFC 2119 keyword.
 * 7.3 explains it: the provider accepts any port "to accommodate clients that obtain an available
 * ephemeral port from the operating system at the time of the request".
 */
const PORT_PER_LOGIN: Requirement = {
  text: 'Clients should open the network port only when starting the authorization request and close it once the response is returned.',
  level: 'RECOMMENDED',
  ref: 'RFC8252-8.3',
};

/** RFC 8252 6: PKCE is a MUST for public native apps. */
const PKCE: Requirement = {
  text: 'Public native app clients MUST implement the Proof Key for Code Exchange (PKCE [RFC7636]) extension to OAuth, and authorization servers MUST support PKCE for such clients.',
  level: 'MUST',
  ref: 'RFC8252-6',
};

/** RFC 7636 4.2, as pkce.s256 tests it for every client. */
const S256: Requirement = {
  text: 'If the client is capable of using "S256", it MUST use "S256", as "S256" is Mandatory To Implement (MTI) on the server.',
  level: 'MUST',
  ref: 'RFC7636-4.2',
};

/** Worst first: the finding reported is the most serious one observed. */
const ORDER: readonly Requirement[] = [PKCE, S256, LOOPBACK_LITERAL, PORT_PER_LOGIN];

/** The loopback IP literals of RFC 8252 7.3, as `URL.hostname` spells them. */
const LOOPBACK_LITERALS = ['127.0.0.1', '[::1]'];

/** Host names that resolve to the loopback interface without being its literal (RFC 6761 6.3). */
function namesLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

interface Finding {
  text: string;
  requirement: Requirement;
}

/** The redirect URI of one authorization request, parsed; the check stops when there is none. */
function redirectOf(request: AuthorizationRequest, label: string): URL {
  const raw = request.params.redirect_uri;
  if (raw === undefined) stopError(`The ${label} authorization request carries no redirect_uri.`, 'target');
  if (!URL.canParse(raw)) stopError(`The ${label} redirect_uri is not a URL: ${raw}.`, 'target');
  return new URL(raw);
}

/** What is wrong with one authorization request's redirect URI and PKCE parameters. */
function requestFindings(request: AuthorizationRequest, redirect: URL): Finding[] {
  const found: Finding[] = [];
  if (!LOOPBACK_LITERALS.includes(redirect.hostname)) {
    found.push({
      text: `its redirect URI names the host ${JSON.stringify(redirect.hostname)} instead of the loopback IP literal 127.0.0.1 or [::1]`,
      requirement: LOOPBACK_LITERAL,
    });
  }
  if (redirect.port === '') {
    found.push({ text: 'its redirect URI has no port of its own', requirement: PORT_PER_LOGIN });
  }
  const pkce = sentPkce(request.params);
  if (!pkce) found.push({ text: 'it carries no code_challenge', requirement: PKCE });
  else if (pkce.method !== 'S256') {
    found.push({
      text: `its code_challenge_method is ${pkce.methodSent ? pkce.method : 'absent (plain)'}`,
      requirement: S256,
    });
  }
  return found;
}

/** The outcome for the findings: a pass when there are none, else a fail naming the worst rule broken. */
function judge(findings: readonly Finding[], passSummary: string): Outcome {
  if (findings.length === 0) return pass(passSummary);
  const worst = ORDER.find((r) => findings.some((f) => f.requirement === r)) ?? LOOPBACK_LITERAL;
  return {
    verdict: 'fail',
    summary: `The native client's authorization requests: ${[...new Set(findings.map((f) => f.text))].join('; ')}.`,
    ...(worst === LOOPBACK_LITERAL ? {} : { requirement: worst }),
  };
}

/** Approves a held login and hands its redirect to the client; ends the check when it does not sign in. */
async function signIn(ctx: ClientCheckContext, session: Session, request: AuthorizationRequest): Promise<void> {
  const { callbackUrl } = await approveToCallback(ctx, session, request);
  const callback = await deliverCallback(ctx, session, callbackUrl);
  if (callback.ok === false || !(await session.isSignedIn())) {
    stopError(
      `The client did not sign in with the redirect it chose (${callback.error ?? 'not signed in'}), so its loopback redirect could not be seen working.`,
      'target',
    );
  }
}

export const nativeLoopbackRedirect = defineClientCheck({
  id: 'native.loopback-redirect',
  title: 'A native app redirects to the loopback IP literal on a port of its own, with PKCE',
  severity: 'low',
  kinds: ['driver'],
  refs: ['RFC8252-7.3', 'RFC8252-8.3'],
  must: 'A native or CLI client redirects to a loopback IP literal on an ephemeral port (not `localhost`), with PKCE.',
  rationale:
    'A desktop or command-line app has no web server of its own: it receives the login’s redirect by listening on the loopback interface for the moment of the login. Written as `localhost`, the redirect depends on name resolution and firewalls, and the app may end up listening on more than the loopback interface; a fixed port can be taken by another program on the same machine first, which then receives the person’s authorization code. The code travels in the clear on the device, so only PKCE keeps a code caught there from being redeemed.',
  remediation:
    'Bind a listener to 127.0.0.1 (or [::1]) on port 0 when the login starts, so the operating system picks a free port; send `http://127.0.0.1:<that port>/<path>` as the redirect URI, with a PKCE S256 challenge; close the listener once the redirect has arrived. Register `http://127.0.0.1/<path>` at the provider: RFC 8252 7.3 has it accept any port there.',
  requirement: LOOPBACK_LITERAL,
  async run(ctx): Promise<Outcome> {
    if (ctx.target.native !== true) {
      return notApplicable(
        'The manifest does not declare `native`; set "native": true for a native or CLI app (kind "driver") that chooses its own loopback redirect (RFC 8252 7.3).',
      );
    }
    // Two logins held open at once: a client that opens a port per login cannot give both the same one.
    const first = await ctx.session('first');
    const second = await ctx.session('second');
    const firstRequest = await beginLogin(ctx, first);
    const firstRedirect = redirectOf(firstRequest, 'first');
    if (!LOOPBACK_LITERALS.includes(firstRedirect.hostname) && !namesLoopback(firstRedirect.hostname)) {
      ctx.observe(`The redirect URI is ${firstRedirect.origin}${firstRedirect.pathname}.`);
      return notApplicable(
        `The client redirects to ${firstRedirect.protocol}//${firstRedirect.host}, not to the loopback interface: a private-use scheme or claimed https redirect (RFC 8252 7.1, 7.2) is outside this check.`,
      );
    }
    let secondRequest: AuthorizationRequest;
    try {
      secondRequest = await second.startLogin();
    } catch (err) {
      ctx.observe(`A second login, started while the first waited for its redirect, failed: ${messageOf(err)}.`);
      return judge(
        [
          ...requestFindings(firstRequest, firstRedirect),
          {
            text: `a second login could not start while the first one waited for its redirect (${messageOf(err)}), so the port is not opened per login`,
            requirement: PORT_PER_LOGIN,
          },
        ],
        '',
      );
    }
    ctx.observe(`Session ${second.id}: the client sent the person to the authorization endpoint.`, {
      params: secondRequest.params,
    });
    const secondRedirect = redirectOf(secondRequest, 'second');
    ctx.observe(`Redirect URIs of the two logins held open at once: ${firstRedirect.href} and ${secondRedirect.href}.`);
    const findings = [
      ...requestFindings(firstRequest, firstRedirect),
      ...requestFindings(secondRequest, secondRedirect),
    ];
    if (firstRedirect.port !== '' && firstRedirect.port === secondRedirect.port) {
      findings.push({
        text: `both logins, held open at once, redirect to port ${firstRedirect.port}: the port is fixed, not opened for each login`,
        requirement: PORT_PER_LOGIN,
      });
    }
    if (findings.length > 0) return judge(findings, '');
    // The requests are right; a pass also needs the redirect to work: both logins must sign in.
    await signIn(ctx, first, firstRequest);
    await signIn(ctx, second, secondRequest);
    return judge(
      [],
      `Both logins redirected to ${firstRedirect.hostname} on a port of their own (${firstRedirect.port}, ${secondRedirect.port}) with an S256 PKCE challenge, and signed in.`,
    );
  },
});
