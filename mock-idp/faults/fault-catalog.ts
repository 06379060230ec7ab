import { z } from 'zod';

/**
 * Every fault, discovery fault and permissive mode of the mock, declared once as data. The `Fault`,
 * `DiscoveryFault` and `PermissiveMode` types, the zod schemas that check them at the boundary, the
 * per-tag registry and the README tables are all derived from the three tables below, so a new entry is
 * one declaration here plus the code that applies it.
 */

/** The one place in the provider where a per-login fault takes effect. */
export type FaultPoint =
  | 'authorization response'
  | 'authorization endpoint'
  | 'token endpoint'
  | 'token response'
  | 'ID token'
  | 'userinfo'
  | 'logout token';

/** One per-login fault: where it acts, what it does, and the parameters it takes (a zod shape). */
export interface FaultDeclaration<P extends z.ZodRawShape | undefined = z.ZodRawShape | undefined> {
  /** Where the provider applies it; the registry hands it only to that point. */
  readonly at: FaultPoint;
  /** What it does, one sentence for the docs table (Markdown). */
  readonly doc: string;
  /** Its parameters beside `name`; absent for a fault without any. */
  readonly params?: P;
}

/** Keeps the literal types of a declaration (its point and parameter shape) for the derived types. */
function fault<const A extends FaultPoint, P extends z.ZodRawShape | undefined = undefined>(declaration: {
  at: A;
  doc: string;
  params?: P;
}): { at: A; doc: string; params: P } {
  return { params: undefined as P, ...declaration };
}

/** The per-login faults (armed with `idp.faults.arm(tag, fault)`), in the order the docs list them. */
export const FAULTS = {
  'callback.state-altered': fault({
    at: 'authorization response',
    doc: 'The authorization response carries a different `state` than the request.',
  }),
  'callback.state-missing': fault({
    at: 'authorization response',
    doc: 'The authorization response leaves `state` out.',
  }),
  'callback.code-missing': fault({
    at: 'authorization response',
    doc: 'The authorization response leaves `code` out; `state` is kept.',
  }),
  'callback.error': fault({
    at: 'authorization response',
    params: { error: z.string().min(1), errorDescription: z.string().optional() },
    doc: 'The authorization response is an error (`error`, optional `error_description`, verbatim, markup included) instead of a code.',
  }),
  'callback.iss-wrong': fault({
    at: 'authorization response',
    doc: 'The RFC 9207 `iss` parameter names another issuer.',
  }),
  /** Used by mixup.token-endpoint: the response names the run's other provider, as a mix-up attacker would. */
  'callback.iss-other': fault({
    at: 'authorization response',
    params: { issuer: z.string().url() },
    doc: "The RFC 9207 `iss` parameter names `issuer` (the run's second provider): a client that picks its token endpoint from `iss` sends the code there.",
  }),
  'callback.iss-missing': fault({
    at: 'authorization response',
    doc: 'The RFC 9207 `iss` parameter is left out even though the metadata advertises it.',
  }),
  'authorize.reject-s256': fault({
    at: 'authorization endpoint',
    doc: 'An S256 authorization request is answered with `error=invalid_request`; `plain` is then accepted for the login, so a downgrade retry is observable.',
  }),
  'token.invalid-grant': fault({
    at: 'token endpoint',
    doc: 'The token endpoint answers every grant with `invalid_grant` (RFC 6749 5.2).',
  }),
  'token.malformed': fault({
    at: 'token response',
    params: { variant: z.enum(['no-access-token', 'wrong-token-type', 'not-json']) },
    doc: 'The token response lacks `access_token` (`no-access-token`), has `token_type` "mac" (`wrong-token-type`), or is an HTML page (`not-json`).',
  }),
  /**
   * Only advertised: the provider keeps accepting the tokens until `faults.expireAccessTokens(tag)` ends
   * their life, so a slow login never races the clock.
   */
  'token.short-lived': fault({
    at: 'token response',
    params: { expiresIn: z.number().int().nonnegative() },
    doc: 'Access tokens advertise `expiresIn` seconds (`expires_in` and the JWT `exp`) but stay accepted until `faults.expireAccessTokens(tag)`; tokens issued after that call are accepted again.',
  }),
  'id-token.alg-none': fault({
    at: 'ID token',
    params: { alg: z.string().optional() },
    doc: 'The ID token is unsigned with header `alg` as given (default `none`; casing variants allowed).',
  }),
  'id-token.bad-signature': fault({ at: 'ID token', doc: 'The ID token signature has flipped bits.' }),
  'id-token.hs256-public-key': fault({
    at: 'ID token',
    doc: "The ID token is HS256, keyed with the bytes of the provider's RSA public key in PEM (SPKI): algorithm confusion (RFC 8725 3.1).",
  }),
  'id-token.wrong-iss': fault({ at: 'ID token', doc: 'The ID token `iss` names another issuer (validly signed).' }),
  'id-token.wrong-aud': fault({ at: 'ID token', doc: 'The ID token `aud` names another client (validly signed).' }),
  'id-token.aud-missing': fault({ at: 'ID token', doc: 'The ID token has no `aud` claim (validly signed).' }),
  'id-token.expired': fault({ at: 'ID token', doc: 'The ID token was issued two hours ago and expired one hour ago.' }),
  'id-token.wrong-nonce': fault({
    at: 'ID token',
    doc: 'The ID token `nonce` differs from the request (validly signed).',
  }),
  'id-token.rotated-key': fault({
    at: 'ID token',
    doc: 'The ID token is signed with a new key that appears in the JWKS only from that moment.',
  }),
  /** Used by dpop.nonce. */
  'dpop.use-nonce': fault({
    at: 'token endpoint',
    doc: 'The token endpoint demands a server nonce in DPoP proofs (RFC 9449 8): a proof without the current nonce is answered `400 use_dpop_nonce` with a fresh `DPoP-Nonce` header.',
  }),
  'id-token.iat': fault({
    at: 'ID token',
    params: { variant: z.enum(['missing', 'future']) },
    doc: 'The ID token has no `iat` (`missing`), or an `iat` one day in the future with `exp` an hour after it (`future`); validly signed.',
  }),
  'id-token.sub-missing': fault({ at: 'ID token', doc: 'The ID token has no `sub` claim (validly signed).' }),
  'id-token.azp': fault({
    at: 'ID token',
    params: { variant: z.enum(['missing', 'wrong']) },
    doc: 'The ID token `aud` is `[client, "another-client.invalid"]` with no `azp` (`missing`) or with `azp` "another-client.invalid" (`wrong`); validly signed.',
  }),
  'id-token.at-hash-wrong': fault({
    at: 'ID token',
    doc: 'The ID token `at_hash` is the hash of another access token (validly signed).',
  }),
  'id-token.kid-absent': fault({
    at: 'ID token',
    params: { jwks: z.enum(['one-key', 'several-keys']) },
    doc: 'The ID token header has no `kid`. `one-key`: signed with the current key (valid on an issuer whose JWKS holds one key). `several-keys`: a second key is published first (once per tag), and the token is signed with a key that is in no JWKS, so only a client that skips verification accepts it.',
  }),
  'id-token.refresh-claims': fault({
    at: 'ID token',
    params: { claim: z.enum(['sub', 'iss']) },
    doc: "ID tokens issued on a refresh name another `sub` (a seeded other person) or another `iss` than the login; validly signed. The login's own ID token is unchanged (OIDC Core 12.2).",
  }),
  'userinfo.wrong-sub': fault({
    at: 'userinfo',
    doc: 'Userinfo answers with another `sub` than the ID token (OIDC Core 5.3.2).',
  }),
  'logout-token.alg-none': fault({
    at: 'logout token',
    doc: 'The back-channel logout token is unsigned (`alg: none`, empty signature).',
  }),
  'logout-token.bad-signature': fault({ at: 'logout token', doc: 'The logout token signature has flipped bits.' }),
  'logout-token.hs256-public-key': fault({
    at: 'logout token',
    doc: "The logout token is HS256, keyed with the bytes of the provider's RSA public key in PEM (SPKI): an algorithm the client never registered, which anyone who knows the public key can produce (RFC 8725 3.1).",
  }),
  'logout-token.wrong-iss': fault({
    at: 'logout token',
    doc: 'The logout token `iss` names another issuer (validly signed).',
  }),
  'logout-token.wrong-aud': fault({
    at: 'logout token',
    doc: 'The logout token `aud` names another client (validly signed).',
  }),
  'logout-token.no-events': fault({
    at: 'logout token',
    doc: 'The logout token has no `events` claim (validly signed).',
  }),
  'logout-token.wrong-event': fault({
    at: 'logout token',
    doc: 'The logout token `events` claim names only `http://schemas.openid.net/event/foobar`, not the back-channel logout event (validly signed).',
  }),
  'logout-token.nonce': fault({
    at: 'logout token',
    doc: 'The logout token carries a `nonce` claim, which OIDC Back-Channel Logout 2.4 forbids (validly signed).',
  }),
  'logout-token.expired': fault({
    at: 'logout token',
    doc: 'The logout token was issued two hours ago and expired one hour ago (validly signed).',
  }),
} satisfies Record<string, FaultDeclaration>;

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type ParamsOf<P> = P extends z.ZodRawShape ? z.infer<z.ZodObject<P>> : unknown;

/** Names of the per-login faults. */
export type FaultName = keyof typeof FAULTS;

/**
 * Faults switched on for one login tag: `{ name }` plus the fault's parameters. Each is applied at one
 * fixed point of the provider (its `at`). A scenario arms exactly one fault (`idp.faults.arm(tag, fault)`).
 */
export type Fault = {
  [N in FaultName]: Simplify<{ name: N } & ParamsOf<(typeof FAULTS)[N]['params']>>;
}[FaultName];

/** The faults applied at one point, e.g. `FaultAt<'ID token'>`. */
export type FaultAt<A extends FaultPoint> = {
  [N in FaultName]: (typeof FAULTS)[N]['at'] extends A ? Extract<Fault, { name: N }> : never;
}[FaultName];

/** Every fault name, in declaration order. */
export const FAULT_NAMES = Object.keys(FAULTS) as [FaultName, ...FaultName[]];

/** A fault as scenarios arm it: a declared name and that fault's parameters. */
export const faultSchema = z.discriminatedUnion(
  'name',
  FAULT_NAMES.map((name) => z.object({ name: z.literal(name), ...(FAULTS[name].params ?? {}) })) as unknown as [
    z.ZodObject<{ name: z.ZodLiteral<FaultName> }>,
    ...Array<z.ZodObject<{ name: z.ZodLiteral<FaultName> }>>,
  ],
);

/** An issuer-wide change to the discovery document, and what it changes. */
export interface IssuerWideDeclaration {
  /** What it does, one sentence for the docs table (Markdown). */
  readonly doc: string;
}

/**
 * Issuer-wide changes to the discovery document. They change what a client reads at start-up, so a
 * scenario that needs one gets a fresh provider issuer and a fresh target process.
 */
export const DISCOVERY_FAULTS = {
  /** Used by pkce.downgrade-metadata. */
  'discovery.pkce-plain-only': {
    doc: '`code_challenge_methods_supported` is `["plain"]`. Both `plain` and S256 keep working, so a client that still sends S256 succeeds.',
  },
  'discovery.iss-parameter': {
    doc: '`authorization_response_iss_parameter_supported: true`, and every authorization response carries `iss` (RFC 9207).',
  },
  'discovery.issuer-mismatch': {
    doc: 'The metadata `issuer` is the issuer URL with `/impostor` appended, so it differs from the URL the document was fetched from; the provider signs its ID tokens with that issuer too (an impostor consistent with its own document). Endpoints are unchanged.',
  },
} satisfies Record<string, IssuerWideDeclaration>;

/** Names of the discovery faults. */
export type DiscoveryFault = keyof typeof DISCOVERY_FAULTS;

/**
 * Permissive modes: issuer-wide deviations from strict behaviour, so a provider audit can be shown to
 * catch each. The strict default has none of them on.
 */
export const PERMISSIVE_MODES = {
  'pkce-not-required': { doc: 'Public clients may omit `code_challenge` although S256 is advertised.' },
  'verifier-not-checked': { doc: 'Any `code_verifier`, or none, redeems a code.' },
  'verifier-optional': { doc: 'A code issued with a challenge may be redeemed without a verifier.' },
  'verifier-without-challenge-accepted': {
    doc: 'A verifier sent for a code issued without a challenge is ignored.',
  },
  'plain-allowed': { doc: '`plain` is accepted although only S256 is advertised.' },
  'verifier-format-not-checked': {
    doc: 'The RFC 7636 4.1 verifier ABNF (43-128 unreserved characters) is not enforced.',
  },
  'failed-verifier-keeps-code': { doc: 'A wrong verifier does not burn the code.' },
  'codes-reusable': { doc: 'Codes can be redeemed more than once.' },
  'replay-does-not-revoke': { doc: 'A replayed code is refused but does not revoke what it issued.' },
  'code-not-bound-to-client': { doc: 'Any client may redeem any code.' },
  'code-not-bound-to-redirect-uri': {
    doc: 'The token request redirect_uri is not compared with the authorization request.',
  },
  'redirect-uri-prefix-match': {
    doc: 'A redirect_uri matches when a registered URI is its case-insensitive prefix.',
  },
  'redirect-on-invalid-redirect-uri': {
    doc: 'An unregistered redirect_uri receives an error redirect instead of an error page.',
  },
  'state-not-echoed': { doc: '`state` is not returned in the authorization response.' },
  'iss-param-wrong': { doc: 'RFC 9207 is advertised, but `iss` names another issuer.' },
  'no-cache-control': { doc: 'Token responses carry neither `Cache-Control: no-store` nor `Pragma: no-cache`.' },
  'client-auth-not-required': { doc: 'Confidential clients may omit client authentication.' },
  'low-entropy-tokens': {
    doc: 'Codes and tokens are sequential and guessable (`code000001`, ...); access tokens are opaque.',
  },
  'no-refresh-rotation': { doc: 'A refresh returns the same refresh token, which stays valid.' },
  'refresh-reuse-not-detected': {
    doc: 'Reusing a rotated refresh token is refused but does not revoke the family.',
  },
  'refresh-not-bound-to-client': { doc: 'Any client may use any refresh token.' },
  'implicit-enabled': { doc: '`response_type=token` is accepted (and advertised): tokens in the front channel.' },
  'ropc-enabled': { doc: '`grant_type=password` is accepted (and advertised) for any seeded user.' },
  'errors-not-rfc': { doc: 'OAuth errors are 200 HTML pages instead of RFC 6749 5.2 JSON.' },
  'errors-reflect-unescaped': { doc: 'Error pages reflect request parameters as raw HTML (and drop their CSP).' },
  'api-bearer-query-accepted': { doc: 'The API and userinfo accept `?access_token=` (RFC 6750 2.3).' },
  'par-not-required': {
    doc: '`require_pushed_authorization_requests` is advertised, but a plain authorization request (no `request_uri`) is accepted.',
  },
  'request-uri-reusable': { doc: 'A `request_uri` from the PAR endpoint works any number of times and never expires.' },
  'request-uri-not-bound': {
    doc: 'Any client may use any `request_uri` (it is not bound to the client that pushed it).',
  },
  'dpop-binding-not-checked': {
    doc: 'The API and userinfo accept a DPoP-bound access token without a proof, with another key’s proof, and as a Bearer token.',
  },
  'dpop-replay-not-detected': { doc: 'DPoP proofs are not checked for a repeated `jti` (no replay cache).' },
  'dpop-refresh-not-bound': {
    doc: 'A refresh token issued to a DPoP public client is accepted without a proof of its key (or with another key).',
  },
  'client-assertion-aud-not-checked': {
    doc: '`private_key_jwt`: a client assertion is accepted whatever its `aud` names (RFC 7523 3).',
  },
  'client-assertion-exp-not-checked': {
    doc: '`private_key_jwt`: an expired client assertion, or one valid for hours, is accepted (RFC 7523 3).',
  },
  'client-assertion-replay-allowed': {
    doc: '`private_key_jwt`: a client assertion may be used again; its `jti` is not remembered (OIDC Core 9).',
  },
  'client-assertion-alg-none-accepted': {
    doc: '`private_key_jwt`: an unsigned assertion (`alg: none`) whose `iss` and `sub` name the client is accepted.',
  },
  'code-redemption-race': {
    doc: 'A code is marked used only after its tokens are issued (a simulated 50 ms store round-trip), so simultaneous redemptions can both succeed.',
  },
  'refresh-rotation-race': {
    doc: 'A refresh token is marked rotated only after the new tokens are issued (a simulated 50 ms store round-trip), so simultaneous refreshes can both succeed.',
  },
  'framing-allowed': {
    doc: 'HTML pages (login form, error pages) carry neither `X-Frame-Options` nor CSP `frame-ancestors`: they can be framed (clickjacking, RFC 9700 4.16).',
  },
  'redirect-307-after-post': {
    doc: 'Redirects that answer a POST (the login form, a POSTed authorization request) use 307, so the browser posts the form again to the client (RFC 9700 4.12).',
  },
} satisfies Record<string, IssuerWideDeclaration>;

/** Names of the permissive modes. */
export type PermissiveMode = keyof typeof PERMISSIVE_MODES;

/** Every discovery fault name, in declaration order. */
export const DISCOVERY_FAULT_NAMES = Object.keys(DISCOVERY_FAULTS) as [DiscoveryFault, ...DiscoveryFault[]];

/** Every permissive mode, in declaration order. */
export const PERMISSIVE_MODE_NAMES = Object.keys(PERMISSIVE_MODES) as [PermissiveMode, ...PermissiveMode[]];
