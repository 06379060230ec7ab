/**
 * Redirect URI checks: exact matching against the registered URI (RFC 9700 4.1.3, 2.1) and no redirect
 * to an invalid one (RFC 6749 4.1.2.1, RFC 9700 4.11.2).
 */
import { defineProviderCheck } from '../define.js';
import type { AuthorizeResult } from '../../harness/provider/client.js';
import { authorizeData, configError, fail, pass, readAuthorize } from './verdicts.js';

/** Variants of a registered redirect URI an exact-matching provider must refuse (RFC 9700 4.1.3). */
export function redirectUriVariants(registered: string): Array<{ name: string; uri: string }> {
  const u = new URL(registered);
  const base = `${u.protocol}//${u.host}`;
  const path = u.pathname;
  const query = u.search;
  const variants = [
    { name: 'suffix on the path', uri: `${base}${path.replace(/\/$/, '')}evil${query}` },
    { name: 'extra path segment', uri: `${base}${path.replace(/\/$/, '')}/evil${query}` },
    { name: 'subdomain', uri: `${u.protocol}//evil.${u.host}${path}${query}` },
    { name: 'added query parameter', uri: `${registered}${query ? '&' : '?'}lh=1` },
    { name: 'userinfo', uri: `${u.protocol}//evil@${u.host}${path}${query}` },
    {
      name: 'trailing slash',
      uri: path.endsWith('/') ? `${base}${path.slice(0, -1)}${query}` : `${base}${path}/${query}`,
    },
  ];
  if (/[a-z]/.test(path))
    variants.push({ name: 'letter case of the path', uri: `${base}${path.toUpperCase()}${query}` });
  return variants.filter((v) => v.uri !== registered);
}

/** True when the provider delivered a code or token anywhere but to exactly the registered URI. */
function deliveredElsewhere(r: AuthorizeResult, registered: string): boolean {
  if (r.kind !== 'redirect') return false;
  const p = { ...r.query, ...r.fragment };
  if (!p.code && !p.access_token && !p.id_token) return false;
  const loc = new URL(r.location);
  for (const k of [
    'code',
    'state',
    'iss',
    'session_state',
    'access_token',
    'id_token',
    'token_type',
    'expires_in',
    'scope',
  ]) {
    loc.searchParams.delete(k);
  }
  loc.hash = '';
  return loc.href !== new URL(registered).href;
}

export const redirectUriExact = defineProviderCheck({
  id: 'provider.redirect-uri.exact',
  title: 'Redirect URIs are matched exactly',
  severity: 'critical',
  refs: ['RFC9700-4.1.3', 'RFC9700-2.1'],
  requirement: {
    text: 'When comparing client redirection URIs against pre-registered URIs, authorization servers MUST utilize exact string matching except for port numbers in localhost redirection URIs of native apps.',
    level: 'MUST',
    ref: 'RFC9700-4.1.3',
  },
  must: 'variants of the registered redirect URI (suffix, subdomain, added query, userinfo, case, trailing slash) are refused',
  rationale:
    'Lenient redirect URI matching (prefixes, patterns, subdomains) is the classic way codes and tokens are stolen: the attacker crafts an authorization link whose redirect_uri passes the check but points somewhere the attacker can read. RFC 9700 2.1 requires exact string matching (loopback ports for native apps excepted).',
  remediation:
    'Compare the redirect_uri with the registered URIs by exact string comparison; no prefixes, wildcards or normalisation.',
  catches: ['redirect-uri-prefix-match'],
  async run(ctx) {
    const client = ctx.client();
    const registered = client.client.redirectUri;
    await client.obtainCode();
    ctx.observe(`Control: the registered redirect URI ${registered} got a code.`);
    const leaked: string[] = [];
    for (const v of redirectUriVariants(registered)) {
      const pending = client.authorizationRequest({ redirectUri: v.uri });
      const r = await client.authorize(pending);
      const read = readAuthorize(r);
      if (read.accepted === undefined) return configError(`The provider's answer could not be observed: ${read.how}.`);
      ctx.observe(`Variant "${v.name}" (${v.uri}): ${read.how}.`, authorizeData(pending, r));
      if (deliveredElsewhere(r, registered)) leaked.push(`${v.name} (${v.uri})`);
    }
    if (leaked.length)
      return fail(`The provider sent a code to redirect URIs that are not the registered one: ${leaked.join('; ')}.`);
    return pass('Every variant of the registered redirect URI was refused.');
  },
});

export const redirectUriErrorNoRedirect = defineProviderCheck({
  id: 'provider.redirect-uri.error-no-redirect',
  title: 'An invalid redirect URI gives an error page, never a redirect',
  severity: 'high',
  refs: ['RFC6749-4.1.2.1', 'RFC9700-4.11.2'],
  requirement: {
    text: 'If the request fails due to a missing, invalid, or mismatching redirection URI [...] the authorization server SHOULD inform the resource owner of the error and MUST NOT automatically redirect the user-agent to the invalid redirection URI.',
    level: 'MUST',
    ref: 'RFC6749-4.1.2.1',
  },
  must: 'an invalid redirect_uri gives an error page, never a redirect',
  rationale:
    'RFC 6749 4.1.2.1 forbids redirecting when the redirect URI (or the client) is invalid: otherwise the provider becomes an open redirector that attackers use to lend phishing links its trusted domain (RFC 9700 4.11.2).',
  remediation:
    'When the redirect_uri is not registered or the client is unknown, show an error page to the person instead of redirecting.',
  catches: ['redirect-on-invalid-redirect-uri'],
  async run(ctx) {
    const client = ctx.client();
    await client.obtainCode();
    ctx.observe(
      'Control: a correct authorization request got a code, so a page instead of a redirect below is the provider refusing.',
    );
    const foreign = 'https://attacker.example/callback';
    const probes = [
      { name: 'unregistered redirect_uri', pending: client.authorizationRequest({ redirectUri: foreign }) },
      {
        name: 'unknown client_id with that redirect_uri',
        pending: client.authorizationRequest({
          redirectUri: foreign,
          extra: { client_id: `lh-unknown-${Math.floor(ctx.random() * 1e9)}` },
        }),
      },
    ];
    const redirected: string[] = [];
    for (const probe of probes) {
      const r = await client.authorize(probe.pending);
      const read = readAuthorize(r);
      if (read.accepted === undefined) return configError(`The provider's answer could not be observed: ${read.how}.`);
      ctx.observe(`${probe.name}: ${read.how}.`, authorizeData(probe.pending, r));
      if (r.kind === 'redirect' && new URL(r.location).origin === new URL(foreign).origin) redirected.push(probe.name);
    }
    if (redirected.length)
      return fail(`The provider redirected to an unregistered redirect URI: ${redirected.join('; ')}.`);
    return pass('Invalid redirect URIs and unknown clients got an error page, not a redirect.');
  },
});
