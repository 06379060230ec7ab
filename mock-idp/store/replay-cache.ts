/**
 * A bounded set of one-time identifiers (`jti` of client assertions), each remembered until it expires.
 * RFC 7523 3: "The authorization server MAY ensure that JWTs are not replayed by maintaining the set of
 * used "jti" values for the length of time for which the JWT would be considered valid based on the
 * applicable "exp" instant." OIDC Core 9 makes it a MUST for client assertions ("These tokens MUST only
 * be used once").
 */
export class ReplayCache {
  readonly #seen = new Map<string, number>();
  readonly #capacity: number;

  /** `capacity` bounds memory; when it is reached, expired entries go first, then the oldest. */
  constructor(capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new Error('ReplayCache: capacity must be a positive integer');
    this.#capacity = capacity;
  }

  /** Number of identifiers remembered. */
  get size(): number {
    return this.#seen.size;
  }

  /**
   * Records `key` as used until `expiresAtMs`. Returns false (and records nothing) when it was already
   * used and has not expired at `nowMs`: a replay.
   */
  use(key: string, expiresAtMs: number, nowMs: number): boolean {
    const until = this.#seen.get(key);
    if (until !== undefined && until > nowMs) return false;
    this.#seen.delete(key);
    if (this.#seen.size >= this.#capacity) this.#evict(nowMs);
    this.#seen.set(key, expiresAtMs);
    return true;
  }

  #evict(nowMs: number): void {
    for (const [k, until] of this.#seen) if (until <= nowMs) this.#seen.delete(k);
    // Still full of live entries: the oldest one goes. Assertions live minutes, so with a cap far above the
    // assertions a run sends in that time no live identifier is forgotten.
    while (this.#seen.size >= this.#capacity) {
      const oldest = this.#seen.keys().next().value;
      if (oldest === undefined) break;
      this.#seen.delete(oldest);
    }
  }
}
