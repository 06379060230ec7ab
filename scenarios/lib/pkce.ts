/**
 * PKCE helpers (RFC 7636), and the one reading of "did the client use PKCE" every check shares: the
 * parameters of the authorization request as the client sent it. The provider's record of a code is not
 * that observation: a provider that ignores PKCE (the `lexoffice-partner` profile advertises no
 * `code_challenge_methods_supported`) binds no challenge to the code although the client sent one.
 */
import { createHash } from 'node:crypto';

/** The S256 challenge of a verifier: BASE64URL(SHA256(ASCII(code_verifier))) (RFC 7636 §4.2). */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** RFC 7636 §4.1: code-verifier = 43*128unreserved. */
export const VERIFIER_FORMAT = /^[A-Za-z0-9\-._~]{43,128}$/;

/** The PKCE parameters of an authorization request, as the client sent them (RFC 7636 §4.3). */
export interface SentPkce {
  /** `code_challenge`. */
  challenge: string;
  /** `code_challenge_method`, or `plain` when absent (RFC 7636 §4.3: "Defaults to "plain" if not present"). */
  method: string;
  /** Whether `code_challenge_method` was in the request at all. */
  methodSent: boolean;
}

/**
 * The PKCE parameters of an authorization request (its query parameters), or undefined when it carries
 * no `code_challenge`, i.e. the client does not use PKCE for this login.
 */
export function sentPkce(params: Readonly<Record<string, string | undefined>>): SentPkce | undefined {
  const challenge = params.code_challenge;
  if (!challenge) return undefined;
  const method = params.code_challenge_method;
  return { challenge, method: method ?? 'plain', methodSent: method !== undefined };
}

/** Whether `verifier` is the one behind the challenge the client sent (RFC 7636 §4.6). */
export function verifierMatches(verifier: string, sent: SentPkce): boolean {
  if (sent.method === 'S256') return s256(verifier) === sent.challenge;
  if (sent.method === 'plain') return verifier === sent.challenge;
  return false;
}
