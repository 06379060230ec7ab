/**
 * Metadata checks: the discovery document itself (RFC 8414 3, OIDC Discovery 4.3) and whether it lets
 * a client detect PKCE support (RFC 8414 2, RFC 9700 2.1.1).
 */
import { defineProviderCheck } from '../define.js';
import { fail, pass } from './verdicts.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** True for https URLs and for http on loopback (where TLS is pointless and tests run). */
function secureOrLoopback(url: string): boolean {
  const u = new URL(url);
  return u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.has(u.hostname));
}

/** The document URLs an issuer's metadata may be published at (OIDC Discovery 4, RFC 8414 3). */
export function wellKnownUrls(issuer: string): string[] {
  const u = new URL(issuer);
  const path = u.pathname.replace(/\/$/, '');
  return [
    `${u.origin}${path}/.well-known/openid-configuration`,
    `${u.origin}/.well-known/oauth-authorization-server${path}`,
  ];
}

export const discoveryValid = defineProviderCheck({
  id: 'provider.discovery.valid',
  title: 'The discovery document is valid and names its own issuer',
  severity: 'high',
  refs: ['RFC8414-3', 'OIDC-DISCOVERY-4.3'],
  requirement: {
    text: 'The "issuer" value returned MUST be identical to the authorization server\'s issuer identifier value into which the well-known URI string was inserted to create the URL used to retrieve the metadata.',
    level: 'MUST',
    ref: 'RFC8414-3',
  },
  must: 'metadata parses, `issuer` matches its URL, endpoints are https (loopback excepted)',
  rationale:
    'Clients configure themselves from the discovery document. If the issuer in it differs from the URL it was fetched from, a client cannot tell a mix-up or an impostor document from the real one (OIDC Discovery 4.3), and an endpoint on plain http sends codes and tokens over the network in the clear.',
  remediation:
    'Publish the document at `<issuer>/.well-known/openid-configuration` (or the RFC 8414 location) with `issuer` exactly equal to that prefix, include the required members, and serve every endpoint over https.',
  async run(ctx) {
    const client = ctx.client();
    const { metadata, issuer } = ctx.provider;
    const problems: string[] = [];
    ctx.observe('The metadata parsed with the required members issuer, authorization_endpoint and token_endpoint.', {
      source: ctx.provider.source,
    });
    // RFC 8414 2: the issuer is an https URL with no query or fragment.
    const iss = new URL(issuer);
    if (iss.search || iss.hash) problems.push('the issuer has a query or fragment (RFC 8414 2 forbids both)');
    const candidates = ctx.provider.discoveryUrl ? [ctx.provider.discoveryUrl] : wellKnownUrls(issuer);
    let matched = false;
    for (const url of candidates) {
      const res = await client.get(url, 'fetch the discovery document').catch(() => undefined);
      if (!res || res.status !== 200) continue;
      let served: { issuer?: unknown } | undefined;
      try {
        served = JSON.parse(res.body) as { issuer?: unknown };
      } catch {
        problems.push(`${url} did not answer JSON`);
        continue;
      }
      const expected = wellKnownUrls(String(served.issuer ?? ''));
      if (served.issuer !== issuer)
        problems.push(`${url} names issuer ${JSON.stringify(served.issuer)}, not ${issuer}`);
      else if (!expected.includes(url))
        problems.push(`the document at ${url} is not at its issuer's well-known location (${expected.join(' or ')})`);
      else matched = true;
      ctx.observe(`${url} answered 200 with issuer ${JSON.stringify(served.issuer)}.`);
      break;
    }
    if (!matched && problems.length === 0)
      problems.push(`no metadata with issuer ${issuer} is served at ${candidates.join(' or ')}`);
    const endpoints = Object.entries(metadata).filter(
      ([k, v]) => (k.endsWith('_endpoint') || k === 'jwks_uri' || k === 'issuer') && typeof v === 'string',
    ) as Array<[string, string]>;
    for (const [name, url] of endpoints) {
      if (!secureOrLoopback(url)) problems.push(`${name} ${url} is not https`);
    }
    ctx.observe(
      `Checked ${endpoints.length} endpoint URLs for https (loopback excepted).`,
      Object.fromEntries(endpoints),
    );
    if (!metadata.response_types_supported)
      problems.push('response_types_supported is missing (required by RFC 8414 2)');
    if (metadata.scopes_supported?.includes('openid')) {
      for (const k of ['jwks_uri', 'subject_types_supported', 'id_token_signing_alg_values_supported']) {
        if (!(k in metadata)) problems.push(`${k} is missing (required for OpenID providers, OIDC Discovery 3)`);
      }
    }
    if (problems.length) return fail(`The discovery document has problems: ${problems.join('; ')}.`);
    return pass(
      'The discovery document is served at its issuer, names that issuer, and every endpoint is https or loopback.',
    );
  },
});

export const discoveryPkceAdvertised = defineProviderCheck({
  id: 'provider.discovery.pkce-advertised',
  title: 'The metadata advertises S256 and not plain',
  severity: 'medium',
  refs: ['RFC8414-2', 'RFC7636-4.2', 'RFC9700-2.1.1'],
  requirement: {
    text: 'Authorization servers MUST provide a way to detect their support for PKCE. It is RECOMMENDED for authorization servers to publish the element code_challenge_methods_supported in their Authorization Server Metadata.',
    level: 'RECOMMENDED',
    ref: 'RFC9700-2.1.1',
  },
  must: '`code_challenge_methods_supported` has S256 and not plain',
  rationale:
    'RFC 9700 2.1.1 requires authorization servers to support PKCE and to give clients a way to detect it; the metadata member `code_challenge_methods_supported` is that way. Advertising `plain` invites clients to send the verifier itself in the front channel, where it can leak.',
  remediation: 'Support PKCE with S256 and publish `"code_challenge_methods_supported": ["S256"]`.',
  async run(ctx) {
    const methods = ctx.provider.metadata.code_challenge_methods_supported;
    ctx.observe(`code_challenge_methods_supported is ${JSON.stringify(methods ?? null)}.`);
    if (!methods) {
      return fail(
        'The metadata has no code_challenge_methods_supported: the provider gives clients no way to detect PKCE support (RFC 9700 2.1.1 requires one).',
      );
    }
    if (!methods.includes('S256')) return fail(`S256 is not advertised (${methods.join(', ') || 'empty list'}).`);
    if (methods.includes('plain')) return fail('plain is advertised next to S256.');
    return pass('The provider advertises S256 only.');
  },
});
