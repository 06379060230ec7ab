/**
 * The provider check contract as the engine runs it. A provider check audits an authorization server
 * (given its discovery document): the harness plays a correct OAuth client and each check splices
 * exactly one deviation into an otherwise correct flow, then decides from the provider's answer.
 */
import type { PermissiveMode } from '../../mock-idp/types.js';
import type { CheckMeta, Outcome } from '../check.js';
import type { ProviderClient, RegisteredClient } from './client.js';
import type { ProviderInfo } from './metadata.js';

/**
 * What a provider can support, as far as a check needs it. A check whose need is missing ends in
 * `not-applicable` (with the reason), never `pass`.
 *
 * - `pkce`: S256 advertised in `code_challenge_methods_supported` (RFC 8414 2).
 * - `refresh`: the `refresh_token` grant (advertised, or `grant_types_supported` absent).
 * - `oidc`: OpenID Connect (`openid` scope and a JWKS), and the audit requests `openid`.
 * - `userinfo`, `revocation`, `introspection`: the endpoint is advertised.
 * - `api`: a protected resource to call with an access token (the client file's `api.url`, the mock
 *   lexoffice API, or the userinfo endpoint).
 * - `iss-param`: `authorization_response_iss_parameter_supported: true` (RFC 9207 3).
 * - `public-client`, `confidential-client`, `second-client`: the client file registers one.
 * - `par`: a `pushed_authorization_request_endpoint` is advertised (RFC 9126 5).
 * - `par-required`: `require_pushed_authorization_requests: true` with that endpoint (RFC 9126 5).
 * - `dpop`: `dpop_signing_alg_values_supported` lists an algorithm the harness signs with (RFC 9449 5.1).
 * - `private-key-jwt`: `private_key_jwt` is advertised in `token_endpoint_auth_methods_supported` and a
 *   client with a private key is registered for it.
 */
export type ProviderFeature =
  | 'pkce'
  | 'refresh'
  | 'oidc'
  | 'userinfo'
  | 'api'
  | 'revocation'
  | 'introspection'
  | 'iss-param'
  | 'public-client'
  | 'confidential-client'
  | 'second-client'
  | 'par'
  | 'par-required'
  | 'dpop'
  | 'private-key-jwt';

/** Opt-in groups: `slow` checks wait out a lifetime (code lifetime, idle refresh expiry). */
export type ProviderOptIn = 'slow';

/** One provider check: metadata plus one `run`. */
export interface ProviderCheck extends CheckMeta {
  target: 'provider';
  /** Features the provider must have for the check to apply. */
  needs: ProviderFeature[];
  /** Set for checks that only run when asked for (`--opt-in slow`): they wait out real lifetimes. */
  optIn?: ProviderOptIn;
  /** The mock's permissive modes this check is made to catch (the efficacy matrix and docs). */
  catches?: PermissiveMode[];
  run(ctx: ProviderCheckContext): Promise<Outcome>;
}

/** The registered clients of an audit, by role. `primary` drives the ordinary flows. */
export interface AuditClients {
  /** The client the ordinary flows use: the public client when there is one, else the confidential one. */
  primary: RegisteredClient;
  /** A public client (`token_endpoint_auth_method: none`), when registered. */
  public?: RegisteredClient;
  /** A confidential client (authenticates with a secret), when registered. */
  confidential?: RegisteredClient;
  /** A second client of the primary's kind, for the binding checks. */
  second?: RegisteredClient;
  /** A client that authenticates with `private_key_jwt` (RFC 7523), when registered. */
  privateKeyJwt?: RegisteredClient;
}

/** Waits the checks in the `slow` group need, in ms. */
export interface SlowSettings {
  /** How long after issue a code is tried again (RFC 6749 4.1.2: at most 10 minutes recommended). */
  codeLifetimeMs: number;
  /** Idle period after which a refresh token must have expired (RFC 9700 4.14.2); unset: not configured. */
  refreshIdleMs?: number;
}

/** What a provider check gets. */
export interface ProviderCheckContext {
  provider: ProviderInfo;
  features: ReadonlySet<ProviderFeature>;
  clients: AuditClients;
  /** A client flow driver for `client` (default: primary), recording into this check's evidence. */
  client(client?: RegisteredClient): ProviderClient;
  /** Records an observation; a check that records none ends in `error`. */
  observe(text: string, data?: unknown): void;
  /** Waits `ms` (a frozen clock in tests advances instead), aborted with the check. */
  wait(ms: number): Promise<void>;
  slow: SlowSettings;
  /** Deterministic randomness for this check (seeded). */
  random(): number;
  signal: AbortSignal;
}
