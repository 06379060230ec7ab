/**
 * Small node:http building blocks shared by the example servers: security headers on every response, cookies,
 * redirects. No framework, so that every header a check looks at is visible in one place.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Headers sent with every response.
 * - `Referrer-Policy: no-referrer`: a page reached with a code in its URL must not pass that URL on in a
 *   `Referer` header (RFC 9700 section 4.2.4).
 * - `Cache-Control: no-store`: pages show account data and the callback carries a code.
 * - CSP, frame and sniffing headers: defence in depth against injected markup and clickjacking.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

/** Writes a complete response with the security headers (extra headers override them). */
export function send(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string | string[]> = {},
): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'text/html; charset=utf-8',
    ...headers,
  });
  res.end(body);
}

/** A 303 redirect (the follow-up request is always a GET). */
export function redirect(res: ServerResponse, location: string, headers: Record<string, string | string[]> = {}): void {
  send(res, 303, '', { location, ...headers });
}

/** Parses the `Cookie` request header (RFC 6265 section 5.4). The first occurrence of a name wins. */
export function readCookies(req: IncomingMessage): Map<string, string> {
  const jar = new Map<string, string>();
  const header = req.headers.cookie;
  if (!header) return jar;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!jar.has(name)) jar.set(name, value);
  }
  return jar;
}

/** Attributes of a `Set-Cookie` header. */
export interface CookieOptions {
  /** Only sent over https. Off on loopback http, where a browser would drop the cookie. */
  secure: boolean;
  /** Seconds; 0 deletes the cookie. Omitted: a browser-session cookie. */
  maxAge?: number;
}

/**
 * Serialises a session cookie: always `HttpOnly` (no script can read the session id), `SameSite=Lax`
 * (sent on the top-level GET back from the provider, not on cross-site subrequests) and `Path=/`.
 */
export function sessionCookie(name: string, value: string, opts: CookieOptions): string {
  const parts = [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (opts.secure) parts.push('Secure');
  if (opts.maxAge !== undefined) parts.push(`Max-Age=${opts.maxAge}`);
  return parts.join('; ');
}
