/**
 * Two OpenID Connect rules the libraries leave to the relying party, written out once for the
 * examples: the `at_hash` comparison (OIDC Core 3.1.3.8, 3.2.2.9) and the validation of a back-channel
 * logout token (OIDC Back-Channel Logout 1.0 section 2.6).
 */
import { createHash } from 'node:crypto';
import { jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { LogoutTarget } from './login-flow.js';

/** OIDC Core 3.2.2.9: base64url of the left half of the hash (of the ID token's `alg`) of the access token. */
export function atHashOf(accessToken: string, alg: string | undefined): string {
  const bits = alg?.endsWith('512') ? 'sha512' : alg?.endsWith('384') ? 'sha384' : 'sha256';
  const digest = createHash(bits).update(accessToken, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/** The member of `events` that makes a JWT a back-channel logout token (section 2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** What validating a logout token needs: the provider's keys and identity, and this client's id. */
export interface LogoutTokenOptions {
  jwks: JWTVerifyGetKey;
  issuer: string;
  clientId: string;
  /** Asymmetric algorithms only: `none` and HMAC never verify (section 2.6 step 3). */
  algorithms: string[];
}

/**
 * OIDC Back-Channel Logout 2.6: signature and `alg` as for ID tokens (never `none`), `iss`, `aud`,
 * `iat`, `exp`; `sub` or `sid`; an `events` claim with the back-channel logout member; no `nonce`.
 * Throws for an invalid token; returns whom it signs out.
 */
export async function verifyLogoutToken(logoutToken: string, opts: LogoutTokenOptions): Promise<LogoutTarget> {
  const { payload } = await jwtVerify(logoutToken, opts.jwks, {
    issuer: opts.issuer,
    audience: opts.clientId,
    algorithms: opts.algorithms,
    requiredClaims: ['iat', 'exp', 'jti', 'events'],
    maxTokenAge: '10 minutes',
    clockTolerance: 60,
  });
  const events = payload.events;
  if (typeof events !== 'object' || events === null || !(BACKCHANNEL_LOGOUT_EVENT in events))
    throw new Error('the logout token has no back-channel logout event');
  if ('nonce' in payload) throw new Error('a logout token must not contain a nonce');
  return logoutTargetOf(payload);
}

/** Whom a verified logout token signs out: its `sub` and `sid` (section 2.4 requires at least one). */
export function logoutTargetOf(payload: JWTPayload): LogoutTarget {
  const sub = typeof payload.sub === 'string' ? payload.sub : undefined;
  const sid = typeof payload.sid === 'string' ? payload.sid : undefined;
  if (sub === undefined && sid === undefined) throw new Error('the logout token names neither sub nor sid');
  return { ...(sub !== undefined ? { sub } : {}), ...(sid !== undefined ? { sid } : {}) };
}
