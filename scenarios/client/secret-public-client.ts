/**
 * secret.public-client: no client secret in anything served to the browser (RFC 6749 §10.1).
 *
 * Two observations, depending on the registration:
 * - a client registered with a secret: the secret must not appear in any URL, header or body the user
 *   agent saw (pages, scripts, redirects, the authorization request);
 * - a client registered without one (a browser application): the provider knows no secret to look for,
 *   so the token requests are examined instead. A browser application that sends any client credentials
 *   (even ones the provider does not accept) has a secret baked into its code.
 */
import { describeLeaks, knownSecrets, scanPlaces, urlPlaces, type Place } from '../lib/evidence.js';
import { ordinaryUse } from '../lib/flow.js';
import { BROWSER_KINDS, defineClientCheck } from '../define.js';
import { fail, pass, stopError, stopNotApplicable } from '../lib/outcome.js';

/** The browser never receives a client secret. */
export const secretPublicClient = defineClientCheck({
  id: 'secret.public-client',
  title: 'No client secret in the browser',
  severity: 'high',
  refs: ['RFC6749-10.1'],
  requirement: {
    text: 'Web application clients MUST ensure confidentiality of client passwords and other client credentials.',
    level: 'MUST',
    ref: 'RFC6749-10.1',
  },
  kinds: BROWSER_KINDS,
  must: 'No client secret in anything served to the browser.',
  rationale:
    'A client secret is only secret if it stays on a server. Anything sent to a browser (a JavaScript bundle, a ' +
    'config endpoint, a hidden form field) can be read by anyone who opens the developer tools, and with the ' +
    'secret an attacker can impersonate your application at the provider.',
  remediation:
    'Browser applications are public clients: register them without a secret and use PKCE. If you need a ' +
    'confidential client, put the token exchange on a server (backend-for-frontend) and keep the secret in its ' +
    'environment, never in front-end code or build-time variables that end up in the bundle.',
  async run(ctx) {
    const login = await ordinaryUse(ctx);
    const transcript = login.session.transcript();
    const secrets = knownSecrets(ctx, ['client_secret']);
    if (secrets.length > 0) {
      const places: Place[] = [
        ...urlPlaces(transcript),
        ...transcript.flatMap((e) => [
          ...(e.responseBody ? [{ where: `body of ${e.url.split('?')[0]} (#${e.seq})`, text: e.responseBody }] : []),
          ...Object.entries(e.responseHeaders ?? {}).map(([k, v]) => ({ where: `${k} header of #${e.seq}`, text: v })),
        ]),
        // A browser application's own requests to the provider are built from what it was served.
        ...(ctx.target.kind === 'spa'
          ? ctx.journal.entries().map((e) => ({
              where: `browser request to ${e.endpoint} (#${e.seq})`,
              text: `${e.request.url}\n${e.request.body ?? ''}\n${e.request.headers.authorization ?? ''}`,
            }))
          : []),
      ];
      if (places.length === 0) stopError('The user agent recorded nothing to scan.', 'harness');
      const leaks = scanPlaces(places, secrets);
      ctx.observe(
        `Scanned ${places.length} URLs, headers and bodies the browser saw for the client secret: ${leaks.length} hit(s).`,
        {
          leaks,
        },
      );
      if (leaks.length > 0) return fail(`The client secret reached the browser: ${describeLeaks(leaks)}.`);
      return pass('The client secret appeared in nothing the browser received.');
    }
    if (ctx.target.kind !== 'spa') {
      stopNotApplicable(
        'The web client is registered without a secret, so there is no secret that could reach the browser.',
      );
    }
    // No secret registered: a browser application that authenticates at all ships a secret.
    const tokenRequests = ctx.journal.entries({ endpoint: 'token' }).filter((e) => e.token);
    if (tokenRequests.length === 0) stopError('No token request was observed for the login.', 'target');
    const credentialed = tokenRequests.filter(
      (e) =>
        e.token!.clientAuth !== 'none' ||
        'client_secret' in e.token!.params ||
        /^basic /i.test(e.request.headers.authorization ?? ''),
    );
    ctx.observe(
      `The client is registered without a secret; ${credentialed.length} of ${tokenRequests.length} token request(s) carried client credentials.`,
    );
    if (credentialed.length > 0) {
      return fail(
        'The browser application sends client credentials to the token endpoint: a secret is built into its code.',
      );
    }
    return pass('The browser application is registered without a secret and sends no client credentials.');
  },
});
