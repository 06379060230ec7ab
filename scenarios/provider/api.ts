/**
 * The resource API refuses access tokens in the query string (RFC 6750 2.3, 5.3).
 */
import { defineProviderCheck } from '../define.js';
import { fail, pass, targetError } from './verdicts.js';

export const apiBearerQueryRefused = defineProviderCheck({
  id: 'provider.api.bearer-query-refused',
  title: 'The API refuses access tokens in the query string',
  severity: 'medium',
  refs: ['RFC6750-2.3', 'RFC6750-5.3'],
  requirement: {
    text: 'Resource servers MAY support this method; because of its security weaknesses (the URL is likely to be logged) it SHOULD NOT be used (refusing it is recommended).',
    level: 'RECOMMENDED',
    ref: 'RFC6750-2.3',
  },
  must: 'the resource API refuses an access token in the query string',
  rationale:
    'Tokens in URLs end up in server logs, proxy logs, browser history and Referer headers (RFC 6750 5.3). A resource server that accepts them invites clients to put them there.',
  remediation: 'Accept bearer tokens only in the Authorization header (RFC 6750 2.1); answer 401 for `?access_token=`.',
  needs: ['api'],
  catches: ['api-bearer-query-accepted'],
  async run(ctx) {
    const api = ctx.provider.apiUrl;
    if (!api) throw new Error('no API URL');
    const client = ctx.client();
    const { tokens } = await client.login();
    const at = tokens.accessToken as string;
    const header = await client.callResource(api, at, 'header');
    ctx.observe(`${ctx.provider.apiLabel ?? api} with the token in the Authorization header: ${header.status}.`);
    if (header.status !== 200)
      return targetError(
        `The resource refused even a correct call (status ${header.status}), so the query-string case cannot be judged.`,
      );
    const query = await client.callResource(api, at, 'query');
    ctx.observe(`The same call with ?access_token= instead: ${query.status}.`);
    if (query.status >= 200 && query.status < 300)
      return fail('The resource API accepted an access token in the query string.');
    return pass(`The resource API refused the query-string token (${query.status}).`);
  },
});
