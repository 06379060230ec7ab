/**
 * client-auth.private-key-jwt: a client registered with keys authenticates with client assertions that
 * name the provider, expire within minutes, are never repeated and are signed with a registered
 * asymmetric key (RFC 7523 3, OIDC Core 9, RFC 9700 2.5).
 */
import type { ClientAssertionInfo } from '../../mock-idp/types.js';
import { completeLogin, tokenRequestsForCode } from '../lib/flow.js';
import { defineClientCheck } from '../define.js';
import { notApplicable, pass, stopError } from '../lib/outcome.js';
import type { Outcome, Requirement } from '../types.js';

/** Asymmetric JWS algorithms (RFC 7518 3.1): `private_key_jwt` is signed with the client's private key. */
const ASYMMETRIC = /^(RS|PS|ES)(256|384|512)$|^EdDSA$|^ES256K$/;

/** Assertions valid for longer than this (seconds) are "unreasonably far in the future" here. */
export const MAX_LIFETIME_S = 300;

const AUDIENCE: Requirement = {
  text: 'The JWT MUST contain an "aud" (audience) claim containing a value that identifies the authorization server as an intended audience. The token endpoint URL of the authorization server MAY be used as a value for an "aud" element to identify the authorization server as an intended audience of the JWT.',
  level: 'MUST',
  ref: 'RFC7523-3-3',
};

const EXPIRY: Requirement = {
  text: 'The JWT MUST contain an "exp" (expiration time) claim that limits the time window during which the JWT can be used.',
  level: 'MUST',
  ref: 'RFC7523-3-4',
};

const SHORT_LIVED: Requirement = {
  text: 'Note that the authorization server may reject JWTs with an "exp" claim value that is unreasonably far in the future.',
  level: 'RECOMMENDED',
  ref: 'RFC7523-3-4',
};

const SIGNED: Requirement = {
  text: 'private_key_jwt: Clients that have registered a public key sign a JWT using that key.',
  level: 'MUST',
  ref: 'OIDC-9',
};

const ONCE: Requirement = {
  text: 'jti REQUIRED. JWT ID. A unique identifier for the token, which can be used to prevent reuse of the token. These tokens MUST only be used once, unless conditions for reuse were defined between the parties.',
  level: 'MUST',
  ref: 'OIDC-9',
};

/** One problem with one assertion, and the rule it breaks. */
interface Finding {
  text: string;
  requirement: Requirement;
}

/** What is wrong with one assertion the provider received at `at` (ms). */
export function assertionFindings(
  a: ClientAssertionInfo,
  at: number,
  provider: { issuer: string; tokenEndpoint: string },
): Finding[] {
  const found: Finding[] = [];
  if (!a.header || !a.claims) return [{ text: 'the client_assertion is not a JWT', requirement: SIGNED }];
  const alg = typeof a.header.alg === 'string' ? a.header.alg : '';
  if (!ASYMMETRIC.test(alg))
    found.push({ text: `it is not signed asymmetrically (alg ${JSON.stringify(alg)})`, requirement: SIGNED });
  else if (a.error && /signature|no registered key/.test(a.error))
    found.push({ text: `its signature does not verify with the registered keys (${a.error})`, requirement: SIGNED });
  const aud = a.claims.aud;
  const auds = Array.isArray(aud) ? aud : [aud];
  if (!auds.some((v) => v === provider.issuer || v === provider.tokenEndpoint)) {
    found.push({
      text: `its aud ${JSON.stringify(aud)} names neither the issuer nor the token endpoint`,
      requirement: AUDIENCE,
    });
  }
  const exp = a.claims.exp;
  if (typeof exp !== 'number') found.push({ text: 'it has no exp', requirement: EXPIRY });
  else if (exp - Math.floor(at / 1000) > MAX_LIFETIME_S) {
    found.push({
      text: `it stays valid for ${exp - Math.floor(at / 1000)} s (more than ${MAX_LIFETIME_S} s)`,
      requirement: SHORT_LIVED,
    });
  }
  if (typeof a.claims.jti !== 'string' || a.claims.jti === '') found.push({ text: 'it has no jti', requirement: ONCE });
  return found;
}

const ORDER: Requirement[] = [AUDIENCE, SIGNED, EXPIRY, ONCE, SHORT_LIVED];

export const clientAuthPrivateKeyJwt = defineClientCheck({
  id: 'client-auth.private-key-jwt',
  title: 'private_key_jwt client assertions are well-formed and used once',
  severity: 'high',
  refs: ['RFC7523-3', 'OIDC-9', 'RFC9700-2.5'],
  must: 'client assertions name the issuer or token endpoint as `aud`, expire within minutes, never repeat a `jti`, and are signed with an asymmetric registered key',
  rationale:
    'With `private_key_jwt` the client never shares a secret: it proves itself with a short JWT signed by its private key (RFC 7523), which RFC 9700 2.5 recommends over secrets. The proof is only as narrow as the assertion: one that names no audience can be replayed at another server, one valid for hours or reused with the same `jti` is as good as a stolen password while it lasts.',
  remediation:
    'Let the OAuth library build the assertion (openid-client `PrivateKeyJwt`, oauth4webapi `PrivateKeyJwt`). It sets `iss` and `sub` to the client id, `aud` to the issuer and `exp` about a minute ahead, draws a fresh random `jti` for every request, and signs with the private key whose public half is registered.',
  async run(ctx): Promise<Outcome> {
    if (ctx.target.client.authMethod !== 'private_key_jwt') {
      return notApplicable(
        'The manifest does not declare client.authMethod "private_key_jwt" (with client.jwks or client.jwksUri).',
      );
    }
    const provider = { issuer: ctx.idp.issuer, tokenEndpoint: ctx.idp.endpoints.token };
    // Two logins, so a repeated jti shows.
    const assertions: Array<{ info: ClientAssertionInfo; at: number; login: string }> = [];
    for (const name of ['first', 'second']) {
      const login = await completeLogin(ctx, await ctx.session(name));
      if (!login.code) stopError('The provider sent no code.', 'harness');
      const entries = tokenRequestsForCode(ctx, login.code);
      if (entries.length === 0) stopError(`The client did not redeem the ${name} login's code.`, 'target');
      for (const e of entries) {
        const info = e.token?.clientAssertion;
        ctx.observe(
          `Token request of the ${name} login: client authentication ${e.token?.clientAuth ?? 'unknown'}${info ? `, assertion header ${JSON.stringify(info.header ?? {})}, claims ${JSON.stringify(info.claims ?? {})}${info.error ? `, refused: ${info.error}` : ''}` : ''}.`,
        );
        if (info) assertions.push({ info, at: e.at, login: name });
      }
    }
    if (assertions.length === 0) {
      return {
        verdict: 'fail',
        summary: 'The client registered private_key_jwt but sent no client assertion in its token requests.',
        requirement: SIGNED,
      };
    }
    const findings: Finding[] = assertions.flatMap((a) => assertionFindings(a.info, a.at, provider));
    const jtis = assertions.map((a) => a.info.claims?.jti).filter((j): j is string => typeof j === 'string');
    if (new Set(jtis).size < jtis.length) {
      findings.push({ text: 'the same jti was sent in more than one assertion', requirement: ONCE });
    }
    if (findings.length === 0) {
      return pass(
        `${assertions.length} assertions: each named the provider as aud, expired within ${MAX_LIFETIME_S} s, had its own jti and an asymmetric signature that verified.`,
      );
    }
    const texts = [...new Set(findings.map((f) => f.text))];
    const worst = ORDER.find((r) => findings.some((f) => f.requirement === r)) ?? AUDIENCE;
    return {
      verdict: 'fail',
      summary: `Client assertion problems: ${texts.join('; ')}.`,
      ...(worst === AUDIENCE ? {} : { requirement: worst }),
    };
  },
  requirement: AUDIENCE,
});
