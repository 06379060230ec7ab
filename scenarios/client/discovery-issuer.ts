/**
 * discovery.issuer-match (OpenID Connect Discovery §4.3, RFC 8414 §3.3): a client that reads the
 * provider's metadata refuses a document whose `issuer` is not the issuer it fetched it for.
 */
import { approveToCallback, deliverCallback, messageOf } from '../lib/flow.js';
import { defineClientCheck } from '../define.js';
import { fail, pass, stopNotApplicable } from '../lib/outcome.js';

/** Metadata whose `issuer` differs from the URL it was fetched from is refused. */
export const discoveryIssuerMatch = defineClientCheck({
  id: 'discovery.issuer-match',
  title: 'Metadata whose issuer differs from its URL is refused',
  severity: 'high',
  refs: ['OIDC-DISCOVERY-4.3', 'RFC8414-3.3'],
  kinds: ['web'],
  discoveryFaults: ['discovery.issuer-mismatch'],
  observesStartRefusal: true,
  must: 'Metadata whose `issuer` differs from the URL it was fetched from is refused.',
  requirement: {
    text:
      'The "issuer" value returned MUST be identical to the authorization server\'s issuer identifier value into ' +
      'which the well-known URI string was inserted to create the URL used to retrieve the metadata. If these values ' +
      'are not identical, the data contained in the response MUST NOT be used.',
    level: 'MUST',
    ref: 'RFC8414-3.3',
  },
  rationale:
    'The issuer identifier is what a client trusts: it checks that ID tokens carry it (`iss`). If the client takes ' +
    'the issuer from whatever document its discovery URL returns, an attacker who can serve or alter that document ' +
    '(a compromised tenant, a mix-up between two providers) names an issuer of their choosing and the `iss` check ' +
    'of every later ID token passes for tokens from the wrong provider.',
  remediation:
    'Compare the `issuer` of the fetched metadata with the issuer you configured, character for character, and ' +
    'refuse to use the document (fail start-up or the login) when they differ. openid-client `discovery()` and ' +
    'oauth4webapi `processDiscoveryResponse` do this; hand-written discovery code must do it explicitly.',
  async run(ctx) {
    const fetched = (): number => ctx.fullJournal.entries({ endpoint: 'discovery' }).length;
    if (ctx.startRefused !== undefined) {
      ctx.observe(`The target did not start with the impostor metadata: ${ctx.startRefused}`);
      if (fetched() === 0)
        stopNotApplicable('The target did not start and never fetched the discovery document; nothing to judge.');
      return pass('The client fetched metadata whose issuer differs from its URL and refused to start with it.');
    }
    ctx.observe(
      `The metadata names the issuer ${String(ctx.idp.metadata.issuer)}; the client was configured with ${ctx.idp.issuer}.`,
    );
    const session = await ctx.session('login');
    let started = true;
    try {
      const request = await session.startLogin();
      ctx.observe('The client sent the person to the authorization endpoint.', { params: request.params });
      const { callbackUrl } = await approveToCallback(ctx, session, request);
      await deliverCallback(ctx, session, callbackUrl);
    } catch (err) {
      started = false;
      ctx.observe(`The client did not start a login: ${messageOf(err)}`);
    }
    const signedIn = started && (await session.isSignedIn());
    const reads = fetched();
    ctx.observe(
      `The client fetched the discovery document ${reads} time(s); ${signedIn ? 'SIGNED IN' : 'not signed in'}.`,
    );
    if (reads === 0) {
      stopNotApplicable(
        'The client never fetched the discovery document (it is configured with endpoints), so it cannot use its issuer.',
      );
    }
    if (signedIn) {
      return fail(
        'The client used metadata whose issuer differs from the URL it fetched it from, and signed the person in with ' +
          'ID tokens of that issuer.',
      );
    }
    return pass(
      started
        ? 'The client fetched metadata whose issuer differs from its URL and did not sign anyone in with it.'
        : 'The client fetched metadata whose issuer differs from its URL and refused to start a login with it.',
    );
  },
});
