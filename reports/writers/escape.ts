/**
 * Escaping for every output context a writer uses. Anything that came from the target (its name,
 * summaries quoting what it answered, transcript URLs, headers and bodies) passes through one of these
 * before it reaches a file, so a hostile target cannot inject markup, script, XML or terminal escapes.
 */

/**
 * Characters XML 1.0 forbids even when escaped (C0 controls other than tab/LF/CR, lone surrogates,
 * U+FFFE/U+FFFF; XML 1.0 §2.2). They are replaced, visibly, by their `\uXXXX` spelling.
 */
const XML_INVALID =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function hex4(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * What {@link escapeXml} and {@link escapeHtml} replace, in one pattern: the markup characters and the
 * characters of {@link XML_INVALID}. One pass over the text instead of one per kind (a report's HTML
 * escapes about a megabyte of transcripts), with the same result: what replaces an invalid character
 * (`\\uXXXX`) holds no markup character, so no replacement is replaced again.
 */
const MARKUP_OR_XML_INVALID = new RegExp(`[&<>"']|${XML_INVALID.source}`, 'g');

const XML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** `&#39;` rather than `&apos;` because HTML 4 parsers do not know the latter. */
const HTML_ENTITIES: Readonly<Record<string, string>> = { ...XML_ENTITIES, "'": '&#39;' };

/** Makes text safe for XML character data and attribute values (both quote kinds). */
export function escapeXml(text: string): string {
  return text.replace(MARKUP_OR_XML_INVALID, (c) => XML_ENTITIES[c] ?? hex4(c));
}

/**
 * Makes text safe for HTML text and quoted attribute values (`&#39;` for `'`, see {@link HTML_ENTITIES}).
 * The same escaping serves inline SVG text.
 */
export function escapeHtml(text: string): string {
  return text.replace(MARKUP_OR_XML_INVALID, (c) => HTML_ENTITIES[c] ?? hex4(c));
}

/**
 * JSON for a `<script type="application/json">` block: `<`, `>` and `&` as `\u003c` etc. so no
 * `</script>` or `<!--` can end or alter the script element (HTML §4.12.1.3), and U+2028/U+2029 escaped
 * for engines that treat them as line terminators.
 */
export function jsonForScript(value: unknown): string {
  // One pass over the text (a report's JSON is megabytes of transcripts), not one per character.
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => SCRIPT_ESCAPES[c]);
}

const SCRIPT_ESCAPES: Readonly<Record<string, string>> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * Inline Markdown text (GitHub/GitLab flavoured): HTML-significant characters become entities, so no
 * tag is rendered; Markdown punctuation is backslash-escaped so target text cannot make links, images,
 * emphasis or code; `@` becomes an entity so a target cannot mention people; line breaks and `|` are
 * neutralised so a table row stays one row.
 */
export function escapeMarkdown(text: string): string {
  // Punctuation first: the entities added afterwards contain `#` and must stay intact.
  return text
    .replace(XML_INVALID, hex4)
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/([\\`*_{}[\]()#+\-.!|~"'])/g, '\\$1')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@/g, '&#64;');
}

/**
 * Text for a terminal: C0 and C1 controls (ESC starts ANSI sequences that could rewrite the screen or
 * set the window title) are shown as `\xNN` instead of being sent to the terminal.
 */
export function sanitizeTerminal(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001F\u007F-\u009F]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** True only for absolute http(s) URLs; anything else (javascript:, data:, relative) is never made a link. */
export function isHttpUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:';
  } catch {
    return false;
  }
}

/** A check's family: every id segment but the last (`state.mismatch` → `state`, `provider.pkce.required` → `provider.pkce`). */
export function checkFamily(id: string): string {
  const at = id.lastIndexOf('.');
  return at > 0 ? id.slice(0, at) : id;
}

/** Shortens text to `max` characters, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** A URL as a Markdown link destination: characters that would end or split the destination are percent-encoded. */
export function markdownUrl(url: string): string {
  return url.replace(/[\s()<>[\]`'"\\]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
