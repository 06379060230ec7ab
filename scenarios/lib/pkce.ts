/** PKCE helpers (RFC 7636). */
import { createHash } from 'node:crypto';

/** The S256 challenge of a verifier: BASE64URL(SHA256(ASCII(code_verifier))) (RFC 7636 §4.2). */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** RFC 7636 §4.1: code-verifier = 43*128unreserved. */
export const VERIFIER_FORMAT = /^[A-Za-z0-9\-._~]{43,128}$/;
