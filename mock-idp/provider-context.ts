import type { JWTVerifyGetKey } from 'jose';
import type { BuiltMetadata } from './discovery/build-metadata.js';
import type { DpopVerifier } from './dpop/dpop-proof.js';
import type { FaultRegistry } from './faults/fault-registry.js';
import type { ProviderJournal } from './journal/journal.js';
import type { KeyStore, SigningKey } from './keys/key-store.js';
import type { ProfileSettings } from './profiles/profile-settings.js';
import type { GrantStore } from './store/grant-store.js';
import type { ReplayCache } from './store/replay-cache.js';
import type {
  AuthorizationRequestInfo,
  DpopProofInfo,
  BearerInfo,
  ClientRegistration,
  Clock,
  EndpointName,
  JournalEntry,
  MockIdpSettings,
  PermissiveMode,
  TokenRequestInfo,
} from './types.js';
import type { MockUser } from './users/seeded-users.js';
import type { ValueDeriver } from './values/derive-value.js';

/** The provider's state, shared by every endpoint. Internal: the public face is `MockIdp`. */
export interface ProviderContext {
  profileName: string;
  built: BuiltMetadata;
  settings: MockIdpSettings;
  profileSettings: ProfileSettings;
  permissive: ReadonlySet<PermissiveMode>;
  seed: number;
  clock: Clock;
  clients: Map<string, ClientRegistration>;
  store: GrantStore;
  keys: KeyStore;
  faults: FaultRegistry;
  journal: ProviderJournal;
  values: ValueDeriver;
  users: MockUser[];
  /** Keys published for the `id-token.rotated-key` fault, per tag. */
  tagKeys: Map<string, Promise<SigningKey>>;
  /** DPoP proof verification: the `jti` replay cache and the server nonces (RFC 9449). */
  dpop: DpopVerifier;
  /** Pushed authorization requests by `request_uri` (RFC 9126), bounded. */
  pushed: PushedRequestStore;
  /** `private_key_jwt`: each client's key set (its `jwks`, or its `jwks_uri` fetched by jose), built once. */
  clientKeySets: Map<string, JWTVerifyGetKey>;
  /** `private_key_jwt`: the `jti` of every assertion accepted and not yet expired (bounded). */
  assertionJtis: ReplayCache;
  /**
   * Requests the provider is answering right now (the one asking included), counted by the request
   * handler. With `othersActive` of the request being answered, it tells whether signing should leave
   * the event loop free for other requests (see `tokens/sign-tokens.ts`).
   */
  requestsInFlight: number;
  /** `othersActive` of the request answered last (set by the request handler). */
  othersActive: boolean;
}

/** One pushed authorization request (RFC 9126 2.2). */
export interface PushedRequest {
  clientId: string;
  params: Record<string, string>;
  expiresAt: number;
  used: boolean;
  tag?: string;
  /** RFC 9449 10: the key a DPoP proof at the PAR endpoint (or `dpop_jkt`) bound the login to. */
  dpopJkt?: string;
}

/** Most pushed requests held at once; the oldest go first (a forgotten `request_uri` is refused). */
export const MAX_PUSHED_REQUESTS = 10_000;

/** Pushed requests by `request_uri`, bounded: expired ones are swept, and beyond the cap the oldest go. */
export class PushedRequestStore {
  readonly #byUri = new Map<string, PushedRequest>();

  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  add(uri: string, request: PushedRequest): void {
    const now = this.#clock();
    for (const [key, r] of this.#byUri) {
      if (r.expiresAt > now && this.#byUri.size < MAX_PUSHED_REQUESTS) break;
      this.#byUri.delete(key);
    }
    this.#byUri.set(uri, request);
  }

  get(uri: string): PushedRequest | undefined {
    return this.#byUri.get(uri);
  }

  get size(): number {
    return this.#byUri.size;
  }
}

/**
 * The parts of an HTTP request the provider reads. A web-standard `Request` has them; the node
 * transport builds them straight from the `IncomingMessage`, without a web Request and its streams.
 */
export interface ProviderRequest {
  readonly method: string;
  /** The absolute request URL. */
  readonly url: string;
  readonly headers: { get(name: string): string | null };
  /** Every header (lower-case names, repeated values joined), as the journal records them. */
  headerRecord(): Record<string, string>;
  /**
   * Set by a transport that sees connections: other clients sent requests a moment ago, so more are
   * likely to arrive while this one is answered.
   */
  readonly othersActive?: boolean;
}

/** One request as every endpoint sees it: the body read once, the form parsed, the login tag. */
export interface Exchange {
  request: ProviderRequest;
  url: URL;
  body: string;
  /** `application/x-www-form-urlencoded` body parameters (empty for other bodies). */
  form: URLSearchParams;
  /** Login tag from the `x-login-harness-tag` header. */
  headerTag?: string;
}

/** An endpoint's answer plus what the journal should know about the exchange. */
export interface EndpointResult {
  response: Response;
  /** Journal under another endpoint name than the route's (the login form posts to the authorization path). */
  endpoint?: EndpointName;
  tag?: string;
  authorization?: AuthorizationRequestInfo;
  token?: TokenRequestInfo;
  bearer?: BearerInfo;
  dpop?: DpopProofInfo;
  revocation?: JournalEntry['revocation'];
}

/** An endpoint: one exchange in, one answer out. */
export type Endpoint = (ctx: ProviderContext, exchange: Exchange) => Promise<EndpointResult>;

/** The provider clock in whole seconds (JWT NumericDate, RFC 7519 2). */
export function nowSeconds(ctx: ProviderContext): number {
  return Math.floor(ctx.clock() / 1000);
}
