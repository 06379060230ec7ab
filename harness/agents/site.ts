/**
 * What counts as "the same site" for SameSite cookies and Sec-Fetch-Site.
 *
 * A browser compares schemeful sites (scheme + registrable domain, RFC 6265bis section 5.2). On a test
 * machine the provider and the client are both 127.0.0.1 and differ only in port, which a browser
 * would call same-site; in production they are different sites (login.lexoffice.de versus the
 * client's own domain). The `origin` mode, the default, treats every origin as its own site so the
 * provider-to-client navigation stays cross-site as it is in production.
 */
import { isIP } from 'node:net';
import { getPublicSuffix } from 'tough-cookie';

export type SiteMode = 'origin' | 'site';

/** A comparable key for the site of `url`. */
export function siteOf(url: URL, mode: SiteMode): string {
  if (mode === 'origin') return url.origin;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const registrable = isIP(host) ? host : (getPublicSuffix(host) ?? host);
  return `${url.protocol}//${registrable}`;
}
