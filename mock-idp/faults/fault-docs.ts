import type { DiscoveryFault, FaultName, PermissiveMode } from '../types.js';

/**
 * What each per-login fault does, as data (a `Record` over the union, so a new fault without a
 * description does not compile). Docs and reports read it from here.
 */
export const FAULT_DOCS: Record<FaultName, string> = {
  'callback.state-altered': 'The authorization response carries a different `state` than the request.',
  'callback.state-missing': 'The authorization response leaves `state` out.',
  'callback.code-missing': 'The authorization response leaves `code` out; `state` is kept.',
  'callback.error':
    'The authorization response is an error (`error`, optional `error_description`, verbatim, markup included) instead of a code.',
  'callback.iss-wrong': 'The RFC 9207 `iss` parameter names another issuer.',
  'callback.iss-missing': 'The RFC 9207 `iss` parameter is left out even though the metadata advertises it.',
  'authorize.reject-s256':
    'An S256 authorization request is answered with `error=invalid_request`; `plain` is then accepted for the login, so a downgrade retry is observable.',
  'token.invalid-grant': 'The token endpoint answers every grant with `invalid_grant` (RFC 6749 5.2).',
  'token.malformed':
    'The token response lacks `access_token` (`no-access-token`), has `token_type` "mac" (`wrong-token-type`), or is an HTML page (`not-json`).',
  'token.short-lived':
    'Access tokens advertise `expiresIn` seconds (`expires_in` and the JWT `exp`) but stay accepted until `faults.expireAccessTokens(tag)`; tokens issued after that call are accepted again.',
  'id-token.alg-none': 'The ID token is unsigned with header `alg` as given (default `none`; casing variants allowed).',
  'id-token.bad-signature': 'The ID token signature has flipped bits.',
  'id-token.hs256-public-key':
    "The ID token is HS256, keyed with the bytes of the provider's RSA public key in PEM (SPKI): algorithm confusion (RFC 8725 3.1).",
  'id-token.wrong-iss': 'The ID token `iss` names another issuer (validly signed).',
  'id-token.wrong-aud': 'The ID token `aud` names another client (validly signed).',
  'id-token.expired': 'The ID token was issued two hours ago and expired one hour ago.',
  'id-token.wrong-nonce': 'The ID token `nonce` differs from the request (validly signed).',
  'id-token.rotated-key': 'The ID token is signed with a new key that appears in the JWKS only from that moment.',
  'userinfo.wrong-sub': 'Userinfo answers with another `sub` than the ID token (OIDC Core 5.3.2).',
};

/** What each discovery fault changes in the metadata (issuer-wide). */
export const DISCOVERY_FAULT_DOCS: Record<DiscoveryFault, string> = {
  'discovery.pkce-plain-only':
    '`code_challenge_methods_supported` is `["plain"]`. Both `plain` and S256 keep working, so a client that still sends S256 succeeds.',
  'discovery.iss-parameter':
    '`authorization_response_iss_parameter_supported: true`, and every authorization response carries `iss` (RFC 9207).',
};

/** What each permissive mode loosens (issuer-wide). Strict behaviour is the default. */
export const PERMISSIVE_MODE_DOCS: Record<PermissiveMode, string> = {
  'pkce-not-required': 'Public clients may omit `code_challenge` although S256 is advertised.',
  'verifier-not-checked': 'Any `code_verifier`, or none, redeems a code.',
  'verifier-optional': 'A code issued with a challenge may be redeemed without a verifier.',
  'verifier-without-challenge-accepted': 'A verifier sent for a code issued without a challenge is ignored.',
  'plain-allowed': '`plain` is accepted although only S256 is advertised.',
  'verifier-format-not-checked': 'The RFC 7636 4.1 verifier ABNF (43-128 unreserved characters) is not enforced.',
  'failed-verifier-keeps-code': 'A wrong verifier does not burn the code.',
  'codes-reusable': 'Codes can be redeemed more than once.',
  'replay-does-not-revoke': 'A replayed code is refused but does not revoke what it issued.',
  'code-not-bound-to-client': 'Any client may redeem any code.',
  'code-not-bound-to-redirect-uri': 'The token request redirect_uri is not compared with the authorization request.',
  'redirect-uri-prefix-match': 'A redirect_uri matches when a registered URI is its case-insensitive prefix.',
  'redirect-on-invalid-redirect-uri':
    'An unregistered redirect_uri receives an error redirect instead of an error page.',
  'state-not-echoed': '`state` is not returned in the authorization response.',
  'iss-param-wrong': 'RFC 9207 is advertised, but `iss` names another issuer.',
  'no-cache-control': 'Token responses carry neither `Cache-Control: no-store` nor `Pragma: no-cache`.',
  'client-auth-not-required': 'Confidential clients may omit client authentication.',
  'low-entropy-tokens': 'Codes and tokens are sequential and guessable (`code000001`, ...); access tokens are opaque.',
  'no-refresh-rotation': 'A refresh returns the same refresh token, which stays valid.',
  'refresh-reuse-not-detected': 'Reusing a rotated refresh token is refused but does not revoke the family.',
  'refresh-not-bound-to-client': 'Any client may use any refresh token.',
  'implicit-enabled': '`response_type=token` is accepted (and advertised): tokens in the front channel.',
  'ropc-enabled': '`grant_type=password` is accepted (and advertised) for any seeded user.',
  'errors-not-rfc': 'OAuth errors are 200 HTML pages instead of RFC 6749 5.2 JSON.',
  'errors-reflect-unescaped': 'Error pages reflect request parameters as raw HTML (and drop their CSP).',
  'api-bearer-query-accepted': 'The API and userinfo accept `?access_token=` (RFC 6750 2.3).',
};
