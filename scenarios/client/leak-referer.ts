/**
 * leak.referer: no code or token reaches another origin in a Referer header (RFC 9700 §4.2).
 *
 * RFC 9700 §4.2.1 is about the authorization response URL reaching a third party: the client's page
 * "includes a third-party resource (iframe, image, etc.)" or links to "other pages under the attacker's
 * control", and "the attacker receives the authorization response URL". Its countermeasure (§4.2.4):
 * "The page rendered as a result of the OAuth authorization response and the authorization endpoint
 * SHOULD NOT include third-party resources or links to external sites." A Referer to the client's own
 * origin (its callback page loading its own script) reaches the client, which already holds the code:
 * that is recorded as information, not a finding. Every Referer that leaves the origin, to another
 * host, port or scheme (the provider included), is judged.
 */
import { describeLeaks, knownSecrets, scanPlaces } from '../lib/evidence.js';
import { ordinaryUse } from '../lib/flow.js';
import { BROWSER_KINDS, defineClientCheck } from '../define.js';
import { fail, pass, stopNotApplicable } from '../lib/outcome.js';
import {
  leavesOrigin,
  providerReferers,
  renderedPageReferers,
  sentReferers,
  type RefererPlace,
} from '../lib/referer.js';

/** Neither the code nor a token leaves the client's origin through Referer. */
export const leakReferer = defineClientCheck({
  id: 'leak.referer',
  title: 'No code or token in Referer headers to other origins',
  severity: 'medium',
  refs: ['RFC9700-4.2'],
  requirement: {
    text: 'The page rendered as a result of the OAuth authorization response and the authorization endpoint SHOULD NOT include third-party resources or links to external sites.',
    level: 'SHOULD',
    ref: 'RFC9700-4.2',
  },
  kinds: BROWSER_KINDS,
  must: 'No code or token is sent to another origin in a Referer header (a Referer to the client’s own origin is information only).',
  rationale:
    'When a page loads an image, a script or a link target, the browser tells that server which page it came ' +
    'from in the Referer header. If your callback page still has `?code=...` in its URL and loads anything from ' +
    'another server (analytics, fonts, a CDN), that server receives the code; a token in a URL leaks the same way. ' +
    'Browsers send only the origin to other sites by default (`strict-origin-when-cross-origin`), so the full URL ' +
    'usually leaves through a permissive policy (`no-referrer-when-downgrade`, `unsafe-url`, which analytics ' +
    'snippets often ask for) or an old browser. Your own server receiving its callback URL is no leak: it already ' +
    'has the code.',
  remediation:
    'Redirect away from the callback URL before rendering anything, and send `Referrer-Policy: no-referrer` (or ' +
    '`strict-origin`) on the callback response. Keep third-party resources and links off the callback page ' +
    '(RFC 9700 §4.2.4), and keep tokens out of URLs altogether.',
  async run(ctx) {
    const login = await ordinaryUse(ctx);
    const transcript = login.session.transcript();
    const secrets = knownSecrets(ctx, ['code', 'access_token', 'refresh_token', 'id_token']);
    const places: RefererPlace[] = [
      ...sentReferers(transcript),
      // The HTTP agent fetches pages without rendering them; a browser rendering them would load their
      // resources, and send these Referers.
      ...(login.session.agent === 'http' ? renderedPageReferers(transcript) : []),
      ...providerReferers(ctx.journal.entries(), new URL(ctx.idp.issuer).origin),
    ];
    const leaving = places.filter(leavesOrigin);
    const staying = places.filter((p) => !leavesOrigin(p));
    const leaks = scanPlaces(leaving, secrets);
    const ownOrigin = scanPlaces(staying, secrets);
    ctx.observe(
      `Examined ${places.length} Referer header(s) for ${secrets.length} issued values: ${leaving.length} to another ` +
        `origin (${leaks.length} hit(s)), ${staying.length} to the origin they name (${ownOrigin.length} hit(s)).`,
      { leaks, ownOrigin },
    );
    if (ownOrigin.length > 0) {
      ctx.observe(
        `Info: a Referer to the client's own origin carried ${describeLeaks(ownOrigin)}. The client's own server ` +
          'is not a third party (RFC 9700 §4.2.1), so this is no leak; `Referrer-Policy: no-referrer` on the ' +
          'callback page would keep the code out of the client’s own access logs too.',
      );
    }
    if (leaks.length > 0) {
      return fail(`A code or token was sent to another origin in a Referer header: ${describeLeaks(leaks)}.`);
    }
    const noReferrerPolicy = transcript.some((e) =>
      Object.entries(e.responseHeaders ?? {}).some(
        ([k, v]) => k.toLowerCase() === 'referrer-policy' && /no-referrer\b|same-origin|strict-origin/.test(v),
      ),
    );
    if (places.length === 0 && !noReferrerPolicy) {
      stopNotApplicable(
        'The user agent sent no Referer header during the login, so the channel could not be observed.',
      );
    }
    if (places.length === 0)
      return pass('The client restricts Referer with a Referrer-Policy header and none was sent.');
    const others =
      leaving.length > 0
        ? `None of the ${leaving.length} Referer header(s) sent to other origins carried a code or token`
        : 'No Referer header went to another origin';
    return pass(
      ownOrigin.length > 0
        ? `${others}; ${ownOrigin.length} to the client's own origin did (information only, see the observations).`
        : `${others}.`,
    );
  },
});
