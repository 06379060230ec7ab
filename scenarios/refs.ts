/**
 * Specification references as short keys, resolved to links through one prefix table, the way the
 * OpenID conformance suite names them (`RFC7636-4.6`).
 */

const PREFIXES = {
  RFC6749: 'https://www.rfc-editor.org/rfc/rfc6749#section-',
  RFC6750: 'https://www.rfc-editor.org/rfc/rfc6750#section-',
  RFC6819: 'https://www.rfc-editor.org/rfc/rfc6819#section-',
  RFC7009: 'https://www.rfc-editor.org/rfc/rfc7009#section-',
  RFC7636: 'https://www.rfc-editor.org/rfc/rfc7636#section-',
  RFC7662: 'https://www.rfc-editor.org/rfc/rfc7662#section-',
  RFC8414: 'https://www.rfc-editor.org/rfc/rfc8414#section-',
  RFC8725: 'https://www.rfc-editor.org/rfc/rfc8725#section-',
  RFC9207: 'https://www.rfc-editor.org/rfc/rfc9207#section-',
  RFC9700: 'https://www.rfc-editor.org/rfc/rfc9700#section-',
  'OIDC-DISCOVERY': 'https://openid.net/specs/openid-connect-discovery-1_0.html#section-',
  OIDC: 'https://openid.net/specs/openid-connect-core-1_0.html#section-',
  CWE: 'https://cwe.mitre.org/data/definitions/',
} as const;

const NAMED = {
  'OWASP-OAUTH2': 'https://cheatsheetseries.owasp.org/cheatsheets/OAuth2_Cheat_Sheet.html',
  'OWASP-SESSION': 'https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html',
} as const;

type Prefix = keyof typeof PREFIXES;

/** A reference key: `RFC6749-4.1.1`, `OIDC-3.1.3.7`, `OIDC-DISCOVERY-4.3`, `CWE-352`, `OWASP-OAUTH2`. */
export type RefKey = `${Prefix}-${string}` | keyof typeof NAMED;

export interface ResolvedRef {
  key: RefKey;
  url: string;
  /** Human label, e.g. "RFC 6749 §4.1.1". */
  label: string;
}

/** Resolves a reference key to its link. Throws for a key whose prefix is unknown (a catalog bug). */
export function resolveRef(key: RefKey): ResolvedRef {
  if (key in NAMED) return { key, url: NAMED[key as keyof typeof NAMED], label: key };
  // Longest prefix first so OIDC-DISCOVERY wins over OIDC.
  const prefix = (Object.keys(PREFIXES) as Prefix[])
    .sort((a, b) => b.length - a.length)
    .find((p) => key.startsWith(`${p}-`));
  if (!prefix) throw new Error(`unknown reference key ${JSON.stringify(key)}`);
  const rest = key.slice(prefix.length + 1);
  if (prefix === 'CWE') return { key, url: `${PREFIXES.CWE}${rest}.html`, label: `CWE-${rest}` };
  const label = prefix.startsWith('RFC')
    ? `RFC ${prefix.slice(3)} §${rest}`
    : prefix === 'OIDC'
      ? `OpenID Connect Core §${rest}`
      : `OpenID Connect Discovery §${rest}`;
  return { key, url: `${PREFIXES[prefix]}${rest}`, label };
}
