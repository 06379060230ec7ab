/**
 * Whether the documents a plain HTTP agent received could run script in a browser. Web storage
 * (localStorage, sessionStorage) and `document.cookie` are written by script only: when no document of
 * a login could run any, a browser would hold nothing there that the HTTP transcript does not show
 * (its cookies are the Set-Cookie headers). The test is conservative: anything that can run script,
 * load another document or navigate on its own (an element, an event-handler attribute, a `script:`
 * URL however encoded, a document type other than HTML, text or JSON, a Refresh or Speculation-Rules
 * header) counts, and so does text that merely looks like one. A page that counts is then looked at in
 * Chromium.
 */
import type { TranscriptEntry } from '../../harness/types.js';
import { startTags } from '../../core/html-tags.js';

/** Something in a document that could run script (or bring in a document that could). */
export interface ScriptVector {
  url: string;
  reason: string;
}

/** Document types a browser shows without running script: text, JSON, and HTML (whose content is tested). */
const INERT_TYPES = /^(?:text\/plain|application\/json|application\/problem\+json)$/;

/** Elements that run script or embed another document (which may run its own). */
const ELEMENTS = /<\s*(script|iframe|frame|frameset|object|embed|portal|applet|svg|math)[\s>/]/i;

/** An event-handler attribute (`onload=`, `onerror =`, ...), or text that looks like one. */
const HANDLER = /[\s"'/;]on[a-z]+\s*=/i;

/** A refresh pragma among a meta tag's attributes: a navigation the HTTP agent does not follow. */
const REFRESH_PRAGMA = /http-equiv\s*=\s*["']?refresh/i;

/** Named character references a `javascript:` URL can be spelled with. */
const NAMED: Readonly<Record<string, string>> = { colon: ':', tab: '\t', newline: '\n', nbsp: ' ' };

/**
 * The text as the HTML parser would read attribute values: character references decoded (with or
 * without the semicolon), then what a URL parser strips from a scheme (whitespace and control
 * characters; here anywhere, and any whitespace, which can only find more) removed, lower-cased. A
 * `javascript:` URL spelled `&#106;ava&#x09;script&colon;` is `javascript:` here.
 */
function urlLetters(html: string): string {
  return html
    .replace(/&#x([0-9a-f]+);?/gi, (_, hex: string) => String.fromCodePoint(Math.min(parseInt(hex, 16), 0x10ffff)))
    .replace(/&#([0-9]+);?/g, (_, dec: string) => String.fromCodePoint(Math.min(parseInt(dec, 10), 0x10ffff)))
    .replace(/&(colon|tab|newline|nbsp);?/gi, (_, name: string) => NAMED[name.toLowerCase()] ?? '')
    .replace(/[\s\p{Cc}]/gu, '')
    .toLowerCase();
}

/** What in one HTML document could run script; undefined when nothing could. */
export function htmlScriptVector(html: string): string | undefined {
  const element = ELEMENTS.exec(html);
  if (element) return `a <${element[1].toLowerCase()}> element`;
  if (HANDLER.test(html)) return 'an event-handler attribute (on...=)';
  // Meta tags read once each (core/html-tags.ts): a page of unclosed ones stays a linear read.
  if (startTags(html, 'meta', { unclosed: true }).some((tag) => REFRESH_PRAGMA.test(tag)))
    return 'a <meta http-equiv="refresh">';
  if (urlLetters(html).includes('script:')) return 'a script: URL';
  return undefined;
}

/**
 * Every document in `transcript` (the responses an HTTP agent took as pages: not redirects) that could
 * run script in a browser, with the reason. Empty when none could.
 */
export function scriptVectors(transcript: readonly TranscriptEntry[]): ScriptVector[] {
  const out: ScriptVector[] = [];
  for (const entry of transcript) {
    if (entry.status === undefined) continue;
    const headers = entry.responseHeaders ?? {};
    if (headers.refresh !== undefined) {
      out.push({ url: entry.url, reason: 'a Refresh header' });
      continue;
    }
    // Speculation rules prerender pages, whose script runs with the origin's storage.
    if (headers['speculation-rules'] !== undefined) {
      out.push({ url: entry.url, reason: 'a Speculation-Rules header' });
      continue;
    }
    if (entry.status >= 300 && entry.status < 400 && headers.location !== undefined) continue;
    const body = entry.responseBody ?? '';
    if (body.length === 0) continue;
    const type = (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (INERT_TYPES.test(type)) continue;
    // Without a type the browser sniffs, and may take it for HTML: tested as HTML.
    if (type !== '' && type !== 'text/html') {
      out.push({ url: entry.url, reason: `a document of type ${type}` });
      continue;
    }
    const reason = htmlScriptVector(body);
    if (reason) out.push({ url: entry.url, reason });
  }
  return out;
}
