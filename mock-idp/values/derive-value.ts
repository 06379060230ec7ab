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

/** Login tags whose counters are kept by default; far more than the journal keeps (`maxTags`). */
export const DEFAULT_COUNTED_TAGS = 10_000;

/** One tag's counters, and the label its values are derived under. */
interface TagCounters {
  label: string;
  counts: Map<ValueKind, number>;
}

/**
 * Deterministic, unguessable values: `HMAC-SHA256(seedKey, "<tag>|<kind>|<n>")`, base64url, where `n`
 * counts per tag and kind. Counting per tag (not globally) means the same seed gives the same values
 * for a given check regardless of what other checks run concurrently.
 *
 * Bounded: the counters of at most `maxTags` tags are kept (untagged values always); beyond, the
 * counters of the tag counted first go. A tag counted again after that derives its values under a new
 * label (`"<tag>\n<generation>"`, never used before: a tag cannot contain a line break, and the
 * generation grows with every drop), so no value is ever issued twice, which a counter restarted at 0
 * would do. Below the cap, values are exactly as without it.
 *
 * RFC 6749 10.10 asks for codes and tokens an attacker cannot guess; 256 bits of HMAC output is far
 * beyond the 128-bit floor. With `lowEntropy` (permissive mode `low-entropy-tokens`) the values become
 * sequential and guessable on purpose.
 */
export class ValueDeriver {
  /** A KeyObject, so the HMAC key is not imported again for every value. */
  readonly #key: KeyObject;
  /** By tag (`''` for untagged), in the order the tags were first counted. */
  readonly #tags = new Map<string, TagCounters>();
  readonly #lowEntropy: boolean;
  readonly #maxTags: number;
  #sequence = 0;
  /** Tags whose counters were dropped so far; part of the label of a tag counted afresh after a drop. */
  #generation = 0;

  constructor(seed: number, lowEntropy = false, maxTags = DEFAULT_COUNTED_TAGS) {
    this.#key = createSecretKey(createHash('sha256').update(`mock-idp|seed|${seed}`).digest());
    this.#lowEntropy = lowEntropy;
    this.#maxTags = maxTags;
  }

  /** The next value of `kind` for `tag`. */
  next(kind: ValueKind, tag?: string): string {
    const counters = this.#countersOf(tag ?? '');
    const n = counters.counts.get(kind) ?? 0;
    counters.counts.set(kind, n + 1);
    if (this.#lowEntropy && kind !== 'sub') {
      this.#sequence += 1;
      return `${kind.replace('_token', '')}${String(this.#sequence).padStart(6, '0')}`;
    }
    return this.fixed(`${counters.label}|${kind}|${n}`);
  }

  /** A value fixed by its label (no counter), e.g. a user's subject. */
  fixed(label: string): string {
    return createHmac('sha256', this.#key).update(label).digest('base64url');
  }

  /** Tags whose counters are kept right now (untagged included once used). */
  get countedTags(): number {
    return this.#tags.size;
  }

  #countersOf(tag: string): TagCounters {
    const existing = this.#tags.get(tag);
    if (existing) return existing;
    const counters: TagCounters = {
      label: this.#generation === 0 ? tag : `${tag}\n${this.#generation}`,
      counts: new Map(),
    };
    this.#tags.set(tag, counters);
    if (this.#tags.size > this.#maxTags) {
      for (const oldest of this.#tags.keys()) {
        if (oldest === '' || oldest === tag) continue;
        this.#tags.delete(oldest);
        this.#generation += 1;
        break;
      }
    }
    return counters;
  }
}
