/**
 * What a page sent to the person gives away: stack traces (CWE-209) and markup reflected unescaped
 * (CWE-79).
 */
import { startTags } from '../../core/html-tags.js';

/**
 * The indentation before `at` is spaces and tabs, not `\s` (which also matches line breaks): with `\n\s*`
 * every line break of a run of blank lines started a scan over the rest of the run, and a page of 50 kB
 * of line breaks took six seconds (a megabyte, most of an hour), with the event loop blocked.
 */
const STACK_TRACE_PATTERNS: RegExp[] = [
  // Node.js / V8: "    at fn (/app/server.js:12:5)" or "at /app/server.js:12:5"
  /\n[ \t]*at (?:[\w$.<>[\]]+ )?\(?(?:file:\/\/|\/|[A-Za-z]:\\|node:)[^\s)]*:\d+:\d+\)?/,
  // Python
  /Traceback \(most recent call last\)/,
  // Java / Kotlin
  /\n[ \t]*at [\w$.]+\([\w$]+\.(?:java|kt):\d+\)/,
  // PHP, Ruby
  /Stack trace:\s*\n#0 /,
  /\.rb:\d+:in `/,
];

/** Whether `body` shows a stack trace. */
export function hasStackTrace(body: string): boolean {
  return STACK_TRACE_PATTERNS.some((re) => re.test(body));
}

/** The markers {@link xssPayload} plants, so a page (or DOM) reflecting it raw can be recognised. */
export const XSS_MARKER = 'lh-xss-probe';

/**
 * Markup that, when rendered raw, runs script (sets `window.__lhXss`, which the browser agent reports
 * as a `marker` script event) and leaves an element {@link XSS_MARKER} in the DOM.
 */
export function xssPayload(label: string): string {
  return `<img src=x onerror="window.__lhXss='${label}'"><${XSS_MARKER}>${label}</${XSS_MARKER}>`;
}

/**
 * Whether `body` contains the payload's markup unescaped. Escaped output shows `&lt;img`; a raw
 * element appears as `<img ... onerror` or `<lh-xss-probe>` (also as a browser serialises the DOM).
 */
export function reflectsMarkupUnescaped(body: string): boolean {
  if (new RegExp(`<${XSS_MARKER}[\\s>]`, 'i').test(body)) return true;
  // Each img tag read once, up to its `>` (or the end): a pattern running from every `<img` to an
  // `onerror` further on is quadratic on a page of unclosed tags.
  return startTags(body, 'img', { unclosed: true }).some((tag) => /\bonerror\s*=/i.test(tag));
}

/** Whether a page says something about an error (for "the error is shown"). */
export function mentionsError(body: string): boolean {
  return /error|denied|declined|cancel|fail|could not|unable|invalid|refused|problem/i.test(body);
}
