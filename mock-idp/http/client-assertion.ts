import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import type { ProviderContext } from '../provider-context.js';
import type { ClientAssertionInfo, ClientRegistration } from '../types.js';

/** RFC 7523 2.2: the `client_assertion_type` of a JWT client assertion. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * Asymmetric JWS algorithms the mock verifies assertions with (RFC 7518 3.1). HMAC and `none` are not
 * among them: `private_key_jwt` is signed with the client's private key (OIDC Core 9).
 */
export const ASSERTION_SIGNING_ALGS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

/**
 * The longest an assertion may stay valid, from now, in seconds. RFC 7523 3 lets the server "reject JWTs
 * with an "exp" claim value that is unreasonably far in the future"; libraries sign for 60 seconds, and
 * five minutes leaves room for clock skew.
 */
export const MAX_ASSERTION_LIFETIME_S = 300;

/** Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds. */
const CLOCK_TOLERANCE_S = 5;

/** The outcome of verifying a client assertion. */
export type AssertionResult = { ok: true; info: ClientAssertionInfo } | { ok: false; info: ClientAssertionInfo };

/** Decodes an assertion for the journal without trusting it. */
export function decodeAssertion(assertion: string): ClientAssertionInfo {
  try {
    return {
      header: decodeProtectedHeader(assertion) as Record<string, unknown>,
      claims: decodeJwt(assertion) as Record<string, unknown>,
    };
  } catch {
    return {};
  }
}

/** The client's keys: its registered JWK Set, or its `jwks_uri` (fetched and cached by jose). */
function keySetOf(ctx: ProviderContext, client: ClientRegistration): JWTVerifyGetKey | undefined {
  const cached = ctx.clientKeySets.get(client.clientId);
  if (cached) return cached;
  let set: JWTVerifyGetKey | undefined;
  if (client.jwks) set = createLocalJWKSet({ keys: client.jwks.keys as never });
  else if (client.jwksUri) set = createRemoteJWKSet(new URL(client.jwksUri), { timeoutDuration: 5_000 });
  if (set) ctx.clientKeySets.set(client.clientId, set);
  return set;
}

/** What the token endpoint accepts as `aud`: its issuer identifier or its own URL (RFC 7523 3, item 3). */
export function assertionAudiences(ctx: ProviderContext): string[] {
  return [ctx.built.issuer, ctx.built.endpoints.token];
}

/**
 * Verifies a `private_key_jwt` client assertion (RFC 7523 3, OIDC Core 9): signed with an asymmetric
 * algorithm the metadata advertises by a key the client registered; `iss` and `sub` are the client id;
 * `aud` names this provider (issuer or token endpoint); `exp` is present, not passed and at most
 * {@link MAX_ASSERTION_LIFETIME_S} away; `jti` is present and not seen before (a bounded replay cache).
 * Each permissive `client-assertion-*` mode switches exactly one of these off.
 */
export async function verifyClientAssertion(
  ctx: ProviderContext,
  client: ClientRegistration,
  assertion: string,
): Promise<AssertionResult> {
  const info = decodeAssertion(assertion);
  const refuse = (error: string): AssertionResult => ({ ok: false, info: { ...info, error } });
  if (!info.header || !info.claims) return refuse('the client assertion is not a JWT');
  const p = ctx.permissive;
  const alg = typeof info.header.alg === 'string' ? info.header.alg : '';
  const nowMs = ctx.clock();
  let claims: JWTPayload;
  if (alg.toLowerCase() === 'none' && p.has('client-assertion-alg-none-accepted')) {
    claims = info.claims as JWTPayload;
    if (claims.iss !== client.clientId || claims.sub !== client.clientId)
      return refuse('iss and sub must be the client id (RFC 7523 3)');
  } else {
    const advertised = ctx.built.assertionSigningAlgs;
    if (!advertised.includes(alg)) {
      return refuse(
        `alg ${JSON.stringify(alg)} is not an advertised asymmetric algorithm (${advertised.join(', ')}); the assertion must be signed with the client's private key`,
      );
    }
    const keys = keySetOf(ctx, client);
    if (!keys) return refuse('the client registered no keys');
    try {
      const verified = await jwtVerify(assertion, keys, {
        algorithms: advertised,
        issuer: client.clientId,
        subject: client.clientId,
        ...(p.has('client-assertion-aud-not-checked') ? {} : { audience: assertionAudiences(ctx) }),
        requiredClaims: ['exp', 'jti'],
        currentDate: new Date(nowMs),
        // Permissive: expiry is not enforced at all.
        clockTolerance: p.has('client-assertion-exp-not-checked') ? Number.MAX_SAFE_INTEGER : CLOCK_TOLERANCE_S,
      });
      claims = verified.payload;
    } catch (error) {
      // JWTExpired is a JWTClaimValidationFailed: asked first.
      if (error instanceof joseErrors.JWTExpired) return refuse(`exp: ${error.message}`);
      if (error instanceof joseErrors.JWTClaimValidationFailed) return refuse(`${error.claim}: ${error.message}`);
      if (error instanceof joseErrors.JWKSNoMatchingKey) return refuse('no registered key matches the assertion');
      if (error instanceof joseErrors.JWSSignatureVerificationFailed)
        return refuse('the signature does not verify with the registered keys');
      return refuse(`the assertion could not be verified: ${(error as Error).message}`);
    }
    if (!p.has('client-assertion-exp-not-checked') && typeof claims.exp === 'number') {
      const lifetime = claims.exp - Math.floor(nowMs / 1000);
      if (lifetime > MAX_ASSERTION_LIFETIME_S) {
        return refuse(`exp is ${lifetime} s away; at most ${MAX_ASSERTION_LIFETIME_S} s are accepted (RFC 7523 3)`);
      }
    }
  }
  if (!p.has('client-assertion-replay-allowed')) {
    const jti = typeof claims.jti === 'string' ? claims.jti : '';
    if (jti === '') return refuse('jti is required (OIDC Core 9)');
    const expMs = typeof claims.exp === 'number' ? claims.exp * 1000 : nowMs + MAX_ASSERTION_LIFETIME_S * 1000;
    // Remembered at least as long as the assertion could still be accepted (its exp plus the tolerance).
    if (!ctx.assertionJtis.use(`${client.clientId} ${jti}`, expMs + CLOCK_TOLERANCE_S * 1000, nowMs)) {
      return refuse('jti has been used before: a client assertion is used only once (OIDC Core 9)');
    }
  }
  return { ok: true, info };
}
