/**
 * Public contract of the mock identity provider. Everything the harness, the scenarios and the
 * transports need from `mock-idp/` is declared here; the implementation lives in the other files.
 *
 * The mock knows nothing of scenarios: it exposes named faults (per login tag) and permissive modes
 * (per issuer), and a journal of everything it saw and issued.
 */
import type { MemoryLimits } from './store/memory-limits.js';

/** Milliseconds since the epoch. Injected so tests can freeze and advance time. */
export type Clock = () => number;

/**
 * Client authentication methods at the token endpoint (RFC 6749 2.3.1, OIDC Core 9). `private_key_jwt`
 * is a JWT client assertion signed with a key the client registered (RFC 7523 2.2, 3).
 */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none' | 'private_key_jwt';

/** Names of the bundled profiles. Anything else passed as `profile` is a path to a discovery document. */
export type BundledProfile = 'lexoffice' | 'lexoffice-partner' | 'fapi2';

/**
 * The HTTP request header with which a user agent driven by the harness marks the requests it sends to
 * the provider as belonging to one login (one check run). Everything the provider derives from such a
 * request (the code, the tokens redeemed for it, the API calls made with them) inherits the tag, so
 * faults and journal views are scoped to one check even when checks run concurrently.
 */
export const LOGIN_TAG_HEADER = 'x-login-harness-tag';

// Faults, discovery faults and permissive modes are declared once, as data, in faults/fault-catalog.ts;
// their types are derived from those declarations.
import type { DiscoveryFault, Fault, FaultName, PermissiveMode } from './faults/fault-catalog.js';
export type { DiscoveryFault, Fault, FaultAt, FaultName, FaultPoint, PermissiveMode } from './faults/fault-catalog.js';

export interface MockIdpSettings {
  /** Access token lifetime in seconds (default 3600, as the lexoffice.login paper shows). */
  accessTokenTtl: number;
  /** Authorization code lifetime in seconds (default 60). */
  codeTtl: number;
  /** Refresh token lifetime in seconds (default 30 days). */
  refreshTokenTtl: number;
  /** ID token lifetime in seconds (default 3600). */
  idTokenTtl: number;
  /** Show a login form (faker users) at the authorization endpoint instead of auto-approving. */
  loginForm: boolean;
  /** lexoffice's 2 requests/second limit on the mock API (429). Off by default. */
  apiRateLimit: boolean;
  /** Every DPoP proof at the token endpoint must carry a server nonce (RFC 9449 8). Off by default. */
  dpopNonce: boolean;
  /**
   * The mock lexoffice API demands a server nonce in the DPoP proofs presented with DPoP-bound access
   * tokens (RFC 9449 9): a proof without a current nonce is answered `401` with `WWW-Authenticate: DPoP
   * error="use_dpop_nonce"` and a `DPoP-Nonce` header. Off by default; on in the `fapi2` profile.
   */
  resourceDpopNonce: boolean;
  /** Lifetime of a `request_uri` from the PAR endpoint, seconds (RFC 9126 2.2 `expires_in`; default 60). */
  requestUriTtl: number;
}

export interface MockIdpOptions {
  /** A bundled profile, or a path to an OpenID / RFC 8414 discovery document (JSON). Default `lexoffice`. */
  profile?: BundledProfile | string;
  /** A discovery document given directly (takes precedence over `profile`). */
  discovery?: unknown;
  /** Origin the provider is served at, e.g. `http://127.0.0.1:4000`. Issuer and endpoints are rebased onto it. */
  baseUrl?: string;
  /** Keep the document's own issuer and endpoint URLs (for msw / route interception of the real hosts). */
  keepOriginalUrls?: boolean;
  /** Seed for keys, identifiers and faker data. Same seed, same keys and data. Default 1. */
  seed?: number;
  clock?: Clock;
  discoveryFaults?: DiscoveryFault[];
  permissive?: PermissiveMode[];
  /**
   * Features to offer beyond what the profile advertises: `dpop` adds `dpop_signing_alg_values_supported`
   * (RFC 9449), `par` a pushed authorization request endpoint next to the authorization endpoint (RFC
   * 9126, not required). A client audit turns them on for a manifest that declares `client.dpop` /
   * `client.par`.
   */
  features?: { dpop?: boolean; par?: boolean };
  settings?: Partial<MockIdpSettings>;
  /** How much the provider remembers (journal and grant store caps); defaults in `DEFAULT_MEMORY_LIMITS`. */
  memory?: Partial<MemoryLimits>;
}

export interface ClientRegistration {
  clientId: string;
  /** Omit for a public client. */
  clientSecret?: string;
  authMethod: ClientAuthMethod;
  redirectUris: string[];
  /** Scopes the client may be granted; default: all the profile supports. */
  scopes?: string[];
  /**
   * Where RP-initiated logout may send the person back to (exact match, OIDC RP-Initiated Logout 2).
   * When omitted, none is registered: a `post_logout_redirect_uri` is answered with an error page.
   */
  postLogoutRedirectUris?: string[];
  /**
   * RFC 9449 5.2 `dpop_bound_access_tokens`: the client always sends DPoP proofs to the token endpoint,
   * and a token request without one is refused. Default: DPoP is used when the client sends a proof
   * (and required when the profile requires it).
   */
  dpopBoundAccessTokens?: boolean;
  /**
   * RFC 9126 6 `require_pushed_authorization_requests`: this client may start a login only with a
   * `request_uri` from the pushed authorization request endpoint. Default: as the profile says.
   */
  requirePushedAuthorizationRequests?: boolean;
  /**
   * `private_key_jwt` only: the client's public keys (a JWK Set), or where to fetch them (`jwksUri`,
   * fetched when an assertion is verified). Exactly one of the two.
   */
  jwks?: { keys: Array<Record<string, unknown>> };
  jwksUri?: string;
  /** Where the provider posts back-channel logout tokens (OIDC Back-Channel Logout 2.2). */
  backchannelLogoutUri?: string;
  /**
   * OIDC Dynamic Client Registration 2 `application_type` (default `web`). A `native` client may use
   * any port on a registered loopback IP redirect URI (`http://127.0.0.1/...`, `http://[::1]/...`),
   * as RFC 8252 7.3 requires of the provider; every other redirect URI is matched exactly.
   */
  applicationType?: 'web' | 'native';
}

/** A client assertion (RFC 7523 2.2) as the token endpoint saw it: decoded, never trusted. */
export interface ClientAssertionInfo {
  /** The protected header (`alg`, `kid`, ...), decoded; absent when the assertion is not a JWT. */
  header?: Record<string, unknown>;
  /** The claims, decoded without verification; absent when the assertion is not a JWT. */
  claims?: Record<string, unknown>;
  /** Why the provider refused the assertion; absent when it authenticated the client. */
  error?: string;
}

/** Endpoint names as journaled. `api` is the mock lexoffice API. */
export type EndpointName =
  | 'discovery'
  | 'authorization'
  | 'par'
  | 'login-form'
  | 'token'
  | 'jwks'
  | 'userinfo'
  | 'revocation'
  | 'introspection'
  | 'end-session'
  | 'backchannel-logout'
  | 'api'
  | 'unknown';

export interface JournalRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface JournalResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

/** What a token request was, parsed. */
export interface TokenRequestInfo {
  grantType: string;
  /** Every form parameter as received. */
  params: Record<string, string>;
  /** How the client authenticated (or tried to); `invalid` when credentials were present but wrong. */
  clientAuth: ClientAuthMethod | 'invalid';
  clientId?: string;
  /** Credentials seen in the request URL's query (a finding for token-request.client-auth). */
  secretInQuery: boolean;
  /** `private_key_jwt`: the client assertion, decoded (what the client-auth checks judge). */
  clientAssertion?: ClientAssertionInfo;
  code?: string;
  codeVerifier?: string;
  redirectUri?: string;
  refreshToken?: string;
  scope?: string;
  outcome: 'issued' | 'error';
  error?: string;
}

export interface AuthorizationRequestInfo {
  /**
   * The request's parameters as the provider acted on them: with a `request_uri` that resolved, the
   * pushed ones (RFC 9126 4) with the front channel's `client_id`.
   */
  params: Record<string, string>;
  /** With a `request_uri` that resolved: the parameters the browser carried (the front channel). */
  frontChannel?: Record<string, string>;
  clientId?: string;
  outcome: 'redirect' | 'error-page' | 'login-form';
  /** Location the provider redirected to, if it did. */
  location?: string;
  error?: string;
}

/** Where a bearer token travelled on a userinfo or API call. */
export interface BearerInfo {
  location: 'header' | 'query' | 'body' | 'none';
  token?: string;
  valid: boolean;
  /** The Authorization scheme used in the header: `Bearer` (RFC 6750) or `DPoP` (RFC 9449 7.1). */
  scheme?: 'Bearer' | 'DPoP';
  /** The token is DPoP-bound (`cnf.jkt`, RFC 9449 6). */
  bound?: boolean;
}

/** A DPoP proof as the provider read it (RFC 9449 4.2), for the journal. */
export interface DpopProofInfo {
  /** A `DPoP` header was sent. */
  present: boolean;
  /** Every check of RFC 9449 4.3 held. */
  valid: boolean;
  /** Why not, when not. */
  error?: string;
  alg?: string;
  /** JWK SHA-256 thumbprint of the proof key (RFC 7638). */
  jkt?: string;
  jti?: string;
  htm?: string;
  htu?: string;
  iat?: number;
  ath?: string;
  nonce?: string;
  /** The `jti` had been seen before. */
  replayed?: boolean;
}

export interface JournalEntry {
  seq: number;
  /** Provider clock, ms. */
  at: number;
  tag?: string;
  endpoint: EndpointName;
  request: JournalRequest;
  response: JournalResponse;
  authorization?: AuthorizationRequestInfo;
  token?: TokenRequestInfo;
  bearer?: BearerInfo;
  /** The DPoP proof of a token, PAR, userinfo or API request (RFC 9449), when one was sent or required. */
  dpop?: DpopProofInfo;
  revocation?: { token?: string; tokenTypeHint?: string; clientId?: string };
}

/**
 * What the provider knows as a secret. `client_assertion` is not issued by it but received: a signed
 * assertion is a credential until it expires, so leak scans and redaction treat it like one.
 */
export type IssuedKind =
  'code' | 'access_token' | 'refresh_token' | 'id_token' | 'client_secret' | 'client_assertion' | 'logout_token';

export interface IssuedArtifact {
  kind: IssuedKind;
  value: string;
  tag?: string;
  clientId: string;
  at: number;
  /** For codes: the PKCE challenge and method they were issued with. */
  codeChallenge?: string;
  codeChallengeMethod?: string;
  /** For codes: the nonce and redirect_uri of the authorization request. */
  nonce?: string;
  redirectUri?: string;
  /** For tokens: the code or refresh token they were issued from. */
  parent?: string;
  scope?: string;
  revoked?: boolean;
  /** For codes: whether the code has been redeemed successfully. */
  redeemed?: boolean;
}

export interface Journal {
  /** All entries, oldest first; with a tag, only that login's. */
  entries(filter?: { tag?: string; endpoint?: EndpointName }): JournalEntry[];
  /** Everything issued; with a tag, only that login's. */
  issued(filter?: { tag?: string; kind?: IssuedKind }): IssuedArtifact[];
  /** Every secret value the provider knows (codes, tokens, client secrets), for leak scans and redaction. */
  secrets(): IssuedArtifact[];
  /** Resolves with the first entry (already present or future) that matches; rejects on timeout/abort. */
  waitFor(
    predicate: (e: JournalEntry) => boolean,
    opts?: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<JournalEntry>;
  /** Subscribe to new entries; returns an unsubscribe function. */
  subscribe(listener: (e: JournalEntry) => void): () => void;
  /**
   * Keeps `tag`'s entries and artifacts (and the untagged entries recorded meanwhile) from being dropped
   * to make room for other logins until the returned function is called; the harness holds each check's
   * tag while the check runs. Optional: a journal that keeps everything needs no holds.
   */
  hold?(tag: string): () => void;
  /**
   * Follows the secrets from now on: the watcher hears of every artifact issued and every one dropped
   * (what `secrets()` gains and loses). Returns the function that stops it. Optional: without it, a
   * redaction reads `secrets()` again for every text.
   */
  watchSecrets?(watcher: SecretsWatcher): () => void;
}

/**
 * Told when an artifact becomes one of the journal's secrets (issued) and when it stops being one
 * (dropped with its tag or from the ring), so a redaction can follow the secrets one by one.
 */
export interface SecretsWatcher {
  added(artifact: IssuedArtifact): void;
  dropped(artifact: IssuedArtifact): void;
}

/** Endpoint URLs as advertised (after rebasing). Absent when the profile does not advertise one. */
export interface IdpEndpoints {
  discovery: string;
  authorization: string;
  token: string;
  /** RFC 9126 pushed authorization request endpoint. */
  par?: string;
  jwks?: string;
  userinfo?: string;
  revocation?: string;
  introspection?: string;
  endSession?: string;
}

export interface MockIdp {
  readonly issuer: string;
  readonly profile: string;
  /** The discovery document as served (after rebasing and discovery faults). */
  readonly metadata: Record<string, unknown>;
  readonly endpoints: IdpEndpoints;
  /** Base URL of the mock lexoffice API (`/v1/profile`, ...). */
  readonly apiBaseUrl: string;
  readonly journal: Journal;
  readonly settings: MockIdpSettings;
  /** The one request handler every transport uses. Never throws; unknown paths give 404. */
  handle(request: Request): Promise<Response>;
  registerClient(client: ClientRegistration): ClientRegistration;
  /**
   * Makes now what the provider otherwise makes when first asked for it: its people (names and
   * addresses drawn with Faker, whose German data takes some 50 ms to load once per process). For a
   * caller with time to spare now, such as an audit waiting for its target to start.
   */
  prepare(): void;
  faults: {
    arm(tag: string, fault: Fault): void;
    clear(tag: string): void;
    /**
     * Every access token issued so far for `tag` is treated as expired from now on: 401 `invalid_token`
     * at userinfo and the API (RFC 6750 3.1), `{"active": false}` at introspection (RFC 7662 2.2).
     * Tokens issued after the call are not affected. With `token.short-lived` this is how a check ends
     * the advertised life of the tokens at a moment it chooses.
     */
    expireAccessTokens(tag: string): void;
  };
  keys: {
    /** Publishes a new signing key in the JWKS (the old one stays published); tokens are then signed with it. */
    rotate(): Promise<void>;
    /** The current public signing key as JWK. */
    currentPublicJwk(): Promise<Record<string, unknown>>;
  };
  logout: {
    /**
     * Ends the provider session of the latest login of `tag` and tells its client over the back channel
     * (OIDC Back-Channel Logout 1.0): posts a signed logout token (`iss`, `aud`, `iat`, `exp`, `jti`,
     * `events`, `sub`, and `sid` when advertised) to the client's `backchannelLogoutUri`, applying the
     * tag's `logout-token.*` fault. Rejects when the tag has no login or its client registered no URI.
     */
    backchannel(tag: string): Promise<BackchannelLogoutDelivery>;
  };
  /** Replaces every secret the provider issued in `text` (also URL-encoded) with a redacted form. */
  redact(text: string): string;
  /** The parameters a client pushed for `requestUri` (RFC 9126), without using it up; unknown: undefined. */
  pushedRequest(requestUri: string): Record<string, string> | undefined;
}

/** What happened when the provider posted a logout token to a client's back-channel logout URI. */
export interface BackchannelLogoutDelivery {
  /** The client's `backchannelLogoutUri`. */
  uri: string;
  /** The client's HTTP status; 0 when the request failed (see `error`). */
  status: number;
  /** The start of the client's answer (at most 2000 characters). */
  body: string;
  error?: string;
  /** The claims the logout token carried (the token itself is journaled as an issued `logout_token`). */
  claims: Record<string, unknown>;
  /** The fault applied to the token, if any. */
  fault?: FaultName;
}

/** A mock provider served by the node:http transport on loopback. */
export interface RunningMockIdp {
  idp: MockIdp;
  /** Origin it listens on, e.g. `http://127.0.0.1:43121`. */
  url: string;
  close(): Promise<void>;
}

export interface ListenOptions extends Omit<MockIdpOptions, 'baseUrl'> {
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1. A non-loopback host is refused unless `allowNonLoopback` is set. */
  host?: string;
  allowNonLoopback?: boolean;
}
