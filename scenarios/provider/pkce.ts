/**
 * PKCE checks (RFC 7636, RFC 9700 2.1.1 and 4.8). RFC 9700 2.1.1 makes PKCE support mandatory for
 * authorization servers ("Authorization servers MUST support PKCE"; "If a client sends a valid PKCE
 * code_challenge parameter in the authorization request, the authorization server MUST enforce the
 * correct usage of code_verifier at the token endpoint"), so the enforcement checks apply to every
 * provider, advertised or not: a provider that silently ignores a challenge fails them. Only
 * `plain-rejected` needs S256 to be advertised, and `required` needs a public client.
 */
import { defineProviderCheck } from '../define.js';
import { newVerifier } from '../../harness/provider/client.js';
import type { Outcome } from '../types.js';
import type { ProviderCheckContext } from './types.js';
import { authorizeData, configError, fail, notApplicable, pass, readAuthorize, tokenData, warn } from './verdicts.js';

/**
 * A PKCE enforcement failure. For a provider that does not advertise PKCE, the reason comes first (it
 * is what a reader of a one-line summary must see): PKCE is not supported there at all.
 */
function pkceFail(ctx: ProviderCheckContext, observed: string): Outcome {
  return fail(
    ctx.features.has('pkce')
      ? observed
      : `PKCE is not supported here: the provider does not advertise it and ignores the PKCE parameters, although RFC 9700 2.1.1 requires authorization servers to support and enforce it. ${observed}`,
  );
}

export const pkceRequired = defineProviderCheck({
  id: 'provider.pkce.required',
  title: 'Public clients must send a PKCE challenge',
  severity: 'high',
  refs: ['RFC9700-2.1.1'],
  requirement: {
    text: 'Public clients MUST use PKCE; an authorization server that refuses requests without a code_challenge enforces it (RFC 9700 requires the server to support PKCE, not to require it).',
    level: 'RECOMMENDED',
    ref: 'RFC9700-2.1.1',
    fapi2: {
      text: 'shall require PKCE with S256 as the code challenge method',
      level: 'MUST',
      ref: 'FAPI2-SP-5.3.2.2',
    },
  },
  must: 'an authorization request without `code_challenge` from a public client is refused',
  rationale:
    'A public client cannot authenticate at the token endpoint, so a stolen code is all an attacker needs unless the code is bound to a verifier only the real client knows. RFC 9700 2.1.1 requires public clients to use PKCE; a provider that issues codes to public clients without a challenge leaves them open to code interception and injection.',
  remediation: 'Refuse (`invalid_request`) authorization requests from public clients that carry no `code_challenge`.',
  needs: ['public-client'],
  catches: ['pkce-not-required'],
  async run(ctx) {
    const client = ctx.client(ctx.clients.public);
    await client.obtainCode();
    ctx.observe('Control: the same request with an S256 challenge got a code.');
    const pending = client.authorizationRequest({ pkce: 'none' });
    const r = await client.authorize(pending);
    const read = readAuthorize(r);
    ctx.observe(`Without code_challenge: ${read.how}.`, authorizeData(pending, r));
    if (read.accepted === undefined) return configError(`The provider's answer could not be observed: ${read.how}.`);
    if (read.accepted)
      return fail('The provider issued a code to a public client whose request carried no code_challenge.');
    return pass('An authorization request without code_challenge from a public client was refused.');
  },
});

export const pkceVerifierChecked = defineProviderCheck({
  id: 'provider.pkce.verifier-checked',
  title: 'A wrong code_verifier is refused',
  severity: 'critical',
  refs: ['RFC7636-4.6', 'RFC9700-2.1.1'],
  requirement: {
    text: 'If the values are not equal, an error response indicating "invalid_grant" as described in Section 5.2 of [RFC6749] MUST be returned.',
    level: 'MUST',
    ref: 'RFC7636-4.6',
  },
  must: 'a wrong `code_verifier` is refused',
  rationale:
    'PKCE only protects a code if the token endpoint compares the verifier with the challenge. A provider that accepts any verifier lets whoever intercepted the code redeem it.',
  remediation:
    'At the token endpoint, compute BASE64URL(SHA256(code_verifier)) and compare it with the stored challenge in constant time; refuse with `invalid_grant` when they differ (RFC 7636 4.6).',
  catches: ['verifier-not-checked'],
  async run(ctx) {
    const client = ctx.client();
    const { pending, code } = await client.obtainCode();
    const t = await client.redeem(pending, code, { verifier: newVerifier() });
    ctx.observe(`Redeeming the code with a different, well-formed verifier: ${t.status}.`, tokenData(t));
    if (t.ok)
      return pkceFail(ctx, `The provider issued tokens although the verifier does not match the challenge sent.`);
    return pass('A verifier that does not match the challenge was refused.');
  },
});

export const pkceDowngradeToken = defineProviderCheck({
  id: 'provider.pkce.downgrade-token',
  title: 'A code issued with a challenge cannot be redeemed without a verifier',
  severity: 'critical',
  refs: ['RFC7636-4.6', 'RFC9700-4.8'],
  requirement: {
    text: 'If a client sends a valid PKCE code_challenge parameter in the authorization request, the authorization server MUST enforce the correct usage of code_verifier at the token endpoint.',
    level: 'MUST',
    ref: 'RFC9700-2.1.1',
  },
  must: 'no verifier for a code issued with a challenge is refused',
  rationale:
    'If the verifier is optional, an attacker who intercepted a code simply leaves it out, and PKCE protects nothing.',
  remediation:
    'When the code was issued with a `code_challenge`, require `code_verifier` at the token endpoint (`invalid_grant` otherwise).',
  catches: ['verifier-optional'],
  async run(ctx) {
    const client = ctx.client();
    const { pending, code } = await client.obtainCode();
    const t = await client.redeem(pending, code, { verifier: null });
    ctx.observe(`Redeeming a code issued with an S256 challenge without code_verifier: ${t.status}.`, tokenData(t));
    if (t.ok)
      return pkceFail(
        ctx,
        `The provider issued tokens for a code issued with a challenge, although no code_verifier was sent.`,
      );
    return pass('Without code_verifier, the code issued with a challenge was refused.');
  },
});

export const pkceDowngradeAuthz = defineProviderCheck({
  id: 'provider.pkce.downgrade-authz',
  title: 'A verifier for a code issued without a challenge is refused',
  severity: 'high',
  refs: ['RFC9700-4.8.2'],
  requirement: {
    text: 'Authorization servers MUST mitigate PKCE Downgrade Attacks by ensuring that a token request containing a code_verifier parameter is accepted only if a code_challenge parameter was present in the authorization request.',
    level: 'MUST',
    ref: 'RFC9700-2.1.1',
  },
  must: 'a verifier for a code issued without a challenge is refused',
  rationale:
    'In the PKCE downgrade attack (RFC 9700 4.8) the attacker strips the challenge from the authorization request; the honest client still sends its verifier. Only a provider that refuses a verifier for a code issued without a challenge notices.',
  remediation:
    'Accept a `code_verifier` only when the code was issued with a `code_challenge` (RFC 9700 4.8.2); otherwise answer `invalid_grant`.',
  catches: ['verifier-without-challenge-accepted'],
  async run(ctx) {
    // The confidential client is the one a provider may let omit PKCE; use it when there is one.
    const client = ctx.client(ctx.clients.confidential ?? ctx.clients.primary);
    await client.obtainCode();
    ctx.observe(
      'Control: a correct authorization request got a code, so a page instead of a redirect below is the provider refusing.',
    );
    const pending = client.authorizationRequest({ pkce: 'none' });
    const r = await client.authorize(pending);
    const read = readAuthorize(r);
    ctx.observe(
      `Authorization request without code_challenge (${client.client.label} client): ${read.how}.`,
      authorizeData(pending, r),
    );
    if (read.accepted === undefined) return configError(`The provider's answer could not be observed: ${read.how}.`);
    const code = r.kind === 'redirect' ? r.query.code : undefined;
    if (!code) {
      return pass('The provider issues no code without a challenge to this client, so the downgrade cannot start.');
    }
    const t = await client.redeem(pending, code, { verifier: newVerifier() });
    ctx.observe(`Redeeming that code with a code_verifier: ${t.status}.`, tokenData(t));
    if (t.ok)
      return pkceFail(
        ctx,
        `The provider accepted a code_verifier for a code that was issued without a code_challenge.`,
      );
    return pass('A code_verifier for a code issued without a challenge was refused.');
  },
});

export const pkcePlainRejected = defineProviderCheck({
  id: 'provider.pkce.plain-rejected',
  title: 'The plain method is refused where S256 is supported',
  severity: 'medium',
  refs: ['RFC7636-4.2', 'RFC9700-2.1.1'],
  requirement: {
    text: 'When using PKCE, clients SHOULD use PKCE code challenge methods that do not expose the PKCE verifier in the authorization request; currently, S256 is the only such method (refusing plain is recommended).',
    level: 'RECOMMENDED',
    ref: 'RFC9700-2.1.1',
    fapi2: {
      text: 'shall require PKCE with S256 as the code challenge method',
      level: 'MUST',
      ref: 'FAPI2-SP-5.3.2.2',
    },
  },
  must: '`plain` is refused where S256 is supported',
  rationale:
    'With `plain` the challenge is the verifier, so anyone who sees the authorization request (logs, history, a malicious app) can redeem the code. S256 exists so that the front channel never carries the verifier.',
  remediation: 'Support S256 only and refuse `code_challenge_method=plain` with `invalid_request`.',
  needs: ['pkce'],
  catches: ['plain-allowed'],
  async run(ctx) {
    const client = ctx.client();
    await client.obtainCode();
    ctx.observe(
      'Control: a correct authorization request got a code, so a page instead of a redirect below is the provider refusing.',
    );
    const pending = client.authorizationRequest({ pkce: 'plain' });
    const r = await client.authorize(pending);
    const read = readAuthorize(r);
    ctx.observe(`Authorization request with code_challenge_method=plain: ${read.how}.`, authorizeData(pending, r));
    if (read.accepted === undefined) return configError(`The provider's answer could not be observed: ${read.how}.`);
    const code = r.kind === 'redirect' ? r.query.code : undefined;
    if (!code) return pass('The authorization request with the plain method was refused.');
    const t = await client.redeem(pending, code);
    ctx.observe(`Redeeming the code with the plain verifier: ${t.status}.`, tokenData(t));
    if (t.ok)
      return fail(
        'The provider accepted the plain method end to end (code issued and redeemed with the plain verifier).',
      );
    return pass('A code was issued for the plain request, but the plain verifier was refused at the token endpoint.');
  },
});

/** Verifiers that break RFC 7636 4.1 (`43*128unreserved`). */
const MALFORMED: Array<{ name: string; value: string }> = [
  { name: 'too short (42 characters)', value: 'A'.repeat(21) + 'b'.repeat(21) },
  { name: 'characters outside the unreserved set', value: `${'a'.repeat(40)}+/=` },
];

export const pkceVerifierFormat = defineProviderCheck({
  id: 'provider.pkce.verifier-format',
  title: 'A malformed code_verifier is refused',
  severity: 'medium',
  refs: ['RFC7636-4.1'],
  requirement: {
    text: 'code-verifier = 43*128unreserved: a verifier outside that grammar is not a valid RFC 7636 code_verifier (the RFC states no server reaction).',
    level: 'RECOMMENDED',
    ref: 'RFC7636-4.1',
  },
  must: 'a malformed verifier (too short, bad characters) is refused',
  rationale:
    'The verifier must be 43 to 128 unreserved characters so that it carries enough entropy. A provider that accepts short or odd verifiers lets weak clients get away with guessable ones.',
  remediation:
    'Validate `code_verifier` against the RFC 7636 4.1 ABNF (`[A-Za-z0-9-._~]{43,128}`) before comparing it.',
  catches: ['verifier-format-not-checked'],
  async run(ctx) {
    const client = ctx.client();
    const accepted: string[] = [];
    for (const bad of MALFORMED) {
      // The challenge is derived from the malformed verifier, so only a format check can refuse it.
      const { pending, code } = await client.obtainCode({ verifier: bad.value });
      const t = await client.redeem(pending, code);
      ctx.observe(`Verifier ${bad.name}, with the challenge computed from it: ${t.status}.`, tokenData(t));
      if (t.ok) accepted.push(bad.name);
    }
    if (accepted.length) return pkceFail(ctx, `The provider accepted malformed verifiers: ${accepted.join('; ')}.`);
    return pass('Malformed verifiers were refused even though they matched their challenges.');
  },
});

export const pkceFailedAttemptBurnsCode = defineProviderCheck({
  id: 'provider.pkce.failed-attempt-burns-code',
  title: 'A failed verifier attempt burns the code',
  severity: 'medium',
  refs: ['RFC9700-4.8', 'RFC6749-10.5'],
  requirement: {
    text: 'Authorization codes MUST be short lived and single-use; a code whose redemption failed is best not honoured again (defence in depth).',
    level: 'RECOMMENDED',
    ref: 'RFC9700-4.8',
  },
  must: 'after a wrong verifier, the right one no longer works',
  rationale:
    'If a code survives failed verifier attempts, whoever holds an intercepted code may keep guessing for its whole lifetime; burning it on the first failure leaves one try. No RFC makes this a MUST (RFC 9700 4.8 and RFC 7636 4.6 only require refusing the wrong verifier), so a surviving code is reported as a warning, not a failure.',
  remediation: 'Invalidate the code when a token request for it fails PKCE verification.',
  catches: ['failed-verifier-keeps-code'],
  async run(ctx) {
    const client = ctx.client();
    const { pending, code } = await client.obtainCode();
    const wrong = await client.redeem(pending, code, { verifier: newVerifier() });
    ctx.observe(`First attempt with a wrong verifier: ${wrong.status}.`, tokenData(wrong));
    if (wrong.ok) {
      return notApplicable(
        'The wrong verifier was accepted (see provider.pkce.verifier-checked), so whether a failed attempt burns the code cannot be observed.',
      );
    }
    const right = await client.redeem(pending, code);
    ctx.observe(`Second attempt with the right verifier: ${right.status}.`, tokenData(right));
    if (right.ok) {
      return warn(
        'The code still worked with the right verifier after a failed attempt: failed attempts do not burn codes (defence in depth, not an RFC MUST).',
      );
    }
    return pass('After a failed verifier attempt the code no longer worked, even with the right verifier.');
  },
});
