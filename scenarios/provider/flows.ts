/**
 * Deprecated flows are off: the implicit grant (RFC 9700 2.1.2) and the resource owner password
 * credentials grant (RFC 9700 2.4).
 */
import { defineProviderCheck } from '../define.js';
import { authorizeData, configError, fail, pass, readAuthorize, targetError, tokenData } from './verdicts.js';

export const implicitDisabled = defineProviderCheck({
  id: 'provider.flows.implicit-disabled',
  title: 'The implicit grant is refused',
  severity: 'medium',
  refs: ['RFC9700-2.1.2'],
  requirement: {
    text: 'Clients SHOULD NOT use the implicit grant (response type "token"); an authorization server that refuses it keeps clients from doing so.',
    level: 'RECOMMENDED',
    ref: 'RFC9700-2.1.2',
    fapi2: {
      text: 'shall only support the authorization code grant (response type code)',
      level: 'MUST',
      ref: 'FAPI2-SP-5.3.2.2',
    },
  },
  must: '`response_type=token` is refused',
  rationale:
    'The implicit grant puts the access token in the URL fragment, where browser history, Referer headers and injected scripts can read it, and the token cannot be sender-constrained. RFC 9700 2.1.2 says clients SHOULD NOT use it; a provider that still serves it keeps the door open.',
  remediation:
    'Turn the implicit grant off: refuse `response_type=token` (and `id_token token`) with `unsupported_response_type`.',
  catches: ['implicit-enabled'],
  async run(ctx) {
    await ctx.client().obtainCode();
    ctx.observe(
      'Control: a correct authorization request got a code, so a page instead of a redirect below is the provider refusing.',
    );
    // Providers differ in what else they demand (a challenge even here, a confidential client), so the
    // implicit request is tried in the shapes a legacy client would use; one token is enough to fail.
    const probes: Array<{ name: string; client: ReturnType<typeof ctx.client>; pkce: 'none' | 'S256' }> = [
      { name: `${ctx.clients.primary.label} client`, client: ctx.client(), pkce: 'none' },
      { name: `${ctx.clients.primary.label} client with a PKCE challenge`, client: ctx.client(), pkce: 'S256' },
    ];
    if (ctx.clients.confidential && ctx.clients.confidential !== ctx.clients.primary) {
      probes.push({ name: 'confidential client', client: ctx.client(ctx.clients.confidential), pkce: 'none' });
    }
    for (const probe of probes) {
      const pending = probe.client.authorizationRequest({ responseType: 'token', pkce: probe.pkce });
      const r = await probe.client.authorize(pending);
      const read = readAuthorize(r);
      ctx.observe(`response_type=token (${probe.name}): ${read.how}.`, authorizeData(pending, r));
      if (read.accepted === undefined) return configError(`The provider's answer could not be observed: ${read.how}.`);
      const issued = r.kind === 'redirect' && (r.fragment.access_token || r.query.access_token);
      if (issued)
        return fail(`The provider issued an access token in the front channel (implicit grant, ${probe.name}).`);
    }
    const advertised = ctx.provider.metadata.response_types_supported?.filter((t) => t.split(' ').includes('token'));
    if (advertised?.length)
      return fail(`The request was refused, but the metadata still advertises ${advertised.join(', ')}.`);
    return pass('response_type=token was refused.');
  },
});

export const ropcDisabled = defineProviderCheck({
  id: 'provider.flows.ropc-disabled',
  title: 'The password grant is refused',
  severity: 'medium',
  refs: ['RFC9700-2.4'],
  requirement: {
    text: 'The resource owner password credentials grant MUST NOT be used.',
    level: 'MUST',
    ref: 'RFC9700-2.4',
  },
  must: 'the password grant is refused',
  rationale:
    "The resource owner password credentials grant hands the person's password to the client and cannot do multi-factor sign-in; RFC 9700 2.4 says it MUST NOT be used. A provider that serves it lets any client collect passwords.",
  remediation: 'Do not serve `grant_type=password`; answer `unsupported_grant_type`.',
  catches: ['ropc-enabled'],
  async run(ctx) {
    const client = ctx.client();
    const t = await client.tokenRequest(
      {
        grant_type: 'password',
        username: 'login-harness-probe@example.invalid',
        password: 'not-a-real-password',
        scope: 'openid',
      },
      {},
      'password grant probe',
    );
    ctx.observe(`grant_type=password: ${t.status}.`, tokenData(t));
    if (t.ok) return fail('The provider issued tokens for the password grant.');
    if (ctx.provider.metadata.grant_types_supported?.includes('password'))
      return fail('The metadata advertises the password grant.');
    if (t.error === 'unsupported_grant_type' || t.error === 'unauthorized_client') {
      return pass(`The password grant was refused (${t.error}).`);
    }
    if (!t.error) {
      return targetError(
        `The provider answered ${t.status} without an RFC 6749 error code (see provider.errors.format), so whether it refused the grant type cannot be told.`,
      );
    }
    // Any other error code means the provider evaluated the grant (e.g. judged the credentials) rather than refusing it.
    return fail(
      `The provider answered ${t.status} ${t.error} instead of unsupported_grant_type: it processes the password grant (only the made-up credentials failed).`,
    );
  },
});
