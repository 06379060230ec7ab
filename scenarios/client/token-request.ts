/**
 * token-request.redirect-uri and token-request.client-auth: the token request repeats the redirect URI
 * and authenticates the client the registered way (RFC 6749 §4.1.3, §2.3.1).
 */
import type { JournalEntry } from '../../mock-idp/types.js';
import type { ClientCheckContext } from '../types.js';
import { ordinaryCompleted, tokenRequestsForCode } from '../lib/flow.js';
import { defineClientCheck } from '../define.js';
import { fail, pass, stopError } from '../lib/outcome.js';

/** One login and the token request that redeemed its code. */
async function loginAndTokenRequest(ctx: ClientCheckContext): Promise<{ redirectUri?: string; entry: JournalEntry }> {
  const { login } = await ordinaryCompleted(ctx);
  if (!login.code) stopError('The provider sent no code.', 'harness');
  const entry = tokenRequestsForCode(ctx, login.code)[0];
  if (!entry?.token) stopError('The client did not redeem the code at the token endpoint.', 'target');
  return { redirectUri: login.request.params.redirect_uri, entry };
}

/** The token request's `redirect_uri` equals the authorization request's. */
export const tokenRequestRedirectUri = defineClientCheck({
  id: 'token-request.redirect-uri',
  title: 'Token request repeats the redirect_uri',
  severity: 'low',
  refs: ['RFC6749-4.1.3'],
  requirement: {
    text: 'redirect_uri: REQUIRED, if the "redirect_uri" parameter was included in the authorization request as described in Section 4.1.1, and their values MUST be identical.',
    level: 'MUST',
    ref: 'RFC6749-4.1.3',
  },
  must: "The token request's `redirect_uri` is identical to the authorization request's.",
  rationale:
    'RFC 6749 requires the token request to repeat the exact `redirect_uri` of the authorization request, so the ' +
    'provider can make sure a code is only redeemed by the party it was delivered to. Strict providers refuse a ' +
    'missing or different value, which shows up as intermittent "invalid_grant" login failures.',
  remediation:
    'Keep one configured redirect URI and send the same string, byte for byte, in both the authorization request ' +
    'and the token request. Watch for an added trailing slash or a different host name such as localhost vs 127.0.0.1.',
  async run(ctx) {
    const { redirectUri, entry } = await loginAndTokenRequest(ctx);
    const sent = entry.token!.redirectUri;
    ctx.observe(
      `Authorization request redirect_uri ${JSON.stringify(redirectUri)}; token request redirect_uri ${JSON.stringify(sent)}.`,
    );
    if (sent === undefined) return fail('The token request carries no redirect_uri.');
    if (sent !== redirectUri) return fail('The token request’s redirect_uri differs from the authorization request’s.');
    return pass('The token request repeats the authorization request’s redirect_uri exactly.');
  },
});

/** The registered client authentication method is used; no secret in a URL. */
export const tokenRequestClientAuth = defineClientCheck({
  id: 'token-request.client-auth',
  title: 'Registered client authentication is used',
  severity: 'high',
  refs: ['RFC6749-2.3.1'],
  requirement: {
    text: 'The parameters can only be transmitted in the request-body and MUST NOT be included in the request URI.',
    level: 'MUST',
    ref: 'RFC6749-2.3.1',
  },
  must: 'The registered client authentication method is used; no secret in a URL.',
  rationale:
    'A confidential client proves its identity at the token endpoint with its secret, using the method it was ' +
    'registered with (HTTP Basic or form body). Putting the secret in the URL query leaks it into server and ' +
    'proxy logs; using another method than registered either fails or relies on a lenient provider.',
  remediation:
    'Send the client secret exactly as registered: `client_secret_basic` in the Authorization header ' +
    '(URL-encode id and secret first), or `client_secret_post` in the POST body. Public clients send only ' +
    '`client_id`. Never put credentials in the query string.',
  async run(ctx) {
    const { entry } = await loginAndTokenRequest(ctx);
    const t = entry.token!;
    const expected = ctx.target.client.authMethod;
    ctx.observe(
      `Registered method ${expected}; the token request used ${t.clientAuth}${t.secretInQuery ? ' and put credentials in the URL query' : ''}.`,
    );
    if (t.secretInQuery) return fail('The client puts its credentials in the token request URL.');
    if (t.clientAuth === 'invalid') return fail('The client sent wrong credentials to the token endpoint.');
    if (t.clientAuth !== expected)
      return fail(`The client authenticated with ${t.clientAuth} instead of the registered ${expected}.`);
    return pass(`The client authenticated with the registered method (${expected}).`);
  },
});
