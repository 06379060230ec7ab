import type { ProviderJournal } from '../journal/journal.js';
import { DEFAULT_MEMORY_LIMITS, type MemoryLimits } from './memory-limits.js';

/** An authorization code and what it was issued for (RFC 6749 4.1.2). */
export interface CodeRecord {
  value: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  sub: string;
  authTime: number;
  expiresAt: number;
  tag?: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  /** `active` until redeemed; `burned` after a failed PKCE verification (RFC 9700 4.8). */
  state: 'active' | 'redeemed' | 'burned';
  /** The grant (token family) its redemption created. */
  familyId?: string;
  /** RFC 9449 10: the DPoP key the authorization request bound the code to (`dpop_jkt`). */
  dpopJkt?: string;
}

/** Everything issued from one authorization grant: revoked together on code replay or refresh reuse. */
export interface TokenFamily {
  id: string;
  clientId: string;
  sub: string;
  scopes: string[];
  authTime: number;
  tag?: string;
  nonce?: string;
  /** The provider session of the login (`sid` in ID and logout tokens), once derived. */
  sid?: string;
  accessTokens: Set<string>;
  refreshTokens: Set<string>;
  revoked: boolean;
}

export interface TokenRecord {
  value: string;
  kind: 'access_token' | 'refresh_token';
  clientId: string;
  sub: string;
  scopes: string[];
  issuedAt: number;
  /** Until when the provider accepts the token (ms). */
  expiresAt: number;
  /**
   * The expiry the token advertises (`expires_in`, JWT `exp`), when it differs from `expiresAt`: with
   * `token.short-lived` a token advertises a short life but is accepted until it is expired explicitly.
   */
  advertisedExpiresAt?: number;
  familyId: string;
  tag?: string;
  jti?: string;
  revoked: boolean;
  /** Refresh tokens: replaced by a newer one (RFC 9700 4.14.2); using it again is reuse. */
  rotated?: boolean;
  /** RFC 9449 6: the thumbprint of the DPoP key the token is bound to (`cnf.jkt`). */
  jkt?: string;
}

/** What the store holds right now (the soak benchmark and tests read it). */
export interface GrantStoreStats {
  codes: number;
  tokens: number;
  families: number;
  /** Codes and tokens forgotten after expiry, and grants or codes dropped over the caps, since the start. */
  swept: number;
  evicted: number;
}

/** The store's limits (a subset of the provider's memory limits). */
export type GrantStoreLimits = Pick<MemoryLimits, 'maxGrants' | 'maxCodes' | 'retainExpiredMs'>;

/** Writes between two sweeps at most; a sweep is linear in what the store holds, so this amortizes it. */
const SWEEP_EVERY_WRITES = 1000;
/** Provider-clock time between two sweeps at most, ms. */
const SWEEP_EVERY_MS = 30_000;

/**
 * A map that tells its owner when a new key was added, so the store can keep within its caps and
 * sweep without every endpoint that adds a code or a family knowing about it.
 */
class WatchedMap<V> extends Map<string, V> {
  readonly #onAdd: (key: string) => void;

  constructor(onAdd: (key: string) => void) {
    super();
    this.#onAdd = onAdd;
  }

  override set(key: string, value: V): this {
    const added = !this.has(key);
    super.set(key, value);
    if (added) this.#onAdd(key);
    return this;
  }
}

/**
 * Codes, tokens and grant families. Revocation also marks the journal's artifacts.
 *
 * Bounded: a code or token is forgotten `retainExpiredMs` after it expired (until then it is answered
 * as expired, not as unknown); a grant is forgotten once all its tokens are; beyond `maxGrants` the
 * oldest grant and beyond `maxCodes` codes not redeemed (oldest, expired and burned first) are forgotten early. A forgotten value is unknown,
 * so it fails closed (`invalid_grant`, `invalid_token`), never open. A redeemed code and a rotated
 * refresh token are kept as long as their grant, so a replay still revokes the grant.
 */
export class GrantStore {
  readonly codes: Map<string, CodeRecord>;
  readonly tokens = new Map<string, TokenRecord>();
  readonly families: Map<string, TokenFamily>;
  readonly #journal: ProviderJournal;
  readonly #limits: GrantStoreLimits;
  readonly #clock: () => number;
  /** The ID tokens of each grant, so their journal records are marked when the grant is revoked. */
  readonly #idTokens = new Map<string, string[]>();
  #writes = 0;
  /** Codes held above which the next compaction runs. */
  #codesThreshold: number;
  #lastSweep: number;
  #swept = 0;
  #evicted = 0;

  constructor(journal: ProviderJournal, opts: { limits?: Partial<GrantStoreLimits>; clock?: () => number } = {}) {
    this.#journal = journal;
    this.#limits = { ...DEFAULT_MEMORY_LIMITS, ...opts.limits };
    this.#clock = opts.clock ?? Date.now;
    this.#lastSweep = this.#clock();
    this.#codesThreshold = this.#limits.maxCodes;
    this.codes = new WatchedMap<CodeRecord>(() => {
      this.#wrote();
      if (this.codes.size > this.#codesThreshold) this.#compactCodes();
    });
    this.families = new WatchedMap<TokenFamily>((id) => {
      this.#wrote();
      while (this.families.size > this.#limits.maxGrants) {
        const oldest = this.families.keys().next().value;
        if (oldest === undefined || oldest === id) break;
        this.#forgetFamily(oldest);
        this.#evicted += 1;
      }
    });
  }

  addToken(record: TokenRecord): void {
    this.tokens.set(record.value, record);
    const family = this.families.get(record.familyId);
    if (family) {
      (record.kind === 'access_token' ? family.accessTokens : family.refreshTokens).add(record.value);
      // A grant revoked while this token was being issued (a concurrent code replay or refresh reuse)
      // takes the new token with it: nothing issued from a revoked grant may work (RFC 9700 4.14.2).
      if (family.revoked) this.revokeToken(record.value);
    } else {
      // The grant was forgotten (or never known) while the token was being issued: fail closed.
      this.revokeToken(record.value);
    }
    this.#wrote();
  }

  /** Revokes one token (RFC 7009 2.1). */
  revokeToken(value: string): void {
    const record = this.tokens.get(value);
    if (!record) return;
    record.revoked = true;
    const artifact = this.#journal.artifact(record.kind, value);
    if (artifact) artifact.revoked = true;
  }

  /** Revokes every token of a grant (RFC 6749 4.1.2 code replay, RFC 9700 4.14.2 refresh reuse). */
  revokeFamily(familyId: string): void {
    const family = this.families.get(familyId);
    if (!family) return;
    family.revoked = true;
    for (const value of [...family.accessTokens, ...family.refreshTokens]) this.revokeToken(value);
    for (const value of this.#idTokens.get(familyId) ?? []) {
      const artifact = this.#journal.artifact('id_token', value);
      if (artifact) artifact.revoked = true;
    }
  }

  /** Remembers which grant an ID token belongs to, so its journal record is marked on revocation. */
  addIdToken(value: string, familyId: string): void {
    const list = this.#idTokens.get(familyId);
    if (list) list.push(value);
    else this.#idTokens.set(familyId, [value]);
    // Revoked while being issued (see addToken): its record says so.
    if (this.families.get(familyId)?.revoked) {
      const artifact = this.#journal.artifact('id_token', value);
      if (artifact) artifact.revoked = true;
    }
  }

  /** The grant an ID token was issued from, if it is still remembered. */
  familyOfIdToken(value: string): TokenFamily | undefined {
    for (const [familyId, values] of this.#idTokens) {
      if (values.includes(value)) return this.families.get(familyId);
    }
    return undefined;
  }

  /**
   * Ends the life of every access token issued so far for `tag` (`faults.expireAccessTokens`): from
   * `now` on they count as expired everywhere tokens are checked. Later tokens are not affected.
   */
  expireAccessTokens(tag: string, now: number): void {
    for (const family of this.families.values()) {
      if (family.tag !== tag) continue;
      for (const value of family.accessTokens) {
        const record = this.tokens.get(value);
        if (record) record.expiresAt = Math.min(record.expiresAt, now);
      }
    }
  }

  /** An access token that is known, not revoked and not expired at `now`. */
  activeToken(value: string, now: number, kind?: TokenRecord['kind']): TokenRecord | undefined {
    const record = this.tokens.get(value);
    if (!record || record.revoked || record.expiresAt <= now) return undefined;
    if (kind && record.kind !== kind) return undefined;
    if (record.kind === 'refresh_token' && record.rotated) return undefined;
    return record;
  }

  /**
   * Forgets codes and tokens that expired more than `retainExpiredMs` before `now`, and grants left
   * without tokens. Runs by itself every so many writes or so much provider time; callable directly.
   */
  sweep(now: number = this.#clock()): void {
    this.#writes = 0;
    this.#lastSweep = now;
    const cutoff = now - this.#limits.retainExpiredMs;
    for (const [value, record] of this.tokens) {
      if (record.expiresAt > cutoff) continue;
      this.tokens.delete(value);
      this.#swept += 1;
      const family = this.families.get(record.familyId);
      if (!family) continue;
      family.accessTokens.delete(value);
      family.refreshTokens.delete(value);
      if (family.accessTokens.size === 0 && family.refreshTokens.size === 0) this.#forgetFamily(family.id);
    }
    for (const [value, code] of this.codes) {
      // A redeemed code stays while its grant does (replaying it must still revoke the grant), and goes
      // with it: once the grant is gone, there is nothing left for a replay to revoke.
      const forgottenGrant = code.familyId !== undefined && !this.families.has(code.familyId);
      if (!forgottenGrant && (code.expiresAt > cutoff || code.familyId !== undefined)) continue;
      this.codes.delete(value);
      this.#swept += 1;
    }
  }

  stats(): GrantStoreStats {
    return {
      codes: this.codes.size,
      tokens: this.tokens.size,
      families: this.families.size,
      swept: this.#swept,
      evicted: this.#evicted,
    };
  }

  #wrote(): void {
    this.#writes += 1;
    if (this.#writes >= SWEEP_EVERY_WRITES || this.#clock() - this.#lastSweep >= SWEEP_EVERY_MS) this.sweep();
  }

  /**
   * Keeps the codes that are not a living grant's redeemed code within `maxCodes`. A redeemed code whose
   * grant lives is kept (its replay must still revoke the grant) and does not count: those are bounded
   * by `maxGrants`. Of the others, what nobody can use any more goes first (codes of a forgotten grant
   * always; burned and expired ones while over three quarters of the cap), and only then the oldest
   * codes still waiting to be redeemed. Counting the kept redeemed codes against the cap made a
   * provider with `maxGrants` grants forget the codes of logins in flight, whose redemption then failed
   * with `invalid_grant` ("code is not valid"). The next compaction waits for another quarter of the
   * cap, so the pass is paid once per that many new codes.
   */
  #compactCodes(): void {
    const now = this.#clock();
    const target = Math.floor((this.#limits.maxCodes * 3) / 4);
    const grantLives = (code: CodeRecord): boolean => code.familyId !== undefined && this.families.has(code.familyId);
    let free = 0;
    for (const [value, code] of this.codes) {
      if (code.state === 'redeemed' && grantLives(code)) continue;
      if (code.familyId !== undefined && !grantLives(code)) {
        // Nothing left for a replay to revoke: unknown now, refused all the same.
        this.codes.delete(value);
        this.#evicted += 1;
      } else free += 1;
    }
    const drop = (spare: (code: CodeRecord) => boolean): void => {
      for (const [value, code] of this.codes) {
        if (free <= target) return;
        if ((code.state === 'redeemed' && grantLives(code)) || spare(code)) continue;
        this.codes.delete(value);
        this.#evicted += 1;
        free -= 1;
      }
    };
    // Burned and expired codes first: a client can no longer redeem them anyway.
    drop((code) => code.state === 'active' && code.expiresAt > now);
    drop(() => false);
    this.#codesThreshold = Math.max(this.#limits.maxCodes, this.codes.size + Math.ceil(this.#limits.maxCodes / 4));
  }

  /** Forgets a grant and every token it issued; they are unknown from now on (and so refused). */
  #forgetFamily(familyId: string): void {
    const family = this.families.get(familyId);
    this.families.delete(familyId);
    this.#idTokens.delete(familyId);
    if (!family) return;
    for (const value of [...family.accessTokens, ...family.refreshTokens]) this.tokens.delete(value);
  }
}
