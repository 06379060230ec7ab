import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportSPKI, importJWK, type CryptoKey, type JWK } from 'jose';
import fixtures from './fixtures.json' with { type: 'json' };

/** One signing key: private JWK from the fixtures, its public half and its `kid`. */
export interface SigningKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

/**
 * Signing keys, deterministic from the seed. WebCrypto cannot derive an RSA key from a seed, so the
 * keys are pre-generated RSA-2048 fixtures (`fixtures.json`) and the seed picks where to start.
 * Rotation publishes the next fixture key; published keys stay in the JWKS (OIDC Core 10.1.1: a
 * client that sees an unknown `kid` refetches the JWKS).
 */
export class KeyStore {
  readonly #alg: string;
  readonly #fixtures: JWK[];
  readonly #start: number;
  #next: number;
  #foreign: SigningKey | undefined;
  #current: SigningKey | undefined;
  readonly #published: SigningKey[] = [];
  readonly #imported = new Map<string, Promise<CryptoKey>>();
  readonly #keyObjects = new Map<string, KeyObject>();

  private constructor(seed: number, alg: string) {
    this.#alg = alg;
    this.#fixtures = fixtures.keys as JWK[];
    const n = this.#fixtures.length;
    this.#next = ((Math.trunc(seed) % n) + n) % n;
    this.#start = this.#next;
  }

  /** A store whose first key is the seed's fixture key. */
  static async create(seed: number, alg: string): Promise<KeyStore> {
    const store = new KeyStore(seed, alg);
    store.#current = await store.publishNext();
    return store;
  }

  get alg(): string {
    return this.#alg;
  }

  /** The key tokens are signed with. */
  get current(): SigningKey {
    if (!this.#current) throw new Error('key store not initialised');
    return this.#current;
  }

  /** Publishes the next fixture key in the JWKS without making it current (used by the rotated-key fault). */
  async publishNext(): Promise<SigningKey> {
    const privateJwk = this.#fixtures[this.#next % this.#fixtures.length];
    this.#next += 1;
    const publicJwk: JWK = { kty: privateJwk.kty, n: privateJwk.n, e: privateJwk.e };
    let kid = await calculateJwkThumbprint(publicJwk);
    // After every fixture has been used once, later rounds reuse keys; a distinct kid keeps them apart.
    const round = Math.floor((this.#next - 1) / this.#fixtures.length);
    if (round > 0) kid = `${kid}.${round}`;
    const key: SigningKey = {
      kid,
      privateJwk,
      publicJwk: { ...publicJwk, kid, alg: this.#alg, use: 'sig' },
    };
    this.#published.push(key);
    return key;
  }

  /**
   * A key that is never published: the fixture before the seed's first key (the last one rotation
   * would reach). Tokens signed with it verify against no key of the JWKS.
   */
  async foreignKey(): Promise<SigningKey> {
    if (!this.#foreign) {
      const n = this.#fixtures.length;
      const privateJwk = this.#fixtures[(this.#start + n - 1) % n];
      const publicJwk: JWK = { kty: privateJwk.kty, n: privateJwk.n, e: privateJwk.e };
      const kid = `${await calculateJwkThumbprint(publicJwk)}.foreign`;
      this.#foreign = { kid, privateJwk, publicJwk: { ...publicJwk, kid, alg: this.#alg, use: 'sig' } };
    }
    return this.#foreign;
  }

  /** How many keys the JWKS publishes. */
  get publishedCount(): number {
    return this.#published.length;
  }

  /** Publishes the next key and signs with it from now on. The old keys stay published. */
  async rotate(): Promise<SigningKey> {
    this.#current = await this.publishNext();
    return this.#current;
  }

  /** The JWKS as served (RFC 7517 5). */
  jwks(): { keys: JWK[] } {
    return { keys: this.#published.map((k) => ({ ...k.publicJwk })) };
  }

  /** The private key as a CryptoKey for the given algorithm. */
  privateKey(key: SigningKey, alg: string = this.#alg): Promise<CryptoKey> {
    const cacheKey = `${key.kid}|${alg}`;
    let imported = this.#imported.get(cacheKey);
    if (!imported) {
      imported = importJWK(key.privateJwk, alg) as Promise<CryptoKey>;
      this.#imported.set(cacheKey, imported);
    }
    return imported;
  }

  /** The private key as a node:crypto `KeyObject` (imported once per key), for signing in this thread. */
  privateKeyObject(key: SigningKey): KeyObject {
    let imported = this.#keyObjects.get(key.kid);
    if (!imported) {
      imported = createPrivateKey({ key: key.privateJwk as JsonWebKey, format: 'jwk' });
      this.#keyObjects.set(key.kid, imported);
    }
    return imported;
  }

  /** The public key in PEM (SPKI), as an attacker would fetch and re-encode it for HS256 confusion. */
  async publicPem(key: SigningKey): Promise<string> {
    const publicKey = (await importJWK({ kty: 'RSA', n: key.publicJwk.n, e: key.publicJwk.e }, 'RS256', {
      extractable: true,
    })) as CryptoKey;
    return exportSPKI(publicKey);
  }
}
