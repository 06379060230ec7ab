/**
 * Authorization response checks: `state` is echoed unchanged (RFC 6749 4.1.2) and, when advertised,
 * `iss` names the issuer (RFC 9207 2).
 */
import { defineProviderCheck } from '../define.js';
import { configError, fail, pass, targetError } from './verdicts.js';

export const stateEcho = defineProviderCheck({
  id: 'provider.state.echo',
  title: 'state comes back unchanged',
  severity: 'medium',
  refs: ['RFC6749-4.1.2'],
  requirement: {
    text: 'state: REQUIRED if the "state" parameter was present in the client authorization request. The exact value received from the client.',
    level: 'MUST',
    ref: 'RFC6749-4.1.2',
  },
  must: '`state` comes back unchanged',
  rationale:
    "Clients bind the authorization response to the person's session through `state` (CSRF protection, RFC 6749 10.12). A provider that drops or alters it breaks that protection for every client.",
  remediation: 'Return the `state` value exactly as received, in success and error responses alike.',
  catches: ['state-not-echoed'],
  async run(ctx) {
    const client = ctx.client();
    // Characters a client may legitimately use (RFC 6749 A.5: VSCHAR), including ones that need encoding.
    const state = `lh.${Math.floor(ctx.random() * 1e12).toString(36)}~-_ +/=`;
    const pending = client.authorizationRequest({ extra: { state } });
    const r = await client.authorize(pending);
    if (r.kind !== 'redirect')
      return r.kind === 'none'
        ? configError(r.reason)
        : targetError(`A correct request got no redirect (status ${r.status}).`);
    const back = r.query.state;
    ctx.observe(`Sent state ${JSON.stringify(state)}; the callback carried ${JSON.stringify(back ?? null)}.`, {
      location: r.location,
    });
    if (back === undefined) return fail('The authorization response carried no state.');
    if (back !== state) return fail('The state in the authorization response differs from the one sent.');
    return pass('The state came back unchanged.');
  },
});

export const issParam = defineProviderCheck({
  id: 'provider.iss-param',
  title: 'The authorization response carries iss equal to the issuer',
  severity: 'medium',
  refs: ['RFC9207-2', 'RFC9700-4.4'],
  requirement: {
    text: 'Authorization servers supporting this specification MUST provide their issuer identifier to clients in the authorization response.',
    level: 'MUST',
    ref: 'RFC9207-2',
  },
  must: 'when advertised, the authorization response carries `iss` equal to the issuer',
  rationale:
    'Clients that talk to several providers use `iss` to detect mix-up attacks (RFC 9700 4.4). A provider that advertises RFC 9207 support but sends a wrong or no `iss` makes careful clients reject logins, or teaches them to ignore the check.',
  remediation:
    'Add `iss` with exactly the issuer identifier from the metadata to every authorization response, success and error.',
  needs: ['iss-param'],
  catches: ['iss-param-wrong'],
  async run(ctx) {
    const client = ctx.client();
    const { result } = await client.obtainCode();
    const iss = result.kind === 'redirect' ? result.query.iss : undefined;
    ctx.observe(
      `The authorization response carried iss=${JSON.stringify(iss ?? null)}; the issuer is ${ctx.provider.issuer}.`,
    );
    if (iss === undefined)
      return fail('The provider advertises RFC 9207 but the authorization response carried no iss.');
    if (iss !== ctx.provider.issuer)
      return fail(`The iss in the authorization response (${iss}) is not the issuer (${ctx.provider.issuer}).`);
    // RFC 9207 2: error responses carry iss too. An unsupported response_type is refused with a redirect
    // by most providers (RFC 6749 4.1.2.1); a provider that shows a page instead is not judged on it.
    const pending = client.authorizationRequest({ responseType: 'lh_unsupported' });
    const r = await client.authorize(pending);
    if (r.kind === 'redirect' && (r.query.error || r.fragment.error)) {
      const errIss = r.query.iss ?? r.fragment.iss;
      ctx.observe(
        `An error response (error=${r.query.error ?? r.fragment.error}) carried iss=${JSON.stringify(errIss ?? null)}.`,
        {
          location: r.location,
        },
      );
      if (errIss !== ctx.provider.issuer) {
        return fail(`An error response carried ${errIss === undefined ? 'no iss' : `iss ${errIss}`}, not the issuer.`);
      }
      return pass('The authorization response and an error response carried iss equal to the issuer.');
    }
    ctx.observe(
      'An unsupported response_type was not answered with an error redirect, so iss in error responses was not examined.',
    );
    return pass('The authorization response carried iss equal to the issuer.');
  },
});
