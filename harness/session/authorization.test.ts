import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFirstForm } from './authorization.js';

const PAGE = 'http://127.0.0.1:4000/oauth2/authorize?x=1';

/**
 * The patterns the form reader used before it read in one pass: right on well-formed pages, quadratic on
 * hostile ones. The reference for the property test below.
 */
function patternForm(html: string, pageUrl: string): ReturnType<typeof parseFirstForm> {
  const attr = (attrs: string, name: string): string | undefined => {
    const m = new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(attrs);
    return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
  };
  const decode = (t: string): string =>
    t
      .replace(/&quot;/g, '"')
      .replace(/&#39;|&#x27;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  const formMatch = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!formMatch) return undefined;
  const action = new URL(decode(attr(formMatch[1], 'action') ?? ''), pageUrl).href;
  const method = (attr(formMatch[1], 'method') ?? 'GET').toUpperCase() === 'POST' ? 'POST' : 'GET';
  const fields: [string, string][] = [];
  let submitTaken = false;
  const tagRe = /<(input|button|select|textarea)\b([^>]*)>([\s\S]*?<\/\1>)?/gi;
  for (let m = tagRe.exec(formMatch[2]); m; m = tagRe.exec(formMatch[2])) {
    const tag = m[1].toLowerCase();
    const name = attr(m[2], 'name');
    if (name === undefined || /\bdisabled\b/i.test(m[2])) continue;
    const type = (attr(m[2], 'type') ?? (tag === 'button' ? 'submit' : 'text')).toLowerCase();
    if (tag === 'select') {
      const options = [...(m[3] ?? '').matchAll(/<option\b([^>]*)>([^<]*)/gi)];
      const chosen = options.find((o) => /\bselected\b/i.test(o[1])) ?? options[0];
      if (chosen) fields.push([name, decode(attr(chosen[1], 'value') ?? chosen[2].trim())]);
      continue;
    }
    if (tag === 'textarea') {
      fields.push([name, decode((m[3] ?? '').replace(/<\/textarea>$/i, ''))]);
      continue;
    }
    if (type === 'submit' || type === 'image') {
      if (submitTaken) continue;
      submitTaken = true;
    } else if ((type === 'checkbox' || type === 'radio') && !/\bchecked\b/i.test(m[2])) continue;
    fields.push([name, decode(attr(m[2], 'value') ?? '')]);
  }
  return { action, method, fields };
}

describe('parseFirstForm', () => {
  it("reads a provider's login form as a person submitting it would", () => {
    const html = `<!doctype html><p>Sign in</p>
      <form method="post" action="/oauth2/login?tx=a&amp;b=1">
        <input type="hidden" name="tx" value="t-1">
        <input name="username" value="anna@example.com">
        <input type="password" name="password" value='s3cret'>
        <input type="checkbox" name="remember" value="yes">
        <input type="checkbox" name="terms" value="ok" checked>
        <input type="radio" name="lang" value="en"><input type="radio" name="lang" value="de" checked>
        <input name="off" value="x" disabled>
        <select name="tenant"><option value="a">A</option><option value="b" selected>B</option></select>
        <select name="plain"><option> First &amp; only </option></select>
        <textarea name="note">line &lt;1&gt;
<input name="inside-textarea"></textarea>
        <button type="submit" name="action" value="approve">Allow</button>
        <button type="submit" name="action" value="deny">Deny</button>
      </form>
      <form action="/other"><input name="second-form"></form>`;
    expect(parseFirstForm(html, PAGE)).toEqual({
      action: 'http://127.0.0.1:4000/oauth2/login?tx=a&b=1',
      method: 'POST',
      fields: [
        ['tx', 't-1'],
        ['username', 'anna@example.com'],
        ['password', 's3cret'],
        ['terms', 'ok'],
        ['lang', 'de'],
        ['tenant', 'b'],
        ['plain', 'First & only'],
        ['note', 'line <1>\n<input name="inside-textarea">'],
        ['action', 'approve'],
      ],
    });
  });

  it('has no form without a complete start tag and a closing tag', () => {
    expect(parseFirstForm('<p>no form</p>', PAGE)).toBeUndefined();
    expect(parseFirstForm('<form action="/x"><input name="a">', PAGE)).toBeUndefined();
    expect(parseFirstForm('<form action="/x"', PAGE)).toBeUndefined();
    expect(parseFirstForm('<FORM METHOD=GET><INPUT NAME=a VALUE=1></FORM>', PAGE)).toEqual({
      action: PAGE,
      method: 'GET',
      fields: [['a', '1']],
    });
  });

  it('reads a select or a textarea left open as a browser does', () => {
    const select = parseFirstForm(
      '<form><select name="s"><option value="1">one<input name="after" value="a"></form>',
      PAGE,
    );
    expect(select?.fields).toEqual([
      ['s', '1'],
      ['after', 'a'],
    ]);
    const textarea = parseFirstForm('<form><textarea name="t">rest <input name="no"></form>', PAGE);
    expect(textarea?.fields).toEqual([['t', 'rest <input name="no">']]);
  });

  it('gives what the old patterns gave on well-formed forms', () => {
    const name = fc.constantFrom('a', 'b', 'user', 'x-1');
    const value = fc.string({ unit: fc.constantFrom('v', ' ', '&amp;', '&lt;', 'é', '1'), maxLength: 6 });
    const quoted = fc
      .tuple(name, value, fc.constantFrom('"', "'"))
      .map(([n, v, q]) => `name=${q}${n}${q} value=${q}${v}${q}`);
    const flags = fc.subarray(['checked', 'disabled', 'selected']).map((f) => f.join(' '));
    const control = fc.oneof(
      fc
        .tuple(fc.constantFrom('text', 'hidden', 'checkbox', 'radio', 'submit', 'image', 'password'), quoted, flags)
        .map(([type, attrs, f]) => `<input type="${type}" ${attrs} ${f}>`),
      fc.tuple(quoted, flags).map(([attrs, f]) => `<button ${attrs} ${f}>Go</button>`),
      fc
        .tuple(name, fc.array(fc.tuple(value, flags), { maxLength: 3 }), flags)
        .map(
          ([n, options, f]) =>
            `<select name="${n}" ${f}>${options.map(([v, of]) => `<option ${of}>${v}</option>`).join('')}</select>`,
        ),
      fc.tuple(name, value, flags).map(([n, v, f]) => `<textarea name="${n}" ${f}>${v}</textarea>`),
      fc.constantFrom('<p>text</p>', '<label>x</label>', '\n'),
    );
    fc.assert(
      fc.property(fc.array(control, { maxLength: 12 }), fc.constantFrom('get', 'POST', ''), (controls, method) => {
        const html = `<h1>Sign in</h1><form action="/login" ${method ? `method="${method}"` : ''}>${controls.join('')}</form>`;
        expect(parseFirstForm(html, PAGE)).toEqual(patternForm(html, PAGE));
      }),
      { numRuns: 500 },
    );
  });

  // Each of these took seconds (a megabyte: minutes) under the old patterns, with the event loop
  // blocked; read in one pass, they are read in milliseconds (the test timeout is the guard).
  it('reads hostile pages once', () => {
    const n = 60_000; // about a megabyte of each shape
    expect(parseFirstForm('<form '.repeat(n * 3), PAGE)).toBeUndefined();
    expect(parseFirstForm('<form>'.repeat(n * 3), PAGE)).toBeUndefined();
    const inputs = parseFirstForm(`<form>${'<input name=a value=1>'.repeat(n)}</form>`, PAGE);
    expect(inputs?.fields).toHaveLength(n);
    const selects = parseFirstForm(`<form>${'<select name=s><option>1'.repeat(n)}</form>`, PAGE);
    // A `<select>` inside an open one only closes it, as in a browser: every second one sends a value.
    expect(selects?.fields).toHaveLength(n / 2);
    const textareas = parseFirstForm(`<form>${'<textarea name=t>'.repeat(n)}</form>`, PAGE);
    expect(textareas?.fields).toHaveLength(1);
    const quotes = parseFirstForm(`<form><input name="a" ${'value="'.repeat(n * 3)}></form>`, PAGE);
    expect(quotes?.fields).toHaveLength(1);
  });
});
