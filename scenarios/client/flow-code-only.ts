/** flow.code-only: only `response_type=code`; no tokens in the front channel (RFC 9700 §2.1.2). */
import { authorizationEntries, ordinaryCompleted } from '../lib/flow.js';
import { defineClientCheck } from '../define.js';
import { fail, pass } from '../lib/outcome.js';

const FRONT_CHANNEL_TOKEN = /[#?&](access_token|id_token|refresh_token)=/;

/** Authorization code flow only; no implicit or hybrid flow. */
export const flowCodeOnly = defineClientCheck({
  id: 'flow.code-only',
  title: 'Authorization code flow only',
  severity: 'medium',
  refs: ['RFC9700-2.1.2'],
  requirement: {
    text: 'Clients SHOULD NOT use the implicit grant (response type "token") or other response types issuing access tokens in the authorization response.',
    level: 'SHOULD',
    ref: 'RFC9700-2.1.2',
  },
  must: 'Only `response_type=code`; no implicit or hybrid, no tokens in the front channel.',
  rationale:
    'The implicit flow (`response_type=token`) and hybrid flows put access or ID tokens straight into the ' +
    'redirect URL, where browser history, extensions, Referer headers and logs can read them, and where an ' +
    'attacker can inject a stolen token. Current OAuth security advice (RFC 9700) forbids them.',
  remediation:
    'Request `response_type=code` only, redeem the code at the token endpoint with PKCE, and keep tokens out of ' +
    'URLs. Browser applications do this with the same authorization code + PKCE flow as server applications.',
  async run(ctx) {
    const { login } = await ordinaryCompleted(ctx);
    const types = [
      login.request.params.response_type,
      ...authorizationEntries(ctx).map((e) => e.authorization!.params.response_type),
    ];
    const urls = login.session.transcript().flatMap((e) => [
      e.url,
      ...Object.entries(e.responseHeaders ?? {})
        .filter(([k]) => k.toLowerCase() === 'location')
        .map(([, v]) => v),
    ]);
    const tokenUrls = urls.filter((u) => FRONT_CHANNEL_TOKEN.test(u));
    ctx.observe(`response_type of the authorization requests: ${types.map((t) => t ?? '(none)').join(', ')}.`);
    ctx.observe(`${tokenUrls.length} URL(s) in the user agent's traffic carry a token parameter.`);
    const badIndex = types.findIndex((t) => t !== 'code');
    const bad = badIndex < 0 ? undefined : types[badIndex];
    if (badIndex >= 0) {
      return fail(`The client requests response_type=${bad ?? '(none)'} instead of code.`);
    }
    if (tokenUrls.length > 0) return fail('Tokens travel through the front channel (in a URL the browser sees).');
    return pass('The client uses response_type=code only and no token appears in a front-channel URL.');
  },
});
