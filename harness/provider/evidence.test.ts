import { describe, expect, it } from 'vitest';
import { redactionMark } from '../../core/redaction.js';
import { Recorder, SecretBook } from './evidence.js';

describe('provider audit evidence', () => {
  it('redacts every secret it was told about, raw, URL-encoded and form-encoded, longest first', () => {
    const book = new SecretBook();
    book.add('abc+def/ghi=jkl', 'code');
    book.add('abc+def/ghi=jkl-and-more', 'refresh_token');
    book.add('short', 'code');
    const text = 'a=abc+def/ghi=jkl b=abc%2Bdef%2Fghi%3Djkl c=abc+def/ghi=jkl-and-more d=short';
    const out = book.redact(text);
    expect(out).not.toContain('ghi');
    // The one redaction mark of the project (core/redaction.ts).
    expect(out).toContain(redactionMark({ kind: 'code', value: 'abc+def/ghi=jkl' }));
    expect(out).toContain('[redacted:code:abc+…]');
    expect(out).toContain('[redacted:refresh_token:abc+…]');
    // Values too short to be a secret are left alone rather than redacting ordinary words.
    expect(out).toContain('d=short');
    expect(book.size).toBe(2);
  });

  it('numbers transcript entries in order as harness exchanges and cuts long bodies', () => {
    let now = 1000;
    const rec = new Recorder(() => now++);
    rec.record({ method: 'GET', url: 'http://127.0.0.1/a', requestHeaders: {}, responseBody: 'x'.repeat(5000) });
    rec.record({ method: 'POST', url: 'http://127.0.0.1/b', requestHeaders: {} });
    const [a, b] = rec.entries();
    expect([a.seq, b.seq, a.at, b.at, a.agent]).toEqual([1, 2, 1000, 1001, 'harness']);
    expect(a.responseBody?.length).toBeLessThan(4100);
    expect(a.responseBody).toContain('1000 more characters');
  });
});
