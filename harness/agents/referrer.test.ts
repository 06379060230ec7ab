import { describe, expect, it } from 'vitest';
import { metaReferrerPolicy } from './referrer.js';

describe('metaReferrerPolicy', () => {
  it('takes the last referrer meta tag, with legacy keywords mapped', () => {
    expect(metaReferrerPolicy('<meta charset="utf-8"><meta name="referrer" content="no-referrer">')).toBe(
      'no-referrer',
    );
    expect(metaReferrerPolicy("<meta name=referrer content='origin'><META NAME=Referrer CONTENT=never>")).toBe(
      'no-referrer',
    );
    expect(metaReferrerPolicy('<meta name="description" content="unsafe-url">')).toBeUndefined();
  });

  it('reads a page of a megabyte of unclosed meta tags once, and finds the policy closed after them', () => {
    const hostile = '<meta '.repeat(200_000);
    expect(metaReferrerPolicy(hostile)).toBeUndefined();
    expect(metaReferrerPolicy(`${hostile}><meta name="referrer" content="unsafe-url">`)).toBe('unsafe-url');
  });
});
