import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml, escapeXml } from './escape.js';

/** The escaping as one replacement per kind of character, the definition the one-pass form must match. */
const INVALID =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function byKind(text: string, apos: string): string {
  return text
    .replace(INVALID, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, apos);
}

/** Strings of any UTF-16 code units, dense in markup characters, controls and surrogates. */
const codeUnits = fc
  .array(
    fc.oneof(
      fc.constantFrom(0x26, 0x3c, 0x3e, 0x22, 0x27, 0x00, 0x08, 0x09, 0x0a, 0x0b, 0x0d, 0x1f, 0x5c, 0xfffe, 0xffff),
      fc.integer({ min: 0xd800, max: 0xdfff }),
      fc.integer({ min: 0, max: 0xffff }),
    ),
    { maxLength: 40 },
  )
  .map((units) => String.fromCharCode(...units));

describe('escapeHtml and escapeXml', () => {
  it('give, in one pass, what replacing each kind of character in turn gives', () => {
    fc.assert(
      fc.property(codeUnits, (text) => {
        expect(escapeHtml(text)).toBe(byKind(text, '&#39;'));
        expect(escapeXml(text)).toBe(byKind(text, '&apos;'));
      }),
      { numRuns: 2000, seed: 7 },
    );
  });

  it('escape markup, keep a surrogate pair, and spell out controls and lone surrogates', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
    expect(escapeXml(`'`)).toBe('&apos;');
    expect(escapeHtml('\u{1F600}')).toBe('\u{1F600}');
    expect(escapeHtml('a\u0000b\ud800c\udc00')).toBe('a\\u0000b\\ud800c\\udc00');
    expect(escapeXml('tab\tnew\nline\rend\u000b')).toBe('tab\tnew\nline\rend\\u000b');
  });
});
