/**
 * In-memory server-side sessions. The browser only ever holds an opaque, random session id; the login
 * in flight (state, PKCE verifier, nonce) and the tokens stay here (OWASP OAuth 2.0 cheat sheet).
 */
import { randomBytes } from 'node:crypto';

/** One person's session. `data` is whatever the app keeps for them. */
export interface Session<T> {
  readonly id: string;
  data: T;
  /** ms since epoch; the session ends after `ttlMs` without use. */
  lastSeen: number;
}

export interface SessionStoreOptions<T> {
  /** Idle lifetime in ms (default 8 hours). */
  ttlMs?: number;
  /** Fresh data for a new session. */
  init: () => T;
  clock?: () => number;
}

/**
 * Sessions keyed by a 256-bit random id. Ids a client presents that this store did not issue are
 * ignored, never adopted, so a planted id cannot become someone's session (CWE-384).
 */
export class SessionStore<T> {
  private readonly sessions = new Map<string, Session<T>>();
  private readonly ttlMs: number;
  private readonly init: () => T;
  private readonly clock: () => number;

  constructor(opts: SessionStoreOptions<T>) {
    this.ttlMs = opts.ttlMs ?? 8 * 3600_000;
    this.init = opts.init;
    this.clock = opts.clock ?? Date.now;
  }

  /** The live session with this id, or undefined (unknown or expired ids are not adopted). */
  get(id: string | undefined): Session<T> | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    const now = this.clock();
    if (now - s.lastSeen > this.ttlMs) {
      this.sessions.delete(id);
      return undefined;
    }
    s.lastSeen = now;
    return s;
  }

  /** A new session with a fresh random id. */
  create(data: T = this.init()): Session<T> {
    this.prune();
    const s: Session<T> = { id: randomBytes(32).toString('base64url'), data, lastSeen: this.clock() };
    this.sessions.set(s.id, s);
    return s;
  }

  /**
   * Ends `old` and starts a session under a new id carrying `data`. Called at sign-in so that an id
   * known before the login (for instance one an attacker planted) is worthless after it (CWE-384).
   */
  regenerate(old: Session<T> | undefined, data: T): Session<T> {
    if (old) this.sessions.delete(old.id);
    return this.create(data);
  }

  destroy(s: Session<T> | undefined): void {
    if (s) this.sessions.delete(s.id);
  }

  /** Ends every session whose data matches (back-channel logout); returns how many ended. */
  destroyWhere(matches: (data: T) => boolean): number {
    let ended = 0;
    for (const [id, s] of this.sessions) {
      if (matches(s.data)) {
        this.sessions.delete(id);
        ended += 1;
      }
    }
    return ended;
  }

  private prune(): void {
    const now = this.clock();
    for (const [id, s] of this.sessions) if (now - s.lastSeen > this.ttlMs) this.sessions.delete(id);
  }
}
