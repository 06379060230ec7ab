import { createHash } from 'node:crypto';

/** RFC 7636 4.1: code-verifier = 43*128unreserved, unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~". */
export const VERIFIER_ABNF = /^[A-Za-z0-9\-._~]{43,128}$/;

/** RFC 7636 4.2: an S256 challenge is BASE64URL(SHA256(verifier)) without padding: 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** True when `challenge` has the shape its method produces. A plain challenge is a verifier. */
export function challengeWellFormed(challenge: string, method: string): boolean {
  return method === 'S256' ? S256_CHALLENGE.test(challenge) : VERIFIER_ABNF.test(challenge);
}

/** RFC 7636 4.6: the server recomputes the challenge from the verifier and compares. */
export function verifierMatches(verifier: string, challenge: string, method: string): boolean {
  const computed = method === 'S256' ? createHash('sha256').update(verifier, 'ascii').digest('base64url') : verifier;
  return computed === challenge;
}
