import { describe, expect, it } from 'vitest';
import { hasStackTrace, reflectsMarkupUnescaped, xssPayload } from './page.js';

describe('page inspection', () => {
  it('recognises Node.js and Python stack traces', () => {
    expect(hasStackTrace('Error: boom\n    at handle (/app/server.js:10:5)\n    at next (node:internal/x:1:2)')).toBe(
      true,
    );
    expect(hasStackTrace('Traceback (most recent call last):\n  File "app.py", line 3')).toBe(true);
  });

  it('recognises traces indented with tabs, after blank lines and CRLF line ends, and Java frames', () => {
    expect(hasStackTrace('Error: boom\r\n\r\n\tat handle (/app/server.js:10:5)')).toBe(true);
    expect(hasStackTrace('<pre>\n\n  at com.example.App.run(App.java:42)</pre>')).toBe(true);
  });

  it('reads a megabyte of blank lines once (each line break used to scan the rest of the run)', () => {
    for (const blank of ['\n', '\n ', '\r\n\t']) {
      const hostile = blank.repeat(Math.floor(1_000_000 / blank.length));
      expect(hasStackTrace(hostile)).toBe(false);
      expect(hasStackTrace(`${hostile}at main (/app/server.js:1:2)`)).toBe(true);
    }
  });

  it('does not take an ordinary error page for a stack trace', () => {
    expect(hasStackTrace('<p>Sign-in failed: the state does not match.</p>')).toBe(false);
  });

  it('finds the probe markup when it is reflected raw, not when it is escaped', () => {
    const payload = xssPayload('error');
    const escaped = payload.replace(/</g, '&lt;').replace(/>/g, '&gt;');
    expect(reflectsMarkupUnescaped(`<p>${payload}</p>`)).toBe(true);
    expect(reflectsMarkupUnescaped(`<p>${escaped}</p>`)).toBe(false);
  });

  it('finds the probe as a browser serialises the DOM', () => {
    expect(reflectsMarkupUnescaped('<p><img src="x" onerror="window.__lhXss=\'error\'"></p>')).toBe(true);
  });

  it('reads a page of a megabyte of unclosed img tags once, and still finds an onerror in the last one', () => {
    const hostile = '<img '.repeat(200_000);
    expect(reflectsMarkupUnescaped(hostile)).toBe(false);
    expect(reflectsMarkupUnescaped(`${hostile}onerror=alert(1)`)).toBe(true);
  });
});
