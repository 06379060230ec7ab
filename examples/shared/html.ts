/**
 * HTML rendering for the example apps. Everything that did not come from this file is escaped, because
 * the error pages show text an attacker controls (`error`, `error_description`; CWE-79).
 */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/**
 * Replaces long opaque runs (codes, tokens, JWTs) in a message that is shown or logged. Library
 * error messages are fixed strings, but a message must never become the channel a token leaks
 * through (CWE-532), so anything token-shaped is cut out before it reaches a page or a log line.
 */
export function redactTokenLike(text: string): string {
  return text.replace(/[A-Za-z0-9_\-.~+/=]{24,}/g, '[redacted]');
}

/** A complete page. `bodyHtml` must already be safe HTML (build it with {@link escapeHtml}). */
export function page(title: string, bodyHtml: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(title)}</title>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(title)}</h1>`,
    bodyHtml,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
