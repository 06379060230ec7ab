/**
 * ID tokens verify against the provider's JWKS with the claims OIDC Core 3.1.3.7 requires.
 */
import { defineProviderCheck } from '../define.js';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { fail, pass, targetError } from './verdicts.js';

/** Clock skew tolerated for `iat` and `exp`, in seconds. */
const SKEW = 60;

export const idTokenValid = defineProviderCheck({
  id: 'provider.id-token.valid',
  title: 'ID tokens verify with correct iss, aud, exp, iat and nonce',
  severity: 'high',
  refs: ['OIDC-3.1.3.7', 'OIDC-2'],
  requirement: {
    text: 'ID Tokens MUST be signed using JWS and contain the REQUIRED Claims iss, sub, aud, exp and iat (and nonce when one was sent).',
    level: 'MUST',
    ref: 'OIDC-2',
  },
  must: 'ID tokens verify against the JWKS with correct iss, aud, exp, iat, nonce',
  rationale:
    'Clients sign people in on the strength of the ID token. A token that does not verify against the published keys, or names the wrong issuer, audience or nonce, forces clients to choose between rejecting valid logins and accepting forged ones.',
  remediation:
    "Sign ID tokens with a key published in the JWKS (with its `kid`), set `iss` to the issuer, `aud` to the client id, `exp` and `iat` from a correct clock, and copy the request's `nonce`.",
  needs: ['oidc'],
  async run(ctx) {
    const client = ctx.client();
    const { pending, tokens } = await client.login();
    if (!tokens.idToken)
      return fail('The token response to an openid request carried no id_token (OIDC Core 3.1.3.3).');
    const jwksUri = ctx.provider.metadata.jwks_uri;
    if (!jwksUri) return fail('The provider advertises no jwks_uri to verify ID tokens with.');
    const jwksRes = await client.get(jwksUri, 'fetch the JWKS');
    let jwks: JSONWebKeySet;
    try {
      jwks = JSON.parse(jwksRes.body) as JSONWebKeySet;
    } catch {
      return targetError(`The JWKS at ${jwksUri} is not JSON (status ${jwksRes.status}).`);
    }
    const algs = (ctx.provider.metadata.id_token_signing_alg_values_supported ?? ['RS256']).filter((a) => a !== 'none');
    try {
      const { payload, protectedHeader } = await jwtVerify(tokens.idToken, createLocalJWKSet(jwks), {
        issuer: ctx.provider.issuer,
        audience: client.client.id,
        algorithms: algs,
        clockTolerance: SKEW,
        requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
      });
      ctx.observe(`The ID token verified (alg ${protectedHeader.alg}, kid ${protectedHeader.kid ?? 'none'}).`, {
        iss: payload.iss,
        aud: payload.aud,
        iat: payload.iat,
        exp: payload.exp,
        nonceMatches: payload.nonce === pending.nonce,
      });
      const now = Math.floor(Date.now() / 1000);
      if (typeof payload.iat !== 'number' || payload.iat > now + SKEW)
        return fail('The ID token is issued in the future (iat).');
      if (pending.nonce && payload.nonce !== pending.nonce)
        return fail("The ID token's nonce differs from the one in the authorization request.");
      if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== client.client.id) {
        return fail('The ID token has several audiences but no azp naming the client (OIDC Core 2).');
      }
      return pass('The ID token verified against the JWKS with the right iss, aud, exp, iat and nonce.');
    } catch (err) {
      ctx.observe(`The ID token did not verify: ${(err as Error).message}.`);
      return fail(`The ID token did not verify: ${(err as Error).message}.`);
    }
  },
});
