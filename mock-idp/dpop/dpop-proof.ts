import { createHash } from 'node:crypto';
import { EmbeddedJWK, calculateJwkThumbprint, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import type { DpopProofInfo } from '../types.js';

/** Asymmetric JWS algorithms the mock accepts in DPoP proofs (RFC 9449 4.2: never `none` or a MAC). */
export const DPOP_SIGNING_ALGS = ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA'] as const;

/** How far a proof's `iat` may lie from the provider clock (RFC 9449 11.1: "a reasonable time window"). */
export const DPOP_IAT_WINDOW_SECONDS = 60;

/** How many proof `jti` values the replay cache holds at most (oldest forgotten first). */
export const DPOP_JTI_CACHE_MAX = 10_000;

/** How long a server nonce stays acceptable after it was issued (RFC 9449 8: the server decides). */
export const DPOP_NONCE_LIFETIME_MS = 5 * 60_000;

/** What a proof is verified against. */
export interface DpopExpectation {
  /** RFC 9449 4.3 item 8: the request method. */
  htm: string;
  /** RFC 9449 4.3 item 9: the request URI without query and fragment. */
  htu: string;
  /** The access token presented with the proof (resource requests): `ath` must be its hash (4.3 item 11). */
  accessToken?: string;
  /** A nonce the server demands (RFC 9449 8, 9); undefined when none is demanded. */
  nonceRequired?: boolean;
}

/** A verified proof, or why not. `use_dpop_nonce` asks the client to retry with the `DPoP-Nonce` header. */
export type DpopResult =
  | { ok: true; jkt: string; info: DpopProofInfo }
  | { ok: false; error: 'invalid_dpop_proof' | 'use_dpop_nonce'; description: string; info: DpopProofInfo };

/** `base64url(SHA-256(ASCII(access token)))`, the `ath` claim (RFC 9449 4.2). */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

/** RFC 9449 4.3 item 9: `htu` compares without query and fragment, scheme and host case-insensitively. */
export function normalizeHtu(value: string): string | undefined {
  if (!URL.canParse(value)) return undefined;
  const url = new URL(value);
  url.search = '';
  url.hash = '';
  return url.href;
}

/**
 * The proof checks of RFC 9449 4.3, with jose for the JWT: one `DPoP` header, a JWT of `typ`
 * `dpop+jwt`, an asymmetric algorithm, a public `jwk` in the header that verifies the signature, `jti`
 * not seen before (within the `iat` window), `htm` and `htu` of this request, `iat` within the window,
 * the server's nonce when one is demanded, and `ath` when an access token is presented.
 *
 * State: the `jti` replay cache and the server nonces. Both are bounded.
 */
export class DpopVerifier {
  readonly #seen = new Map<string, number>();
  readonly #nonces = new Map<string, number>();
  readonly #clock: () => number;
  readonly #checkReplay: boolean;
  readonly #mintNonce: () => string;

  constructor(opts: { clock: () => number; checkReplay: boolean; mintNonce: () => string }) {
    this.#clock = opts.clock;
    this.#checkReplay = opts.checkReplay;
    this.#mintNonce = opts.mintNonce;
  }

  /** A fresh server nonce for the `DPoP-Nonce` header (RFC 9449 8). */
  nonce(): string {
    const now = this.#clock();
    // Oldest first: forget expired nonces, and keep at most 1000.
    for (const [value, issued] of this.#nonces) {
      if (issued + DPOP_NONCE_LIFETIME_MS > now && this.#nonces.size < 1000) break;
      this.#nonces.delete(value);
    }
    const value = this.#mintNonce();
    this.#nonces.set(value, now);
    return value;
  }

  /** Number of `jti` values remembered (tests read it to see the cache stays bounded). */
  get replayCacheSize(): number {
    return this.#seen.size;
  }

  /** Verifies the `DPoP` header value(s) of one request. */
  async verify(headerValue: string | null, expected: DpopExpectation): Promise<DpopResult> {
    const info: DpopProofInfo = { present: headerValue !== null, valid: false };
    const bad = (description: string): DpopResult => ({
      ok: false,
      error: 'invalid_dpop_proof',
      description,
      info: { ...info, error: description },
    });
    if (headerValue === null) return bad('DPoP proof required');
    // RFC 9449 4.3 item 1: exactly one DPoP header. Repeated headers arrive joined with a comma.
    if (headerValue.includes(',')) return bad('more than one DPoP header');
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(headerValue);
    } catch {
      return bad('the DPoP proof is not a JWT');
    }
    info.alg = typeof header.alg === 'string' ? header.alg : undefined;
    if (header.typ !== 'dpop+jwt') return bad('typ must be dpop+jwt (RFC 9449 4.2)');
    if (!info.alg || !(DPOP_SIGNING_ALGS as readonly string[]).includes(info.alg)) {
      return bad(`alg ${String(header.alg)} is not an accepted asymmetric algorithm (RFC 9449 4.3)`);
    }
    const jwk = header.jwk as Record<string, unknown> | undefined;
    if (!jwk || typeof jwk !== 'object') return bad('the DPoP proof header carries no jwk');
    // RFC 9449 4.3 item 6: the jwk is a public key; a private member means the client leaked its key.
    if (['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'].some((m) => m in jwk)) return bad('the jwk contains a private key');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(headerValue, EmbeddedJWK, {
        typ: 'dpop+jwt',
        algorithms: [...DPOP_SIGNING_ALGS],
        currentDate: new Date(this.#clock()),
        clockTolerance: DPOP_IAT_WINDOW_SECONDS,
      }));
    } catch (err) {
      const code = err instanceof joseErrors.JOSEError ? err.code : 'ERR_INVALID';
      return bad(`the DPoP proof does not verify (${code})`);
    }
    info.jkt = await calculateJwkThumbprint(jwk as Parameters<typeof calculateJwkThumbprint>[0], 'sha256');
    info.jti = typeof payload.jti === 'string' ? payload.jti : undefined;
    info.htm = typeof payload.htm === 'string' ? payload.htm : undefined;
    info.htu = typeof payload.htu === 'string' ? payload.htu : undefined;
    info.iat = typeof payload.iat === 'number' ? payload.iat : undefined;
    info.ath = typeof payload.ath === 'string' ? payload.ath : undefined;
    info.nonce = typeof payload.nonce === 'string' ? payload.nonce : undefined;
    if (!info.jti) return bad('jti is missing');
    if (info.htm !== expected.htm) return bad(`htm ${String(info.htm)} is not the request method ${expected.htm}`);
    if (info.htu === undefined || normalizeHtu(info.htu) !== normalizeHtu(expected.htu)) {
      return bad(`htu ${String(info.htu)} is not the request URI ${expected.htu}`);
    }
    const now = Math.floor(this.#clock() / 1000);
    if (info.iat === undefined || Math.abs(now - info.iat) > DPOP_IAT_WINDOW_SECONDS) {
      return bad(`iat is missing or more than ${DPOP_IAT_WINDOW_SECONDS} s from the server time`);
    }
    if (expected.accessToken !== undefined) {
      if (info.ath !== accessTokenHash(expected.accessToken)) {
        return bad('ath does not match the presented access token (RFC 9449 4.3)');
      }
    }
    if (expected.nonceRequired) {
      if (info.nonce === undefined || !this.#nonces.has(info.nonce)) {
        return {
          ok: false,
          error: 'use_dpop_nonce',
          description: 'Authorization server requires nonce in DPoP proof',
          info: { ...info, error: 'nonce missing or not issued by this server' },
        };
      }
      const issued = this.#nonces.get(info.nonce)!;
      if (issued + DPOP_NONCE_LIFETIME_MS <= this.#clock()) {
        return { ok: false, error: 'use_dpop_nonce', description: 'the DPoP nonce has expired', info };
      }
    }
    if (this.#checkReplay) {
      const key = `${info.jkt}|${info.jti}`;
      this.#forgetExpired();
      if (this.#seen.has(key)) {
        info.replayed = true;
        return bad('the DPoP proof was used before (jti replay, RFC 9449 11.1)');
      }
      this.#seen.set(key, this.#clock());
      while (this.#seen.size > DPOP_JTI_CACHE_MAX) {
        const oldest = this.#seen.keys().next().value;
        if (oldest === undefined) break;
        this.#seen.delete(oldest);
      }
    }
    return { ok: true, jkt: info.jkt, info: { ...info, valid: true } };
  }

  /**
   * A proof older than the `iat` window is refused anyway, so its `jti` need not be remembered longer
   * (RFC 9449 11.1: the server may bound the cache by the time window).
   */
  #forgetExpired(): void {
    const cutoff = this.#clock() - 2 * DPOP_IAT_WINDOW_SECONDS * 1000;
    for (const [key, at] of this.#seen) {
      if (at > cutoff) break;
      this.#seen.delete(key);
    }
  }
}
