/** leak.url: no token in any URL; the code leaves the address bar after the callback (RFC 9700 §4.3, RFC 6750 §5.3). */
import { describeLeaks, knownSecrets, scanPlaces, urlPlaces, type Place } from '../lib/evidence.js';
import { ordinaryUse } from '../lib/flow.js';
import { defineClientCheck } from '../define.js';
import { fail, pass, stopError } from '../lib/outcome.js';

/** Tokens never travel in URLs, and the code does not stay in the address bar. */
export const leakUrl = defineClientCheck({
  id: 'leak.url',
  title: 'No tokens in URLs',
  severity: 'high',
  refs: ['RFC9700-4.3', 'RFC6750-5.3'],
  requirement: {
    text: 'Bearer tokens SHOULD NOT be passed in page URLs (for example, as query string parameters).',
    level: 'SHOULD',
    ref: 'RFC6750-5.3',
  },
  must: 'No access, refresh or ID token in any URL; the code leaves the address bar after the callback.',
  rationale:
    'URLs are copied everywhere: browser history, bookmarks, server and proxy logs, analytics, and the Referer ' +
    'header of the next request. A token in a URL is a token handed to all of them. The code in the callback URL ' +
    'is short-lived, but leaving it in the address bar invites people to share or bookmark it.',
  remediation:
    'Send tokens only in the Authorization header or request bodies, never as query parameters. After handling ' +
    'the callback, redirect (server) or call `history.replaceState` (browser app) to a URL without `code` and ' +
    '`state`.',
  async run(ctx) {
    const login = await ordinaryUse(ctx);
    const secrets = knownSecrets(ctx, ['access_token', 'refresh_token', 'id_token']);
    const places: Place[] = [
      ...urlPlaces(login.session.transcript()),
      ...ctx.journal
        .entries()
        .map((e) => ({ where: `URL of the client's ${e.endpoint} request #${e.seq}`, text: e.request.url })),
    ];
    const leaks = scanPlaces(places, secrets);
    ctx.observe(`Scanned ${places.length} URLs for ${secrets.length} issued tokens: ${leaks.length} hit(s).`, {
      leaks,
    });
    if (leaks.length > 0) return fail(`Tokens appear in URLs: ${describeLeaks(leaks)}.`);
    if (ctx.target.kind !== 'driver' && login.code) {
      const finalUrl = login.callback.finalUrl;
      if (!finalUrl) stopError('The user agent did not report the address after the callback.', 'harness');
      const stays = new URL(finalUrl).searchParams.get('code') === login.code || finalUrl.includes(login.code);
      ctx.observe(`Address bar after the callback: ${stays ? 'still carries the code' : 'no code'}.`);
      if (stays) return fail('The code stays in the address bar after the callback.');
    }
    return pass('No token appeared in any URL, and the code left the address bar after the callback.');
  },
});
