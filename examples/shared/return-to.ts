/**
 * Post-login return paths. A `returnTo` taken from the login URL is attacker-controlled, so it is kept
 * only when it is a path on this origin (RFC 9700 section 4.11.1, CWE-601).
 */

/** Names under which a login URL may carry the page to return to after sign-in. */
export const RETURN_PARAMS = ['returnTo', 'return_to', 'next', 'redirect', 'redirect_to'] as const;

/**
 * Returns `value` when it is a same-origin relative path, else undefined. Rejected: absolute URLs,
 * scheme-relative `//host`, backslash tricks (`/\host`, which browsers read as `//host`), control
 * characters, and anything that resolves to another origin.
 */
export function safeReturnTo(value: string | null | undefined): string | undefined {
  if (!value || value.length > 2048) return undefined;
  if (!value.startsWith('/') || value.startsWith('//')) return undefined;
  if (value.includes('\\')) return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return undefined;
  const base = 'http://return-to.invalid';
  let resolved: URL;
  try {
    resolved = new URL(value, base);
  } catch {
    return undefined;
  }
  if (resolved.origin !== base) return undefined;
  return resolved.pathname + resolved.search + resolved.hash;
}

/** The first safe return path among the login URL's return parameters. */
export function returnToFrom(params: URLSearchParams): string | undefined {
  for (const name of RETURN_PARAMS) {
    const safe = safeReturnTo(params.get(name));
    if (safe) return safe;
  }
  return undefined;
}
