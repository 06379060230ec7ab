import type { ProviderJournal } from '../journal/journal.js';

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
}

/** Codes, tokens and grant families. Revocation also marks the journal's artifacts. */
export class GrantStore {
  readonly codes = new Map<string, CodeRecord>();
  readonly tokens = new Map<string, TokenRecord>();
  readonly families = new Map<string, TokenFamily>();
  readonly #journal: ProviderJournal;

  constructor(journal: ProviderJournal) {
    this.#journal = journal;
  }

  addToken(record: TokenRecord): void {
    this.tokens.set(record.value, record);
    const family = this.families.get(record.familyId);
    if (!family) return;
    (record.kind === 'access_token' ? family.accessTokens : family.refreshTokens).add(record.value);
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
    for (const artifact of this.#journal.issued({ kind: 'id_token' })) {
      if (this.#idTokenFamilies.get(artifact.value) === familyId) artifact.revoked = true;
    }
  }

  readonly #idTokenFamilies = new Map<string, string>();

  /** Remembers which grant an ID token belongs to, so its journal record is marked on revocation. */
  addIdToken(value: string, familyId: string): void {
    this.#idTokenFamilies.set(value, familyId);
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
}
