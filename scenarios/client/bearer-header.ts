/** bearer.header: API calls carry the access token in the Authorization header (RFC 6750 §2.3, §5.3). */
import { ordinaryCompleted, completeLogin } from '../lib/flow.js';
import { defineClientCheck } from '../define.js';
import { fail, pass, stopNotApplicable } from '../lib/outcome.js';

/** Every API and userinfo call of this login sends the token as `Authorization: Bearer`. */
export const bearerHeader = defineClientCheck({
  id: 'bearer.header',
  title: 'Access token sent in the Authorization header',
  severity: 'high',
  refs: ['RFC6750-2.3', 'RFC6750-5.3'],
  requirement: {
    text: 'Because of the security weaknesses associated with the URI method [...] it SHOULD NOT be used unless it is impossible to transport the access token in the "Authorization" request header field or the HTTP request entity-body.',
    level: 'SHOULD',
    ref: 'RFC6750-2.3',
  },
  must: 'API calls carry the access token in the Authorization header, never in the query.',
  rationale:
    'An access token in the query string (`?access_token=...`) ends up in the API’s access logs, in proxies, ' +
    'in monitoring tools and in error reports, where anyone with access can reuse it. RFC 6750 allows the ' +
    'query form only as a last resort and advises against it; the lexoffice API expects the header.',
  remediation:
    'Send `Authorization: Bearer <access token>` on every API call (most HTTP clients have an option for it) ' +
    'and never build URLs containing the token. Check your HTTP client’s debug logging as well, so the header ' +
    'is not printed.',
  async run(ctx) {
    // No sign-in required: a client whose query-string token the API refuses is exactly the finding. The
    // shared ordinary login made its API call only when signed in; otherwise the check makes one of its own.
    const base = await ordinaryCompleted(ctx);
    if (base.failure !== undefined) throw base.failure;
    if (!base.signedIn) {
      const session = await ctx.session('login');
      await completeLogin(ctx, session);
      ctx.observe(`Signed in: ${await session.isSignedIn()}; API call through the client: ${await session.api()}.`);
    }
    const calls = [
      ...ctx.journal.entries({ endpoint: 'api' }),
      ...ctx.journal.entries({ endpoint: 'userinfo' }),
    ].filter((e) => e.bearer && e.bearer.location !== 'none');
    if (calls.length === 0) stopNotApplicable('The client made no API or userinfo call with a token during the login.');
    const locations = calls.map((e) => e.bearer!.location);
    ctx.observe(`${calls.length} API/userinfo call(s); token location: ${[...new Set(locations)].join(', ')}.`, {
      calls: calls.map((e) => ({ seq: e.seq, endpoint: e.endpoint, location: e.bearer!.location })),
    });
    const wrong = calls.find((e) => e.bearer!.location !== 'header');
    if (wrong)
      return fail(`The client sent the access token in the ${wrong.bearer!.location} of a ${wrong.endpoint} call.`);
    return pass(`All ${calls.length} API/userinfo call(s) carried the token in the Authorization header.`);
  },
});
