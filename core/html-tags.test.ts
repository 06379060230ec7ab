import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startTags } from './html-tags.js';

/** Texts dense in the pieces the patterns care about. */
const markup = fc
  .array(fc.constantFrom('<meta', '<META', '<img', '<metadata', '>', ' ', 'name=referrer', 'onerror=', '"', 'x'), {
    maxLength: 40,
  })
  .map((parts) => parts.join(''));

describe('startTags', () => {
  it('finds the tags the obvious pattern finds', () => {
    fc.assert(
      fc.property(markup, (html) => {
        expect(startTags(html, 'meta')).toEqual(html.match(/<meta\b[^>]*>/gi) ?? []);
        // Unclosed: the tag text up to the next `>` or the end, as `/<img\b[^>]*/g` reads it.
        expect(startTags(html, 'img', { unclosed: true }).map((t) => t.replace(/>$/, ''))).toEqual(
          html.match(/<img\b[^>]*/gi) ?? [],
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('reads a hostile page once: a megabyte of unclosed tags, then a real one', () => {
    // The obvious pattern takes minutes on this text, far beyond the test's timeout.
    const hostile = '<meta '.repeat(200_000);
    expect(startTags(hostile, 'meta')).toEqual([]);
    expect(startTags(hostile, 'meta', { unclosed: true })).toEqual([hostile]);
    expect(startTags(`${hostile}><meta name=referrer>`, 'meta')).toEqual([`${hostile}>`, '<meta name=referrer>']);
  });

  it('refuses what is not an element name', () => {
    expect(() => startTags('', 'a|b')).toThrow(/not an element name/);
  });
});
