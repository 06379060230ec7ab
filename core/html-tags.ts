/**
 * Start tags of one element name in an HTML text, found in one pass. The obvious pattern,
 * `/<meta\b[^>]*>/g`, is quadratic on a hostile page: where no `>` follows, every `<meta` is tried
 * against the rest of the text (a megabyte of unclosed `<meta ` tags took minutes, with the event loop
 * blocked). Here each match runs to the next `>` or to the end of the text and the search resumes after
 * it, so every character is read once; the tags found are those of the obvious pattern.
 */

const PATTERNS = new Map<string, RegExp>();

function patternFor(name: string): RegExp {
  let re = PATTERNS.get(name);
  if (!re) {
    if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`not an element name: ${JSON.stringify(name)}`);
    re = new RegExp(`<${name}\\b[^>]*>?`, 'gi');
    PATTERNS.set(name, re);
  }
  return re;
}

/**
 * The start tags `<name ...>` of `html` in document order, each from `<` to its `>`. With `unclosed`,
 * also a last tag that the text ends in before its `>` (what a pattern not asking for the `>` finds).
 */
export function startTags(html: string, name: string, opts: { unclosed?: boolean } = {}): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(patternFor(name))) {
    if (opts.unclosed || m[0].endsWith('>')) out.push(m[0]);
  }
  return out;
}
