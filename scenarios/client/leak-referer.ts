/** leak.referer: no code or token is sent in a Referer header (RFC 9700 §4.2). */
import { describeLeaks, knownSecrets, refererPlaces, scanPlaces, type Place } from '../lib/evidence.js';
import { exerciseClient } from '../lib/flow.js';
import { BROWSER_KINDS, defineClientCheck } from '../define.js';
import { fail, pass, stopNotApplicable } from '../lib/outcome.js';

/** Neither the code nor a token leaves through Referer. */
export const leakReferer = defineClientCheck({
  id: 'leak.referer',
  title: 'No code or token in Referer headers',
  severity: 'medium',
  refs: ['RFC9700-4.2'],
  kinds: BROWSER_KINDS,
  must: 'No code or token is sent in a Referer header.',
  rationale:
    'When a page loads an image, a script or a link target, the browser tells that server which page it came ' +
    'from in the Referer header. If your callback page still has `?code=...` in its URL and loads anything from ' +
    'another server (analytics, fonts, a CDN), that server receives the code; a token in a URL leaks the same way.',
  remediation:
    'Redirect away from the callback URL before rendering anything, and send `Referrer-Policy: no-referrer` (or ' +
    '`strict-origin`) on the callback response. Keep tokens out of URLs altogether.',
  async run(ctx) {
    const login = await exerciseClient(ctx);
    const transcript = login.session.transcript();
    const secrets = knownSecrets(ctx, ['code', 'access_token', 'refresh_token', 'id_token']);
    const places: Place[] = [
      ...refererPlaces(transcript),
      ...ctx.journal
        .entries()
        .filter((e) => e.request.headers.referer)
        .map((e) => ({
          where: `Referer sent to the provider's ${e.endpoint} endpoint (#${e.seq})`,
          text: e.request.headers.referer,
        })),
    ];
    const leaks = scanPlaces(places, secrets);
    ctx.observe(
      `Examined ${places.length} Referer header(s) for ${secrets.length} issued values: ${leaks.length} hit(s).`,
      { leaks },
    );
    if (leaks.length > 0) return fail(`A code or token was sent in a Referer header: ${describeLeaks(leaks)}.`);
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
    return pass(
      places.length > 0
        ? `None of the ${places.length} Referer header(s) carried a code or token.`
        : 'The client restricts Referer with a Referrer-Policy header and none was sent.',
    );
  },
});
