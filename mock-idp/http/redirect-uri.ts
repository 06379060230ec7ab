import type { ClientRegistration } from '../types.js';

/**
 * A loopback IP redirect URI (RFC 8252 7.3): `http`, the IPv4 or IPv6 loopback literal, an optional
 * port. `localhost` is not one: RFC 8252 8.3 calls it "NOT RECOMMENDED", and 7.3's port rule is for
 * loopback IP redirect URIs only.
 */
const LOOPBACK_IP_AUTHORITY = /^(http:\/\/(?:127\.0\.0\.1|\[::1\]))(?::(\d{1,5}))?(?=[/?#]|$)/;

/** The URI without its port when it is a loopback IP redirect URI with a valid port; else undefined. */
function withoutLoopbackPort(uri: string): string | undefined {
  const match = LOOPBACK_IP_AUTHORITY.exec(uri);
  if (!match || !URL.canParse(uri)) return undefined;
  if (match[2] !== undefined && Number(match[2]) > 65535) return undefined;
  return `${match[1]}${uri.slice(match[0].length)}`;
}

/**
 * Whether `given` is a redirect URI registered for `client`: simple string comparison (RFC 6749
 * 3.1.2.3, RFC 9700 4.1.3), except that for a native client (`applicationType: 'native'`) a loopback
 * IP redirect URI matches a registered one that differs only in its port. RFC 8252 7.3: "The
 * authorization server MUST allow any port to be specified at the time of the request for loopback IP
 * redirect URIs, to accommodate clients that obtain an available ephemeral port from the operating
 * system at the time of the request."
 *
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 */
export function isRegisteredRedirectUri(client: ClientRegistration, given: string): boolean {
  if (client.redirectUris.includes(given)) return true;
  if (client.applicationType !== 'native') return false;
  const bare = withoutLoopbackPort(given);
  if (bare === undefined) return false;
  return client.redirectUris.some((registered) => withoutLoopbackPort(registered) === bare);
}
