import type { ProviderContext } from '../provider-context.js';
import { textResponse } from './response-text.js';

/** Escapes text for HTML element content and attribute values. Everything reflected goes through it. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * RFC 6749 5.1: responses carrying tokens or credentials have `Cache-Control: no-store` and
 * `Pragma: no-cache`. Permissive mode `no-cache-control` leaves both out.
 */
export function noStoreHeaders(ctx: ProviderContext): Record<string, string> {
  if (ctx.permissive.has('no-cache-control')) return {};
  return { 'cache-control': 'no-store', pragma: 'no-cache' };
}

/** A JSON response (`application/json;charset=UTF-8`). */
export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return textResponse(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json;charset=UTF-8', ...headers },
  });
}

/** The CSP of the provider's pages: nothing loads, nothing runs, and nobody frames them. */
export const PAGE_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * RFC 9700 4.16: "Authorization servers MUST prevent clickjacking attacks" (X-Frame-Options), and
 * "SHOULD also use Content Security Policy (CSP) level 2 [W3C.CSP-2] or greater" (`frame-ancestors`).
 * Permissive mode `framing-allowed` sends neither (an empty value removes the header, see
 * {@link htmlResponse}). `csp` is the page's policy without `frame-ancestors`.
 */
export function pageSecurityHeaders(ctx: ProviderContext, csp = "default-src 'none'"): Record<string, string> {
  if (ctx.permissive.has('framing-allowed')) return { 'x-frame-options': '', 'content-security-policy': csp };
  return {
    'x-frame-options': 'DENY',
    'content-security-policy': csp === '' ? "frame-ancestors 'none'" : `${csp}; frame-ancestors 'none'`,
  };
}

/**
 * An HTML page; every page sends a restrictive CSP so nothing reflected could run even if unescaped, and
 * forbids framing. A header given with an empty value is left out.
 */
export function htmlResponse(
  title: string,
  bodyHtml: string,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  const page = `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>\n<body>\n${bodyHtml}\n</body></html>\n`;
  const merged: Record<string, string> = {
    'content-type': 'text/html;charset=utf-8',
    'x-frame-options': 'DENY',
    'content-security-policy': PAGE_CSP,
    'referrer-policy': 'no-referrer',
    ...headers,
  };
  for (const [k, v] of Object.entries(merged)) if (v === '') delete merged[k];
  return textResponse(page, { status, headers: merged });
}

/**
 * A redirect to `location`: 302 by default. RFC 9700 4.12: a redirect answering a request that may carry
 * the person's credentials (a POST) "MUST NOT use the HTTP 307 status code" and "SHOULD use HTTP status
 * code 303 (See Other)".
 */
export function redirectResponse(
  location: string,
  headers: Record<string, string> = {},
  status: 302 | 303 | 307 = 302,
): Response {
  return textResponse(null, { status, headers: { location, ...headers } });
}

/** RFC 6749 5.2 error codes (and RFC 6750 3.1 / RFC 7009 2.2.1 ones used at the same endpoints). */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'unsupported_token_type'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  | 'server_error';

/**
 * An RFC 6749 5.2 JSON error. Permissive mode `errors-not-rfc` answers with a 200 HTML page instead,
 * the way a provider that does not follow the RFC might.
 */
export function oauthError(
  ctx: ProviderContext,
  error: OAuthErrorCode,
  description: string,
  status = 400,
  headers: Record<string, string> = {},
): Response {
  if (ctx.permissive.has('errors-not-rfc')) {
    return htmlResponse('Error', `<p>Error: ${escapeHtml(error)} (${escapeHtml(description)})</p>`, 200, {
      ...pageSecurityHeaders(ctx),
      ...headers,
    });
  }
  return jsonResponse({ error, error_description: description }, status, { ...noStoreHeaders(ctx), ...headers });
}

/**
 * The HTML error page shown instead of a redirect when the client or redirect_uri cannot be trusted
 * (RFC 6749 4.1.2.1). Reflected parameters are escaped, unless permissive mode
 * `errors-reflect-unescaped` is on.
 */
export function errorPage(
  ctx: ProviderContext,
  error: string,
  description: string,
  reflected: Record<string, string> = {},
  status = 400,
): Response {
  const show = ctx.permissive.has('errors-reflect-unescaped') ? (t: string) => t : escapeHtml;
  const rows = Object.entries(reflected)
    .map(([k, v]) => `<li>${escapeHtml(k)}: ${show(v)}</li>`)
    .join('');
  return htmlResponse(
    'Sign-in error',
    `<h1>Sign-in error</h1><p>${escapeHtml(error)}: ${show(description)}</p>${rows ? `<ul>${rows}</ul>` : ''}`,
    status,
    // errors-reflect-unescaped drops the script-blocking policy only; framing stays forbidden.
    pageSecurityHeaders(ctx, ctx.permissive.has('errors-reflect-unescaped') ? '' : "default-src 'none'"),
  );
}
