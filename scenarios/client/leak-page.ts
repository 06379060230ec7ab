/** leak.page: no refresh token (confidential client: no token at all) rendered into pages (OWASP OAuth 2.0). */
import type { IssuedKind } from '../../mock-idp/types.js';
import { describeLeaks, knownSecrets, scanPlaces, servedPlaces } from '../lib/evidence.js';
import { ordinaryUse, targetOrigin } from '../lib/flow.js';
import { BROWSER_KINDS, defineClientCheck } from '../define.js';
import { fail, pass, stopError } from '../lib/outcome.js';

/** What the target serves to the browser carries no token it should keep. */
export const leakPage = defineClientCheck({
  id: 'leak.page',
  title: 'No tokens rendered into pages',
  severity: 'medium',
  refs: ['OWASP-OAUTH2'],
  requirement: {
    text: 'Refresh tokens MUST be kept confidential in transit and storage, and shared only among the authorization server and the client to whom the refresh tokens were issued.',
    level: 'MUST',
    ref: 'RFC6749-10.4',
  },
  kinds: BROWSER_KINDS,
  must: 'No refresh token (confidential client: no token at all) rendered into pages sent to the browser.',
  rationale:
    'A server-side application keeps tokens on the server precisely so that the browser never holds them. ' +
    'Rendering a token into the HTML ("for debugging", in a hidden field, in a script block for the front end) ' +
    'undoes that: any XSS, browser extension or cached page now exposes it. A refresh token in a page is worse, ' +
    'because it stays valid for weeks.',
  remediation:
    'Render only what the page needs to show (the person’s name, the data fetched with the token), never the ' +
    'tokens themselves. If front-end code must call the API, proxy the call through your server instead of ' +
    'handing the access token to the browser.',
  async run(ctx) {
    const login = await ordinaryUse(ctx);
    const confidential = ctx.target.client.authMethod !== 'none';
    const kinds: IssuedKind[] = confidential ? ['access_token', 'refresh_token', 'id_token'] : ['refresh_token'];
    const places = servedPlaces(login.session.transcript(), targetOrigin(ctx.target));
    const leaks = scanPlaces(places, knownSecrets(ctx, kinds));
    ctx.observe(
      `Scanned ${places.length} response parts served by the target for ${kinds.join(', ')} (${confidential ? 'confidential' : 'public'} client): ${leaks.length} hit(s). ` +
        'Location headers are left to leak.url and cookies readable by script to leak.storage.',
      { leaks },
    );
    if (places.length === 0) stopError('The user agent recorded no response served by the target to scan.', 'harness');
    if (leaks.length > 0) return fail(`The target rendered tokens into what it served: ${describeLeaks(leaks)}.`);
    return pass(`No ${kinds.join('/')} appeared in what the target served to the browser.`);
  },
});
