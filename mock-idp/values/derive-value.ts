import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto';

/** What a derived value is for; part of the HMAC input so kinds never collide. */
export type ValueKind =
  | 'code'
  | 'access_token'
  | 'refresh_token'
  | 'jti'
  | 'sub'
  | 'state'
  | 'nonce'
  | 'family'
  | 'request_uri'
  | 'dpop_nonce'
  | 'sid'
  | 'logout_jti';

/**
 * Deterministic, unguessable values: `HMAC-SHA256(seedKey, "<tag>|<kind>|<n>")`, base64url, where `n`
 * counts per tag and kind. Counting per tag (not globally) means the same seed gives the same values
 * for a given check regardless of what other checks run concurrently.
 *
 * RFC 6749 10.10 asks for codes and tokens an attacker cannot guess; 256 bits of HMAC output is far
 * beyond the 128-bit floor. With `lowEntropy` (permissive mode `low-entropy-tokens`) the values become
 * sequential and guessable on purpose.
 */
export class ValueDeriver {
  /** A KeyObject, so the HMAC key is not imported again for every value. */
  readonly #key: KeyObject;
  readonly #counters = new Map<string, number>();
  readonly #lowEntropy: boolean;
  #sequence = 0;

  constructor(seed: number, lowEntropy = false) {
    this.#key = createSecretKey(createHash('sha256').update(`mock-idp|seed|${seed}`).digest());
    this.#lowEntropy = lowEntropy;
  }

  /** The next value of `kind` for `tag`. */
  next(kind: ValueKind, tag?: string): string {
    const counterKey = `${tag ?? ''}|${kind}`;
    const n = this.#counters.get(counterKey) ?? 0;
    this.#counters.set(counterKey, n + 1);
    if (this.#lowEntropy && kind !== 'sub') {
      this.#sequence += 1;
      return `${kind.replace('_token', '')}${String(this.#sequence).padStart(6, '0')}`;
    }
    return this.fixed(`${tag ?? ''}|${kind}|${n}`);
  }

  /** A value fixed by its label (no counter), e.g. a user's subject. */
  fixed(label: string): string {
    return createHmac('sha256', this.#key).update(label).digest('base64url');
  }
}
