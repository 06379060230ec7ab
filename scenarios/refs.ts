/**
 * Specification references as short keys, the way the OpenID conformance suite names them
 * (`RFC7636-4.6`), resolved through one table. A key names a section, or one numbered rule of a
 * section that is a list of rules: OIDC Core 3.1.3.7 numbers the steps of ID token validation, so
 * `OIDC-3.1.3.7-6` cites step 6 (the signature), not the whole procedure. Only keys in the table
 * exist (the type and {@link resolveRef} both refuse others), so a typo cannot become a dead link.
 */

/** The documents references point into: base URL, how a section is addressed, and the label. */
const SPECS = {
  RFC6749: { label: 'RFC 6749', base: 'https://www.rfc-editor.org/rfc/rfc6749#section-' },
  RFC6750: { label: 'RFC 6750', base: 'https://www.rfc-editor.org/rfc/rfc6750#section-' },
  RFC6819: { label: 'RFC 6819', base: 'https://www.rfc-editor.org/rfc/rfc6819#section-' },
  RFC7009: { label: 'RFC 7009', base: 'https://www.rfc-editor.org/rfc/rfc7009#section-' },
  RFC7636: { label: 'RFC 7636', base: 'https://www.rfc-editor.org/rfc/rfc7636#section-' },
  RFC7523: { label: 'RFC 7523', base: 'https://www.rfc-editor.org/rfc/rfc7523#section-' },
  RFC7662: { label: 'RFC 7662', base: 'https://www.rfc-editor.org/rfc/rfc7662#section-' },
  RFC8252: { label: 'RFC 8252', base: 'https://www.rfc-editor.org/rfc/rfc8252#section-' },
  RFC8414: { label: 'RFC 8414', base: 'https://www.rfc-editor.org/rfc/rfc8414#section-' },
  RFC8725: { label: 'RFC 8725', base: 'https://www.rfc-editor.org/rfc/rfc8725#section-' },
  RFC9207: { label: 'RFC 9207', base: 'https://www.rfc-editor.org/rfc/rfc9207#section-' },
  RFC9700: { label: 'RFC 9700', base: 'https://www.rfc-editor.org/rfc/rfc9700#section-' },
  RFC9126: { label: 'RFC 9126', base: 'https://www.rfc-editor.org/rfc/rfc9126#section-' },
  RFC9449: { label: 'RFC 9449', base: 'https://www.rfc-editor.org/rfc/rfc9449#section-' },
  FAPI2: {
    label: 'FAPI 2.0 Security Profile',
    base: 'https://openid.net/specs/fapi-security-profile-2_0-final.html#section-',
  },
  OIDC: { label: 'OpenID Connect Core', base: 'https://openid.net/specs/openid-connect-core-1_0.html#section-' },
  'OIDC-DISCOVERY': {
    label: 'OpenID Connect Discovery',
    base: 'https://openid.net/specs/openid-connect-discovery-1_0.html#section-',
  },
  'OIDC-RPINIT': {
    label: 'OpenID Connect RP-Initiated Logout',
    base: 'https://openid.net/specs/openid-connect-rpinitiated-1_0.html#section-',
  },
  'OIDC-BCL': {
    label: 'OpenID Connect Back-Channel Logout',
    base: 'https://openid.net/specs/openid-connect-backchannel-1_0.html#section-',
  },
} as const;

type Spec = keyof typeof SPECS;

/**
 * One row of the table. `step` is a rule the specification numbers itself (OIDC Core 3.1.3.7);
 * `item` is the n-th bullet of an unnumbered list of rules (RFC 6749 4.1.3, "The authorization server
 * MUST: ..."). Either way the link goes to the section, and the label names the rule.
 */
type RefRow =
  { spec: Spec; section: string; step?: number; item?: number } | { cwe: number } | { named: string; url: string };

const section = (spec: Spec, s: string): RefRow => ({ spec, section: s });
const step = (spec: Spec, s: string, n: number): RefRow => ({ spec, section: s, step: n });
const item = (spec: Spec, s: string, n: number): RefRow => ({ spec, section: s, item: n });

/** Every reference a check may cite. Add a row here before citing a new section or rule. */
const REFS = {
  'RFC6749-2.3.1': section('RFC6749', '2.3.1'),
  'RFC6749-3.2.1': section('RFC6749', '3.2.1'),
  'RFC6749-4.1.1': section('RFC6749', '4.1.1'),
  'RFC6749-4.1.2': section('RFC6749', '4.1.2'),
  'RFC6749-4.1.2.1': section('RFC6749', '4.1.2.1'),
  'RFC6749-4.1.3': section('RFC6749', '4.1.3'),
  /** The server requires client authentication for confidential clients. */
  'RFC6749-4.1.3-1': item('RFC6749', '4.1.3', 1),
  /** The server ensures the code was issued to the authenticated client (or `client_id`). */
  'RFC6749-4.1.3-3': item('RFC6749', '4.1.3', 3),
  /** The server ensures `redirect_uri` is present when it was in the authorization request, and identical. */
  'RFC6749-4.1.3-5': item('RFC6749', '4.1.3', 5),
  'RFC6749-5.1': section('RFC6749', '5.1'),
  'RFC6749-5.2': section('RFC6749', '5.2'),
  'RFC6749-6': section('RFC6749', '6'),
  'RFC6749-10.1': section('RFC6749', '10.1'),
  'RFC6749-10.4': section('RFC6749', '10.4'),
  'RFC6749-10.5': section('RFC6749', '10.5'),
  'RFC6749-10.10': section('RFC6749', '10.10'),
  'RFC6749-10.12': section('RFC6749', '10.12'),
  'RFC6749-7.1': section('RFC6749', '7.1'),
  'RFC6749-10.3': section('RFC6749', '10.3'),
  'RFC6749-10.14': section('RFC6749', '10.14'),
  'RFC6750-2.3': section('RFC6750', '2.3'),
  'RFC6750-5.3': section('RFC6750', '5.3'),
  'RFC6819-5.3.5': section('RFC6819', '5.3.5'),
  'RFC7009-2': section('RFC7009', '2'),
  'RFC7636-4.1': section('RFC7636', '4.1'),
  'RFC7636-4.2': section('RFC7636', '4.2'),
  'RFC7636-4.3': section('RFC7636', '4.3'),
  'RFC7636-4.5': section('RFC7636', '4.5'),
  'RFC7636-4.6': section('RFC7636', '4.6'),
  'RFC7636-7.1': section('RFC7636', '7.1'),
  'RFC7636-7.2': section('RFC7636', '7.2'),
  'RFC7523-3': section('RFC7523', '3'),
  /** `aud` identifies the authorization server; the server rejects any JWT without its own identity. */
  'RFC7523-3-3': item('RFC7523', '3', 3),
  /** `exp` limits the time window; the server rejects a JWT whose expiration time has passed. */
  'RFC7523-3-4': item('RFC7523', '3', 4),
  /** `jti` may be present; the server MAY keep the used values to refuse replays. */
  'RFC7523-3-7': item('RFC7523', '3', 7),
  /** The JWT is signed (or MACed); the server rejects an invalid signature. */
  'RFC7523-3-9': item('RFC7523', '3', 9),
  'RFC8252-6': section('RFC8252', '6'),
  'RFC8252-7.3': section('RFC8252', '7.3'),
  'RFC8252-8.3': section('RFC8252', '8.3'),
  'RFC8414-2': section('RFC8414', '2'),
  'RFC8414-3': section('RFC8414', '3'),
  /** The metadata `issuer` is identical to the issuer the URL was built from, or the metadata is not used. */
  'RFC8414-3.3': section('RFC8414', '3.3'),
  'RFC8725-3.1': section('RFC8725', '3.1'),
  'RFC9207-2': section('RFC9207', '2'),
  'RFC9207-2.4': section('RFC9207', '2.4'),
  'RFC9700-2.1': section('RFC9700', '2.1'),
  'RFC9700-2.1.1': section('RFC9700', '2.1.1'),
  'RFC9700-2.1.2': section('RFC9700', '2.1.2'),
  'RFC9700-2.3': section('RFC9700', '2.3'),
  'RFC9700-2.4': section('RFC9700', '2.4'),
  'RFC9700-4.1.3': section('RFC9700', '4.1.3'),
  'RFC9700-4.2': section('RFC9700', '4.2'),
  'RFC9700-4.2.4': section('RFC9700', '4.2.4'),
  'RFC9700-4.3': section('RFC9700', '4.3'),
  'RFC9700-2.5': section('RFC9700', '2.5'),
  'RFC9700-4.4': section('RFC9700', '4.4'),
  'RFC9700-4.4.1': section('RFC9700', '4.4.1'),
  'RFC9700-4.4.2': section('RFC9700', '4.4.2'),
  'RFC9700-4.4.2.1': section('RFC9700', '4.4.2.1'),
  'RFC9700-4.7': section('RFC9700', '4.7'),
  'RFC9700-4.7.1': section('RFC9700', '4.7.1'),
  'RFC9700-4.8': section('RFC9700', '4.8'),
  'RFC9700-4.8.2': section('RFC9700', '4.8.2'),
  'RFC9700-4.11.1': section('RFC9700', '4.11.1'),
  'RFC9700-4.11.2': section('RFC9700', '4.11.2'),
  'RFC9700-4.14': section('RFC9700', '4.14'),
  'RFC9700-4.12': section('RFC9700', '4.12'),
  'RFC9700-4.14.2': section('RFC9700', '4.14.2'),
  'RFC9126-2.1': section('RFC9126', '2.1'),
  'RFC9126-2.2': section('RFC9126', '2.2'),
  'RFC9126-4': section('RFC9126', '4'),
  'RFC9126-5': section('RFC9126', '5'),
  'RFC9126-6': section('RFC9126', '6'),
  'RFC9449-4.2': section('RFC9449', '4.2'),
  'RFC9449-4.3': section('RFC9449', '4.3'),
  'RFC9449-5': section('RFC9449', '5'),
  'RFC9449-7.1': section('RFC9449', '7.1'),
  'RFC9449-7.2': section('RFC9449', '7.2'),
  'RFC9449-8': section('RFC9449', '8'),
  'RFC9449-8.2': section('RFC9449', '8.2'),
  'RFC9449-9': section('RFC9449', '9'),
  'RFC9449-11.1': section('RFC9449', '11.1'),
  'RFC9700-4.16': section('RFC9700', '4.16'),
  'OIDC-2': section('OIDC', '2'),
  'OIDC-3.1.2.1': section('OIDC', '3.1.2.1'),
  /** ID token validation as a whole (a provider issuing tokens that pass every step). */
  'OIDC-3.1.3.7': section('OIDC', '3.1.3.7'),
  /** `iss` exactly matches the issuer identifier. */
  'OIDC-3.1.3.7-2': step('OIDC', '3.1.3.7', 2),
  /** `aud` contains the client id; tokens with untrusted extra audiences are rejected. */
  'OIDC-3.1.3.7-3': step('OIDC', '3.1.3.7', 3),
  /** Several audiences: `azp` is present. */
  'OIDC-3.1.3.7-4': step('OIDC', '3.1.3.7', 4),
  /** `azp`, when present, is the client id. */
  'OIDC-3.1.3.7-5': step('OIDC', '3.1.3.7', 5),
  /** The signature is validated with the issuer's keys (TLS may stand in for tokens from the token endpoint). */
  'OIDC-3.1.3.7-6': step('OIDC', '3.1.3.7', 6),
  /** `alg` should be RS256 or the registered `id_token_signed_response_alg`. */
  'OIDC-3.1.3.7-7': step('OIDC', '3.1.3.7', 7),
  /** A MAC `alg` (HS256...) is keyed with the client secret. */
  'OIDC-3.1.3.7-8': step('OIDC', '3.1.3.7', 8),
  /** The current time is before `exp`. */
  'OIDC-3.1.3.7-9': step('OIDC', '3.1.3.7', 9),
  /** `iat` may be used to reject tokens issued too far from the current time. */
  'OIDC-3.1.3.7-10': step('OIDC', '3.1.3.7', 10),
  /** The `nonce` claim equals the nonce sent in the authentication request. */
  'OIDC-3.1.3.7-11': step('OIDC', '3.1.3.7', 11),
  /** Code flow: the client MAY use `at_hash` to validate the access token. */
  'OIDC-3.1.3.8': section('OIDC', '3.1.3.8'),
  /** How `at_hash` validates an access token (implicit flow). */
  'OIDC-3.2.2.9': section('OIDC', '3.2.2.9'),
  'OIDC-5.3.2': section('OIDC', '5.3.2'),
  /** Signing: `kid` is required when the JWK Set holds several keys. */
  'OIDC-10.1': section('OIDC', '10.1'),
  /** A refreshed ID token has the same `iss` and `sub` as the login's. */
  'OIDC-12.2': section('OIDC', '12.2'),
  'OIDC-15.5.2': section('OIDC', '15.5.2'),
  'OIDC-10.1.1': section('OIDC', '10.1.1'),
  /** Client authentication: `private_key_jwt`, and the claims of its assertion (`jti` used only once). */
  'OIDC-9': section('OIDC', '9'),
  'OIDC-DISCOVERY-4.3': section('OIDC-DISCOVERY', '4.3'),
  /** FAPI 2.0: requirements for authorization servers of the authorization code grant (PKCE S256, PAR, code only). */
  'FAPI2-SP-5.3.2.2': section('FAPI2', '5.3.2.2'),
  /** FAPI 2.0: requirements for clients in general (sender-constrained tokens, client authentication). */
  'FAPI2-SP-5.3.3.1': section('FAPI2', '5.3.3.1'),
  /** FAPI 2.0: requirements for clients using the authorization code grant (PKCE S256, PAR, RFC 9207). */
  'FAPI2-SP-5.3.3.2': section('FAPI2', '5.3.3.2'),
  /** The logout request: `id_token_hint`, `client_id`, `post_logout_redirect_uri` (registered), `state`. */
  'OIDC-RPINIT-2': section('OIDC-RPINIT', '2'),
  /** The logout token's claims. */
  'OIDC-BCL-2.4': section('OIDC-BCL', '2.4'),
  /** How the relying party validates a logout token. */
  'OIDC-BCL-2.6': section('OIDC-BCL', '2.6'),
  /** What the relying party does with a valid logout token. */
  'OIDC-BCL-2.7': section('OIDC-BCL', '2.7'),
  /** The back-channel logout response: 200 on success, 400 for an invalid request. */
  'OIDC-BCL-2.8': section('OIDC-BCL', '2.8'),
  'CWE-79': { cwe: 79 },
  'CWE-352': { cwe: 352 },
  'CWE-384': { cwe: 384 },
  'CWE-532': { cwe: 532 },
  'CWE-601': { cwe: 601 },
  'OWASP-OAUTH2': {
    named: 'OWASP-OAUTH2',
    url: 'https://cheatsheetseries.owasp.org/cheatsheets/OAuth2_Cheat_Sheet.html',
  },
  'OWASP-SESSION': {
    named: 'OWASP-SESSION',
    url: 'https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html',
  },
} as const satisfies Record<string, RefRow>;

/** A reference key from the table: `RFC6749-4.1.1`, `OIDC-3.1.3.7-6` (a step), `CWE-352`, `OWASP-OAUTH2`. */
export type RefKey = keyof typeof REFS;

export interface ResolvedRef {
  key: RefKey;
  url: string;
  /** Human label, e.g. "RFC 6749 §4.1.1" or "OpenID Connect Core §3.1.3.7, step 6". */
  label: string;
}

/** Every key of the table, in table order. */
export const REF_KEYS: readonly RefKey[] = Object.keys(REFS) as RefKey[];

/** Whether `key` is in the reference table. */
export function isRefKey(key: string): key is RefKey {
  return Object.hasOwn(REFS, key);
}

/** Resolves a reference key to its link and label. Throws for a key not in the table (a catalog bug). */
export function resolveRef(key: RefKey): ResolvedRef {
  if (!isRefKey(key)) throw new Error(`unknown reference key ${JSON.stringify(key)}`);
  const row: RefRow = REFS[key];
  if ('cwe' in row)
    return { key, url: `https://cwe.mitre.org/data/definitions/${row.cwe}.html`, label: `CWE-${row.cwe}` };
  if ('named' in row) return { key, url: row.url, label: row.named };
  const spec = SPECS[row.spec];
  // A numbered step or a list item has no anchor of its own: link the section, name the rule in the label.
  const rule = row.step !== undefined ? `, step ${row.step}` : row.item !== undefined ? `, item ${row.item}` : '';
  return { key, url: `${spec.base}${row.section}`, label: `${spec.label} §${row.section}${rule}` };
}
